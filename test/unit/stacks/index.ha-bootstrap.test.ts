/**
 * The HA bootstrap path of whole stacks (docs/ha-vault.md): `vault.bootstrap` with `bootstrapOnly`
 * true (the first `pulumi up`: Vault installed and initialised, nothing that talks to Vault) and
 * false (the next ups: the Vault provider waits for the bootstrap Job, i.e. for Vault initialised
 * and every member unsealed), on OpenShift (Pulumi.prod.yaml with the bootstrap block the docs give)
 * and on plain Kubernetes (Shamir unseal, every bootstrap key set, names unlike the defaults).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadStackFile } from "../../../scripts/lib/stacks";
import { withTestPgpKeys } from "../../support/docStacks";
import { dependencyNames, dependsOnTransitively, one, ofType, registrations, settle, setupMocks } from "../../support/mocks";
import { REPO_ROOT } from "../../support/stack";

type Stacks = typeof import("../../../stacks");
type Config = typeof import("../../../stacks/config");
let stacks: Stacks;
let config: Config;

const JOB = "kubernetes:batch/v1:Job";
const TOKEN = "hvs.ha-admin-token-after-bootstrap";
const [ALICE, BOB, CAROL, DAVE, ERIN] = ["alice", "bob", "carol", "dave", "erin"].map((n) => withTestPgpKeys(`<${n}.b64>`));

/** Pulumi.prod.yaml with the bootstrap block of docs/ha-vault.md switched on. */
function prodWithBootstrap(bootstrapOnly: boolean): Record<string, any> {
    const raw = structuredClone(config.rawConfigFromPulumi(loadStackFile(REPO_ROOT, "prod").config)) as Record<string, any>;
    raw.vault = { ...raw.vault, bootstrapOnly, bootstrap: { pgpKeys: [ALICE, BOB, CAROL], rootTokenPgpKey: ALICE, threshold: 2 } };
    return raw;
}

/** Plain Kubernetes, Shamir unsealing (no seal stanza), every name and bootstrap key off its default. */
function kindHa(bootstrapOnly: boolean, bootstrap: Record<string, unknown> = {}): Record<string, any> {
    return {
        platform: "kubernetes",
        production: false,
        kubectlImage: "registry.example.com/tools/kubectl:v1.30.4",
        vault: {
            server: "ha",
            namespace: "secrets-ha",
            releaseName: "secrets",
            haReplicas: 5,
            address: "https://127.0.0.1:8200",
            tlsSecretName: "secrets-tls",
            caSecretName: "secrets-ca",
            bootstrapOnly,
            bootstrap: { pgpKeys: [ALICE, BOB, CAROL, DAVE], rootTokenPgpKey: ERIN, threshold: 3, ...bootstrap },
        },
        database: { namespace: "orders", clusterName: "orders-db", volumeSize: "1Gi" },
        applications: [{ name: "billing", namespace: "billing", serviceAccount: "billing-sa", databaseRole: "billing_rw", delivery: "sync" }],
    };
}

/** Builds one stack from scratch (the mock engine's record is cleared first); returns its outputs. */
async function build(raw: Record<string, unknown>, env: { vaultToken?: string } = {}): Promise<import("../../../stacks").StackOutputs> {
    registrations.length = 0;
    const outputs = stacks.buildStack(config.parseStackConfig("ha", raw, env));
    await settle();
    return outputs;
}

const job = () => one(JOB, ofType(JOB).find((r) => r.name.endsWith("-bootstrap-job"))?.name ?? "no bootstrap Job");
const podSpec = () => job().inputs.spec.template.spec;
const containers = (): any[] => [...podSpec().initContainers, ...podSpec().containers];
const images = () => containers().map((c) => `${c.name}=${c.image}`);
const script = (name: string): string => containers().find((c) => c.name === name).command[2];

