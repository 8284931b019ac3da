/** components/vault/vaultBootstrap.ts: the VaultBootstrap component under the mock engine (children, RBAC, pod, ordering, refusals). */
import { beforeAll, describe, expect, it } from "vitest";
import { dependsOnTransitively, one, ofType, parentOf, registrations, settle, setupMocks, valueOf } from "../../../support/mocks";
import { KEY_A, KEY_B, REAL_PUBLIC_KEY, SECRET_KEY } from "../../../support/pgpKeys";

import * as sc from "../../../../components/vault/vaultBootstrapScripts";

type Mod = typeof import("../../../../components/vault/vaultBootstrap");
let m: Mod;

const SPEC = { releaseName: "vault", replicas: 3, shares: 3, threshold: 2, autoUnseal: true, timeoutSeconds: 900 };

beforeAll(async () => {
    await setupMocks();
    m = await import("../../../../components/vault/vaultBootstrap");
    const k8s = await import("@pulumi/kubernetes");
    // Stand-in for the VaultServer the lead passes as dependsOn.
    const server = new k8s.core.v1.ConfigMap("fake-vault-server", { data: { x: "y" } });
    new m.VaultBootstrap(
        "vault-bootstrap",
        {
            namespace: "vault",
            releaseName: "vault",
            replicas: 3,
            tlsSecretName: "vault-tls",
            recoveryPgpKeys: [REAL_PUBLIC_KEY, KEY_A, KEY_B],
            rootTokenPgpKey: REAL_PUBLIC_KEY,
            recoveryThreshold: 2,
            autoUnseal: true,
            production: true,
            images: { kubectl: m.VAULT_BOOTSTRAP_KUBECTL_IMAGES.openshift },
        },
        { dependsOn: [server] },
    );
    new m.VaultBootstrap("k8s-bootstrap", {
        namespace: "vault",
        releaseName: "vault",
        replicas: 3,
        tlsSecretName: "vault-tls",
        recoveryPgpKeys: [KEY_A],
        rootTokenPgpKey: KEY_A,
        recoveryThreshold: 1,
        autoUnseal: false,
        images: { kubectl: m.VAULT_BOOTSTRAP_KUBECTL_IMAGES.kubernetes, vault: "hashicorp/vault:2.0.4" },
        runAsUser: m.KUBERNETES_BOOTSTRAP_UID,
    });
    await settle();
});

const JOB = "kubernetes:batch/v1:Job";
const job = (name = "vault-bootstrap-job") => one(JOB, name);
const podSpec = (name?: string) => job(name).inputs.spec.template.spec;
const allContainers = (name?: string): any[] => [...podSpec(name).initContainers, ...podSpec(name).containers];
const scriptOf = (name: string, jobName?: string): string => allContainers(jobName).find((c) => c.name === name).command[2];

describe("RBAC", () => {
    it("gets and patches only the one Secret; create (not restrictable by name) is the only other verb", () => {
        expect(m.vaultBootstrapRules("vault-init-encrypted")).toEqual([
            { apiGroups: [""], resources: ["secrets"], resourceNames: ["vault-init-encrypted"], verbs: ["get", "patch"] },
            { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
        ]);
        const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role", "vault-bootstrap-role");
        expect(role.inputs.rules).toEqual([
            { apiGroups: [""], resources: ["secrets"], resourceNames: ["vault-init-encrypted"], verbs: ["get", "patch"] },
            { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
        ]);
        const binding = one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "vault-bootstrap-rolebinding");
        expect(dependsOnTransitively(binding, role)).toBe(true);
    });

    it("binds the Role to the Job's own ServiceAccount, by the names the provider generates", () => {
        for (const prefix of ["vault-bootstrap", "k8s-bootstrap"]) {
            const sa = one("kubernetes:core/v1:ServiceAccount", `${prefix}-sa`);
            const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role", `${prefix}-role`);
            const binding = one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", `${prefix}-rolebinding`);
            const cm = one("kubernetes:core/v1:ConfigMap", `${prefix}-pgp-keys`);
            const j = job(`${prefix}-job`);
            // All five are autonamed (`<resource name>-<8 hex>`), so each name is distinct and only known after Check.
            for (const r of [sa, role, binding, cm, j]) {
                expect(r.autonamed, r.name).toBe(true);
                expect(r.inputs.metadata.name, r.name).toMatch(new RegExp(`^${r.name}-[0-9a-f]{8}$`));
            }
            expect(binding.inputs.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.inputs.metadata.name });
            expect(binding.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: sa.inputs.metadata.name, namespace: "vault" }]);
            const spec = j.inputs.spec.template.spec;
            expect(spec.serviceAccountName).toBe(sa.inputs.metadata.name);
            expect(spec.volumes.find((v: any) => v.name === "pgp-keys").configMap).toEqual({ name: cm.inputs.metadata.name, defaultMode: 0o444 });
        }
    });
});