/** `type name namespace` of what the stack declares in a namespace. */
const inNamespace = (ns: string) =>
    registrations
        .filter((r) => !r.type.startsWith("pulumi:providers:") && !r.type.startsWith("vaultkit:index:") && (r.inputs.metadata?.namespace ?? r.inputs.namespace) === ns)
        .map((r) => `${r.type} ${r.name}`)
        .sort();

/** Types that exist only to configure or consume Vault, or to run the database behind it. */
const VAULT_SIDE = /^(vault:|random:|pulumi:providers:vault$|kubernetes:stackgres\.io|kubernetes:secrets\.hashicorp\.com|kubernetes:secrets-store\.csi\.x-k8s\.io|kubernetes:apps\/v1:Deployment)/;

/** The bootstrap's own objects (children of the VaultBootstrap component): type, name, inputs, dependencies. */
function bootstrapObjects(): { key: string; inputs: unknown; dependencies: string[] }[] {
    const component = registrations.find((r) => r.type === "vaultkit:index:VaultBootstrap")!;
    return registrations
        .filter((r) => r.parent === component.urn)
        .map((r) => ({ key: `${r.type} ${r.name}`, inputs: r.inputs, dependencies: dependencyNames(r).sort() }))
        .sort((a, b) => a.key.localeCompare(b.key));
}

// Hooks get a minute: on a loaded machine importing the program alone can take longer than 10 s.
const HOOK_TIMEOUT = 60_000;

beforeAll(async () => {
    await setupMocks({ stack: "ha" });
    config = await import("../../../stacks/config");
    stacks = await import("../../../stacks");
}, HOOK_TIMEOUT);

describe("OpenShift, first up (vault.bootstrapOnly: true, no token)", () => {
    let outputs: import("../../../stacks").StackOutputs;
    let firstUp: ReturnType<typeof bootstrapObjects>;
    beforeAll(async () => {
        outputs = await build(prodWithBootstrap(true));
        firstUp = bootstrapObjects();
    }, HOOK_TIMEOUT);

    it("declares Vault's chart and the bootstrap (ServiceAccount, Role, RoleBinding, PGP ConfigMap, Job) in Vault's namespace", () => {
        expect(inNamespace("vault")).toEqual([
            "kubernetes:batch/v1:Job vault-bootstrap-job",
            "kubernetes:core/v1:ConfigMap vault-bootstrap-pgp-keys",
            "kubernetes:core/v1:ServiceAccount vault-bootstrap-sa",
            "kubernetes:helm.sh/v4:Chart vault-chart",
            "kubernetes:rbac.authorization.k8s.io/v1:Role vault-bootstrap-role",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding vault-bootstrap-rolebinding",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding vault-csi-provider-privileged-scc",
        ]);
    });

    it("declares nothing that talks to Vault: no vault provider or resource, no password, no database, no delivery", () => {
        expect(registrations.filter((r) => VAULT_SIDE.test(r.type)).map((r) => `${r.type} ${r.name}`)).toEqual([]);
        // The applications' namespaces exist; nothing is declared in them yet.
        for (const ns of ["rhbk", "billing", "reporting", "batch"]) {
            expect(inNamespace(ns), ns).toEqual([]);
        }
    });

    it("exports the addresses and the init Secret's name, and no application", async () => {
        const { valueOf } = await import("../../support/mocks");
        expect(Object.keys(outputs).sort()).toEqual(["applications", "vaultAddress", "vaultInClusterAddress", "vaultInitSecretName"]);
        expect(outputs.vaultAddress).toBe("https://vault.apps.prod.example.com");
        expect(outputs.vaultInClusterAddress).toBe("https://vault.vault.svc.cluster.local:8200");
        expect(await valueOf(outputs.vaultInitSecretName)).toBe("vault-init-encrypted");
        expect(outputs.applications).toEqual([]);
    });

    it("starts the Job after Vault's chart (and its SCC binding) and after the Job's own RBAC and keys", () => {
        expect(dependencyNames(job()).sort()).toEqual([
            "kubernetes:core/v1:ConfigMap::vault-bootstrap-pgp-keys",
            "kubernetes:core/v1:Namespace::ns-vault",
            "kubernetes:core/v1:ServiceAccount::vault-bootstrap-sa",
            "kubernetes:helm.sh/v4:Chart::vault-chart",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::vault-bootstrap-rolebinding",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::vault-csi-provider-privileged-scc",
        ]);
    });

    it("runs the OpenShift kubectl image with no fixed UID (the SCC assigns one), and the server's Vault image", () => {
        expect(images()).toEqual([
            "preflight=registry.redhat.io/openshift4/ose-cli:v4.15",
            "init=hashicorp/vault:2.0.4",
            "store=registry.redhat.io/openshift4/ose-cli:v4.15",
            "wait-unsealed=hashicorp/vault:2.0.4",
        ]);
        expect(podSpec().securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    });

    it("initialises with recovery shares (the transit seal auto-unseals), 3 keys, threshold 2, over the chart's 3 members", () => {
        const init = script("init");
        expect(init).toContain(
            "-recovery-shares=3 \\\n  -recovery-threshold=2 \\\n  -recovery-pgp-keys=/vault/pgp/share-0.public-key,/vault/pgp/share-1.public-key,/vault/pgp/share-2.public-key \\\n  -root-token-pgp-key=/vault/pgp/root-token.public-key",
        );
        expect(init).not.toContain("-key-shares");
        expect(init).toContain('addr() { echo "https://vault-$1.vault-internal.${POD_NAMESPACE}.svc:8200"; }');
        expect(script("wait-unsealed")).toContain('while [ "$i" -lt 3 ]; do');
        expect(one("kubernetes:core/v1:ConfigMap", "vault-bootstrap-pgp-keys").inputs.data).toEqual({
            "share-0.public-key": ALICE,
            "share-1.public-key": BOB,
            "share-2.public-key": CAROL,
            "root-token.public-key": ALICE,
        });
    });

    it("waits 15 min for Vault to answer and again to unseal (auto-unseal default), stores into vault-init-encrypted", () => {
        expect(script("init")).toContain("deadline=$(( $(date +%s) + 900 ))");
        expect(job().inputs.spec.activeDeadlineSeconds).toBe(2 * 900 + 600 + 300);
        expect(job().inputs.metadata.annotations["pulumi.com/timeoutSeconds"]).toBe(String(2 * 900 + 600 + 300 + 120));
        expect(script("store")).toContain("vault-init-encrypted");
        expect(one("kubernetes:rbac.authorization.k8s.io/v1:Role", "vault-bootstrap-role").inputs.rules).toEqual([
            { apiGroups: [""], resources: ["secrets"], resourceNames: ["vault-init-encrypted"], verbs: ["get", "patch"] },
            { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
        ]);
        expect(podSpec().volumes.find((v: any) => v.name === "vault-ca").secret.secretName).toBe("vault-tls");
    });

    describe("next up (bootstrapOnly: false, the admin token given)", () => {
        let full: import("../../../stacks").StackOutputs;
        beforeAll(async () => {
            full = await build(prodWithBootstrap(false), { vaultToken: TOKEN });
        }, HOOK_TIMEOUT);

        it("the Vault provider waits for the bootstrap Job: Vault is configured only once initialised and unsealed", () => {
            const provider = one("pulumi:providers:vault", "vault");
            expect(dependencyNames(provider).sort()).toEqual([
                "kubernetes:batch/v1:Job::vault-bootstrap-job",
                "kubernetes:helm.sh/v4:Chart::vault-chart",
                "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding::vault-csi-provider-privileged-scc",
            ]);
            expect(dependsOnTransitively(provider, job())).toBe(true);
        });

        it("configures every Vault resource through that provider", () => {
            const provider = one("pulumi:providers:vault", "vault");
            const vaultResources = registrations.filter((r) => r.type.startsWith("vault:"));
            expect(vaultResources.length).toBeGreaterThan(10);
            expect(vaultResources.filter((r) => !r.provider?.startsWith(`${provider.urn}::`)).map((r) => r.name)).toEqual([]);
        });

        it("declares the same bootstrap objects with the same inputs as the first up: the Job is not replaced", () => {
            expect(bootstrapObjects()).toEqual(firstUp);
        });

        it("keeps the init Secret's name in the outputs, has no generated root token, and configures Vault with the given token", async () => {
            const { valueOf } = await import("../../support/mocks");
            expect(await valueOf(full.vaultInitSecretName)).toBe("vault-init-encrypted");
            expect(full.vaultRootToken).toBeUndefined();
            expect(full.applications.map((a) => a.name)).toEqual(["keycloak", "billing", "reporting", "batch"]);
            expect(one("pulumi:providers:vault", "vault").inputs.token).toBe(TOKEN);
        });
    });
});

describe("plain Kubernetes, Shamir unsealing, every bootstrap key set", () => {
    let outputs: import("../../../stacks").StackOutputs;
    beforeAll(async () => {
        outputs = await build(kindHa(false, { kubectlImage: "registry.example.com/ops/kubectl-sh:v1.31.2", timeout: "20m" }), { vaultToken: TOKEN });
    }, HOOK_TIMEOUT);

    it("declares the bootstrap in vault.namespace under the release's names, and the provider waits for its Job", async () => {
        const { valueOf } = await import("../../support/mocks");
        expect(inNamespace("secrets-ha")).toEqual([
            "kubernetes:batch/v1:Job secrets-bootstrap-job",
            "kubernetes:core/v1:ConfigMap secrets-bootstrap-pgp-keys",
            "kubernetes:core/v1:ServiceAccount secrets-bootstrap-sa",
            "kubernetes:helm.sh/v4:Chart secrets-chart",
            "kubernetes:rbac.authorization.k8s.io/v1:Role secrets-bootstrap-role",
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding secrets-bootstrap-rolebinding",
        ]);
        expect(dependencyNames(one("pulumi:providers:vault", "vault")).sort()).toEqual([
            "kubernetes:batch/v1:Job::secrets-bootstrap-job",
            "kubernetes:helm.sh/v4:Chart::secrets-chart",
        ]);
        expect(dependencyNames(job())).toContain("kubernetes:helm.sh/v4:Chart::secrets-chart");
        expect(await valueOf(outputs.vaultInitSecretName)).toBe("secrets-init-encrypted");
    });

    it("runs vault.bootstrap.kubectlImage (not vaultkit:kubectlImage) as a fixed non-root UID", () => {
        expect(images()).toEqual([
            "preflight=registry.example.com/ops/kubectl-sh:v1.31.2",
            "init=hashicorp/vault:2.0.4",
            "store=registry.example.com/ops/kubectl-sh:v1.31.2",
            "wait-unsealed=hashicorp/vault:2.0.4",
        ]);
        expect(podSpec().securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, runAsUser: 65532, runAsGroup: 65532 });
        // The stack's other kubectl Job keeps vaultkit:kubectlImage.
        expect(one(JOB, "orders-db-sql-gate-job").inputs.spec.template.spec.containers.map((c: any) => c.image)).toEqual(["registry.example.com/tools/kubectl:v1.30.4"]);
    });

    it("initialises with unseal-key shares (no seal stanza): 4 keys, threshold 3, root token to its own key, 5 members", () => {
        const init = script("init");
        expect(init).toContain(
            "-key-shares=4 \\\n  -key-threshold=3 \\\n  -pgp-keys=/vault/pgp/share-0.public-key,/vault/pgp/share-1.public-key,/vault/pgp/share-2.public-key,/vault/pgp/share-3.public-key \\\n  -root-token-pgp-key=/vault/pgp/root-token.public-key",
        );
        expect(init).not.toContain("-recovery-shares");
        expect(init).toContain('addr() { echo "https://secrets-$1.secrets-internal.${POD_NAMESPACE}.svc:8200"; }');
        expect(script("wait-unsealed")).toContain('while [ "$i" -lt 5 ]; do');
        expect(script("wait-unsealed")).toContain("key holders decrypt their shares from Secret secrets-init-encrypted and run 'vault operator unseal' against it (threshold 3)");
        expect(one("kubernetes:core/v1:ConfigMap", "secrets-bootstrap-pgp-keys").inputs.data).toEqual({
            "share-0.public-key": ALICE,
            "share-1.public-key": BOB,
            "share-2.public-key": CAROL,
            "share-3.public-key": DAVE,
            "root-token.public-key": ERIN,
        });
    });

    it("waits vault.bootstrap.timeout (20m) for Vault to answer and again to unseal, with the Job's deadline and Pulumi's await sized from it", () => {
        for (const step of ["init", "wait-unsealed"]) {
            expect(script(step), step).toContain("deadline=$(( $(date +%s) + 1200 ))");
        }
        expect(job().inputs.spec.activeDeadlineSeconds).toBe(2 * 1200 + 600 + 300);
        expect(job().inputs.metadata.annotations["pulumi.com/timeoutSeconds"]).toBe(String(2 * 1200 + 600 + 300 + 120));
    });

    it("stores into <release>-init-encrypted and mounts the CA of vault.tlsSecretName", () => {
        expect(one("kubernetes:rbac.authorization.k8s.io/v1:Role", "secrets-bootstrap-role").inputs.rules[0].resourceNames).toEqual(["secrets-init-encrypted"]);
        expect(script("store")).toContain("secrets-init-encrypted");
        expect(podSpec().volumes.find((v: any) => v.name === "vault-ca").secret).toEqual({
            secretName: "secrets-tls",
            defaultMode: 0o444,
            items: [{ key: "ca.crt", path: "ca.crt" }],
        });
    });
});

describe("plain Kubernetes, first up with defaults: vaultkit:kubectlImage, the Shamir timeout", () => {
    beforeAll(async () => {
        await build(kindHa(true));
    }, HOOK_TIMEOUT);

    it("declares nothing that talks to Vault", () => {
        expect(registrations.filter((r) => VAULT_SIDE.test(r.type)).map((r) => `${r.type} ${r.name}`)).toEqual([]);
        expect(inNamespace("orders")).toEqual([]);
        expect(inNamespace("billing")).toEqual([]);
    });

    it("runs vaultkit:kubectlImage when vault.bootstrap.kubectlImage is unset, still as the fixed UID", () => {
        expect(images()).toEqual([
            "preflight=registry.example.com/tools/kubectl:v1.30.4",
            "init=hashicorp/vault:2.0.4",
            "store=registry.example.com/tools/kubectl:v1.30.4",
            "wait-unsealed=hashicorp/vault:2.0.4",
        ]);
        expect(podSpec().securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532 });
    });

    it("waits 1 h for key holders (Shamir default)", () => {
        expect(script("wait-unsealed")).toContain("deadline=$(( $(date +%s) + 3600 ))");
        expect(job().inputs.spec.activeDeadlineSeconds).toBe(2 * 3600 + 600 + 300);
    });
});

describe("vaultkit:production reaches the bootstrap", () => {
    it("a production config without a seal stanza that slipped past the config check is refused by the component too", async () => {
        registrations.length = 0;
        const k8s = await import("@pulumi/kubernetes");
        const { buildVaultServer } = await import("../../../stacks/vault");
        const kubernetes = new k8s.Provider("production-check");
        const parsed = config.parseStackConfig("ha", kindHa(true));
        const shamir = (production: boolean, releaseName: string) => ({ ...parsed, production, vault: { ...parsed.vault, releaseName } });
        expect(() => buildVaultServer(shamir(true, "prodlike"), { providers: { kubernetes }, namespaces: {} })).toThrow(
            "VaultBootstrap prodlike-bootstrap: a production Vault needs auto-unseal",
        );
        expect(() => buildVaultServer(shamir(false, "lab"), { providers: { kubernetes }, namespaces: {} })).not.toThrow();
        await settle();
    });
});