describe("VaultBootstrap", () => {
    it("declares its children under the component, names derived from the component name", () => {
        const mine = registrations.filter((r) => parentOf(r) === "vaultkit:index:VaultBootstrap::vault-bootstrap");
        expect(mine.map((r) => `${r.type}::${r.name}`).sort()).toEqual([
            "kubernetes:batch/v1:Job::vault-bootstrap-job",
            "kubernetes:core/v1:ConfigMap::vault-bootstrap-pgp-keys",
            "kubernetes:core/v1:ServiceAccount::vault-bootstrap-sa",
            "kubernetes:rbac.authorization.k8s.io/v1:Role::vault-bootstrap-role",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::vault-bootstrap-rolebinding",
        ]);
        // Pulumi never holds the init output: no Secret resource at all.
        expect(ofType("kubernetes:core/v1:Secret")).toHaveLength(0);
    });

    it("puts only public keys in an immutable ConfigMap, under names the plaintext-credentials policy accepts", async () => {
        const { isCredentialKey } = await import("../../../../policy/lib/credentials");
        const cm = one("kubernetes:core/v1:ConfigMap", "vault-bootstrap-pgp-keys");
        expect(cm.inputs.immutable).toBe(true);
        expect(Object.keys(cm.inputs.data).filter(isCredentialKey)).toEqual([]);
        expect(isCredentialKey("root-token.b64")).toBe(true); // why the files are named `*.public-key`
        expect(cm.inputs.data).toEqual({ "share-0.public-key": REAL_PUBLIC_KEY, "share-1.public-key": KEY_A, "share-2.public-key": KEY_B, "root-token.public-key": REAL_PUBLIC_KEY });
    });

    it("labels its ConfigMap and Job as the vault-bootstrap component, in Vault's namespace", () => {
        const labels = {
            "app.kubernetes.io/name": "vault-bootstrap",
            "app.kubernetes.io/component": "vault-bootstrap",
            "app.kubernetes.io/part-of": "vaultkit",
            "app.kubernetes.io/managed-by": "pulumi",
        };
        const cm = one("kubernetes:core/v1:ConfigMap", "vault-bootstrap-pgp-keys");
        expect(cm.inputs.metadata).toEqual({ name: cm.inputs.metadata.name, namespace: "vault", labels });
        expect(job().inputs.metadata.labels).toEqual(labels);
    });

    it("runs preflight, init, store, then waits for unseal, with the built scripts and pinned images", () => {
        const spec = podSpec();
        expect(spec.initContainers.map((c: any) => `${c.name}=${c.image}`)).toEqual([
            "preflight=registry.redhat.io/openshift4/ose-cli:v4.15",
            "init=hashicorp/vault:2.0.4",
            "store=registry.redhat.io/openshift4/ose-cli:v4.15",
        ]);
        expect(spec.containers.map((c: any) => `${c.name}=${c.image}`)).toEqual(["wait-unsealed=hashicorp/vault:2.0.4"]);
        expect(scriptOf("init")).toBe(sc.vaultInitScript({ ...SPEC, timeoutSeconds: 900 }));
        expect(scriptOf("store")).toBe(sc.vaultBootstrapStoreScript("vault-init-encrypted"));
        expect(scriptOf("wait-unsealed")).toBe(sc.vaultUnsealWaitScript(SPEC, "vault-init-encrypted"));
        expect(spec.restartPolicy).toBe("OnFailure");
    });

    it("is restricted-v2 compatible: non-root, no escalation, no capabilities, RuntimeDefault seccomp, no fixed UID on OpenShift", () => {
        const spec = podSpec();
        expect(spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        for (const c of allContainers()) {
            expect(c.securityContext, c.name).toEqual({
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            });
            expect(c.securityContext.runAsUser).toBeUndefined();
            expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
            expect(c.resources.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
        }
        expect(podSpec("k8s-bootstrap-job").securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true });
    });

    it("mounts only ca.crt of the TLS Secret, keeps the init output in memory, and gives the API token only to kubectl steps", () => {
        const spec = podSpec();
        const vol = (n: string) => spec.volumes.find((v: any) => v.name === n);
        expect(vol("vault-ca").secret).toEqual({ secretName: "vault-tls", defaultMode: 0o444, items: [{ key: "ca.crt", path: "ca.crt" }] });
        expect(vol("bootstrap").emptyDir).toEqual({ medium: "Memory", sizeLimit: "1Mi" });
        expect(spec.automountServiceAccountToken).toBe(false);
        const withToken = allContainers()
            .filter((c) => c.volumeMounts.some((v: any) => v.name === "kube-api-access"))
            .map((c) => c.name);
        expect(withToken).toEqual(["preflight", "store"]);
        const withWork = allContainers()
            .filter((c) => c.volumeMounts.some((v: any) => v.name === "bootstrap"))
            .map((c) => c.name);
        expect(withWork).toEqual(["init", "store"]);
        expect(one("kubernetes:core/v1:ServiceAccount", "vault-bootstrap-sa").inputs.automountServiceAccountToken).toBe(false);
    });

    it("is awaited by Pulumi (no skipAwait), with a timeout covering its own deadline", () => {
        const j = job();
        expect(j.inputs.metadata.annotations["pulumi.com/skipAwait"]).toBeUndefined();
        const deadline = j.inputs.spec.activeDeadlineSeconds;
        expect(deadline).toBe(2 * 900 + sc.STORE_TIMEOUT_SECONDS + 300);
        expect(Number(j.inputs.metadata.annotations["pulumi.com/timeoutSeconds"])).toBeGreaterThan(deadline);
        expect(j.inputs.spec.ttlSecondsAfterFinished).toBeUndefined();
        // Shamir mode waits longer for people.
        expect(job("k8s-bootstrap-job").inputs.spec.activeDeadlineSeconds).toBe(2 * 3600 + sc.STORE_TIMEOUT_SECONDS + 300);
    });

    it("starts the Job after the server it was given as dependsOn and after its RBAC", () => {
        const j = job();
        expect(dependsOnTransitively(j, one("kubernetes:core/v1:ConfigMap", "fake-vault-server"))).toBe(true);
        expect(dependsOnTransitively(j, one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "vault-bootstrap-rolebinding"))).toBe(true);
        expect(dependsOnTransitively(job("k8s-bootstrap-job"), one("kubernetes:core/v1:ConfigMap", "fake-vault-server"))).toBe(false);
    });

    it("exposes ready (the Job) and the init Secret's name", async () => {
        const { VaultBootstrap } = m;
        const pulumi = await import("@pulumi/pulumi");
        const b = new VaultBootstrap("probe", {
            namespace: "v",
            releaseName: "vlt",
            replicas: 3,
            tlsSecretName: "t",
            recoveryPgpKeys: [KEY_A],
            rootTokenPgpKey: KEY_B,
            recoveryThreshold: 1,
            autoUnseal: true,
            images: { kubectl: "quay.io/openshift/origin-cli:4.15" },
        });
        expect(b.ready).toEqual([b.job]);
        expect(await valueOf(b.initSecretName)).toBe("vlt-init-encrypted");
        expect(await pulumi.isSecret(b.initSecretName)).toBe(false);
    });

    it("refuses Shamir unsealing in production, bad shares, repeated or secret keys, unpinned images, before registering anything", async () => {
        await settle();
        const before = registrations.length;
        const base = {
            namespace: "v",
            releaseName: "vault",
            replicas: 3,
            tlsSecretName: "vault-tls",
            recoveryPgpKeys: [KEY_A, KEY_B],
            rootTokenPgpKey: KEY_A,
            recoveryThreshold: 2,
            autoUnseal: true,
            images: { kubectl: "quay.io/openshift/origin-cli:4.15" },
        };
        const make = (n: string, over: Partial<typeof base> & Record<string, unknown>) => () => new m.VaultBootstrap(n, { ...base, ...over } as any);
        expect(make("bad-prod", { autoUnseal: false, production: true })).toThrow(/production Vault needs auto-unseal/);
        expect(make("bad-threshold", { recoveryThreshold: 3 })).toThrow(/cannot exceed the number of PGP keys/);
        expect(make("bad-one", { recoveryThreshold: 1 })).toThrow(/at least 2/);
        expect(make("bad-none", { recoveryPgpKeys: [], recoveryThreshold: 1 })).toThrow(/from 1 to 255/);
        expect(make("bad-dup", { recoveryPgpKeys: [KEY_A, KEY_A + "\n"] })).toThrow(/its own PGP key/);
        expect(make("bad-secret", { rootTokenPgpKey: SECRET_KEY })).toThrow(/SECRET key/);
        expect(make("bad-image", { images: { kubectl: "quay.io/openshift/origin-cli:latest" } })).toThrow(/pinned/);
        expect(make("bad-image2", { images: { kubectl: "quay.io/openshift/origin-cli" } })).toThrow(/pinned/);
        expect(make("bad-kubectl", { images: { kubectl: "kubectl:latest" } })).toThrow(
            new Error(`VaultBootstrap bad-kubectl: images.kubectl must be an image pinned to a tag or digest (not ':latest'), got "kubectl:latest"`),
        );
        expect(make("bad-vault", { images: { kubectl: "quay.io/openshift/origin-cli:4.15", vault: "hashicorp/vault" } as any })).toThrow(
            new Error(`VaultBootstrap bad-vault: images.vault must be an image pinned to a tag or digest (not ':latest'), got "hashicorp/vault"`),
        );
        expect(make("bad-tls", { tlsSecretName: "Bad_Name" })).toThrow(/tlsSecretName/);
        await settle();
        expect(registrations.slice(before).map((r) => r.name)).toEqual([]);
    });

    it("takes the TLS Secret, the PGP keys and the images as Outputs of another program, and declares the same objects from them", async () => {
        const pulumi = await import("@pulumi/pulumi");
        new m.VaultBootstrap("from-outputs", {
            namespace: "vault",
            releaseName: "vault",
            replicas: 3,
            tlsSecretName: pulumi.output("vault-tls"),
            recoveryPgpKeys: [pulumi.output(REAL_PUBLIC_KEY), KEY_A, Promise.resolve(KEY_B)],
            rootTokenPgpKey: pulumi.output(REAL_PUBLIC_KEY),
            recoveryThreshold: 2,
            autoUnseal: true,
            production: true,
            images: { kubectl: pulumi.output(m.VAULT_BOOTSTRAP_KUBECTL_IMAGES.openshift) },
        });
        await settle();
        const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
        expect(one(CONFIG_MAP, "from-outputs-pgp-keys").inputs.data).toEqual(one(CONFIG_MAP, "vault-bootstrap-pgp-keys").inputs.data);
        const strip = (spec: any) => ({ ...spec, serviceAccountName: undefined, volumes: spec.volumes.map((v: any) => (v.configMap ? { ...v, configMap: { ...v.configMap, name: undefined } } : v)) });
        expect(strip(podSpec("from-outputs-job"))).toEqual(strip(podSpec()));
    });
});

describe("vaultBootstrapPodSpec", () => {
    it("builds the whole pod: four steps with their env, mounts and resources, and five volumes", () => {
        const scripts = { preflight: "P", init: "I", store: "S", waitUnsealed: "W" };
        const spec = m.vaultBootstrapPodSpec({
            serviceAccountName: "boot-sa",
            pgpConfigMapName: "boot-pgp",
            tlsSecretName: "vault-tls",
            images: { vault: "vault:1", kubectl: "kubectl:1" },
            scripts,
            runAsUser: 1234,
        });
        const securityContext = {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        };
        const env = [
            { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
            { name: "HOME", value: "/tmp" },
        ];
        const vaultEnv = [...env, { name: "VAULT_CLIENT_TIMEOUT", value: "10s" }];
        const tmp = { name: "tmp", mountPath: "/tmp" };
        const work = { name: "bootstrap", mountPath: "/bootstrap" };
        const kubeApi = { name: "kube-api-access", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true };
        const ca = { name: "vault-ca", mountPath: "/vault/tls", readOnly: true };
        const small = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } };
        const kubectl = { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } };
        const step = (name: string, image: string, script: string) => ({ name, image, command: ["/bin/sh", "-c", script], securityContext });
        expect(spec).toEqual({
            serviceAccountName: "boot-sa",
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            restartPolicy: "OnFailure",
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, runAsUser: 1234, runAsGroup: 1234 },
            initContainers: [
                { ...step("preflight", "kubectl:1", "P"), env, volumeMounts: [tmp, kubeApi], resources: kubectl },
                { ...step("init", "vault:1", "I"), env: vaultEnv, volumeMounts: [tmp, work, ca, { name: "pgp-keys", mountPath: "/vault/pgp", readOnly: true }], resources: small },
                { ...step("store", "kubectl:1", "S"), env, volumeMounts: [tmp, work, kubeApi], resources: kubectl },
            ],
            containers: [{ ...step("wait-unsealed", "vault:1", "W"), env: vaultEnv, volumeMounts: [tmp, ca], resources: small }],
            volumes: [
                { name: "bootstrap", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
                { name: "tmp", emptyDir: { sizeLimit: "32Mi" } },
                { name: "pgp-keys", configMap: { name: "boot-pgp", defaultMode: 0o444 } },
                { name: "vault-ca", secret: { secretName: "vault-tls", defaultMode: 0o444, items: [{ key: "ca.crt", path: "ca.crt" }] } },
                {
                    name: "kube-api-access",
                    projected: {
                        defaultMode: 0o444,
                        sources: [
                            { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                            { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
                        ],
                    },
                },
            ],
        });
    });
});
