/**
 * Each delivery component on its own, under the recording mock engine: exact child types, names,
 * namespaces, parents, waits, dependencies and pod security.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Registration, dependsOnTransitively, one, ofType, parentOf, settle, setupMocks, valueOf } from "../../../support/mocks";
import { VAULT_CONNECTION as VC, VAULT_AUTH as VA, VAULT_STATIC_SECRET as VSS, VAULT_DYNAMIC_SECRET as VDS, SECRET_PROVIDER_CLASS as SPC, DEPLOYMENT, SERVICE_ACCOUNT as SA, DEV_VAULT_ADDRESS as VAULT, DEFAULT_AUDIENCE as AUDIENCE, Marker } from "../../../support/types";

const KV_DATA_PATH = "kv-v2/data/keycloak-postgresql/config";

type Mod = typeof import("../../../../components/delivery");
let mod: Mod;
let adminSync: import("../../../../components/delivery").SecretSync;
let appSync: import("../../../../components/delivery").DynamicSecretSync;
let userCreds: import("../../../../components/delivery").UserCredentialsApp;
let operatorReady: pulumi.Resource;
let accessReady: pulumi.Resource;

function podSpec(r: Registration): any {
    return r.inputs.spec.template.spec;
}

beforeAll(async () => {
    await setupMocks();
    mod = await import("../../../../components/delivery");
    operatorReady = new Marker("test:index:OperatorReady", "vso-ready");
    accessReady = new Marker("test:index:AccessReady", "app-access-ready");

    adminSync = new mod.SecretSync(
        "keycloak-postgresql-admin-sync",
        {
            namespace: "rhbk",
            vault: { address: VAULT },
            login: { role: "keycloak-role", serviceAccountName: "default" },
            kvMount: "kv-v2",
            secretPath: "keycloak-postgresql/config",
            destinationSecretName: "keycloak-postgresql-vault",
            objectName: "keycloak-postgresql",
        },
        { dependsOn: [operatorReady] },
    );
    appSync = new mod.DynamicSecretSync(
        "app-sync",
        {
            namespace: "team-a",
            vault: { address: VAULT },
            login: { authMount: "k8s", role: "app", serviceAccountName: "app", audience: AUDIENCE },
            databaseMount: "database",
            staticRoleName: "app",
            destinationSecretName: "app-db-credentials",
            rolloutRestartDeployments: ["app"],
        },
        { dependsOn: [operatorReady, accessReady] },
    );
    new mod.SyncedSecretApp(
        "app",
        { namespace: "team-a", secretName: appSync.secretName, workload: { serviceAccountName: "app" }, container: { image: "docker.io/library/postgres:16.1" } },
        { dependsOn: appSync.ready },
    );
    new mod.CsiSecretMount("debug-csi", {
        namespace: "rhbk",
        login: { role: "keycloak-role" },
        objects: [{ objectName: "keycloak-postgresql-vault", apiPath: KV_DATA_PATH }],
        workload: { serviceAccountName: "default" },
        container: { image: "registry.access.redhat.com/ubi9/ubi:9.4" },
    });
    new mod.CsiSecretMount(
        "csi-app",
        {
            namespace: "team-b",
            login: { role: "csi-app", audience: AUDIENCE },
            objects: [{ objectName: "password", apiPath: "database/static-creds/csi-app", secretKey: "password" }],
            workload: { serviceAccountName: "csi-app", createServiceAccount: true, runAsUser: 1001 },
            container: { image: "docker.io/library/postgres:16.1" },
        },
        { dependsOn: [accessReady] },
    );
    new mod.InjectedSecret("debug-injector", {
        namespace: "rhbk",
        login: { role: "keycloak-role", audience: AUDIENCE },
        files: [{ fileName: "keycloak-postgresql-vault", apiPath: KV_DATA_PATH, template: mod.kvJsonTemplate(KV_DATA_PATH) }],
        workload: { serviceAccountName: "default" },
        container: { image: "registry.access.redhat.com/ubi9/ubi:9.4" },
    });
    new mod.DirectVaultAccess("debug-direct", {
        namespace: "rhbk",
        vault: { address: VAULT },
        login: { role: "keycloak-role", audience: AUDIENCE },
        apiPath: KV_DATA_PATH,
        workload: { serviceAccountName: "default" },
        container: { image: "registry.access.redhat.com/ubi9/ubi:9.4" },
    });
    userCreds = new mod.UserCredentialsApp(
        "user-creds",
        {
            namespace: "rhbk",
            vault: { address: VAULT },
            login: { role: "app", audience: AUDIENCE },
            apiPath: "database/static-creds/app",
            databaseUser: "app",
            databaseHost: "keycloak-postgresql-primary.rhbk.svc.cluster.local",
            workload: { serviceAccountName: "app", createServiceAccount: true },
            fetcher: { image: "registry.access.redhat.com/ubi9/ubi:9.4" },
            psql: { image: "docker.io/library/postgres:16.1" },
        },
        { dependsOn: [accessReady] },
    );
    await settle();
});

describe("SecretSync", () => {
    it("creates VaultConnection, VaultAuth and VaultStaticSecret in the consumer's namespace, as children", () => {
        for (const [type, name] of [
            [VC, "keycloak-postgresql-admin-sync-connection"],
            [VA, "keycloak-postgresql-admin-sync-auth"],
            [VSS, "keycloak-postgresql-admin-sync-secret"],
        ] as const) {
            const r = one(type, name);
            expect(r.inputs.metadata).toMatchObject({ name: "keycloak-postgresql", namespace: "rhbk" });
            expect(parentOf(r)).toBe("vaultkit:index:SecretSync::keycloak-postgresql-admin-sync");
        }
        expect(one(VC, "keycloak-postgresql-admin-sync-connection").inputs.spec).toEqual({ address: VAULT, skipTLSVerify: false });
        expect(one(VA, "keycloak-postgresql-admin-sync-auth").inputs.spec).toEqual({
            vaultConnectionRef: "keycloak-postgresql",
            method: "kubernetes",
            mount: "kubernetes",
            kubernetes: { role: "keycloak-role", serviceAccount: "default" },
        });
    });

    it("syncs kv-v2 keycloak-postgresql/config into keycloak-postgresql-vault and makes Pulumi wait for it", () => {
        const vss = one(VSS, "keycloak-postgresql-admin-sync-secret");
        expect(vss.inputs.spec).toMatchObject({
            vaultAuthRef: "keycloak-postgresql",
            type: "kv-v2",
            mount: "kv-v2",
            path: "keycloak-postgresql/config",
            refreshAfter: "30s",
            destination: { name: "keycloak-postgresql-vault", create: true },
        });
        expect(vss.inputs.metadata.annotations).toEqual({ "pulumi.com/waitFor": "jsonpath={.status.secretMAC}", "pulumi.com/timeoutSeconds": "600" });
    });

    it("orders connection -> auth -> secret after the operator, and exposes the Secret name with its dependency", async () => {
        const op = one("test:index:OperatorReady", "vso-ready");
        const vss = one(VSS, "keycloak-postgresql-admin-sync-secret");
        expect(dependsOnTransitively(vss, one(VA, "keycloak-postgresql-admin-sync-auth"))).toBe(true);
        expect(dependsOnTransitively(one(VA, "keycloak-postgresql-admin-sync-auth"), one(VC, "keycloak-postgresql-admin-sync-connection"))).toBe(true);
        expect(dependsOnTransitively(one(VC, "keycloak-postgresql-admin-sync-connection"), op)).toBe(true);
        expect(await valueOf(adminSync.secretName)).toBe("keycloak-postgresql-vault");
        expect(adminSync.ready).toHaveLength(1);
        expect(await valueOf((adminSync.ready[0] as pulumi.CustomResource).urn)).toBe(vss.urn);
    });

    it("refuses StackGres's own Secret name as destination", async () => {
        expect(
            () =>
                new mod.SecretSync("bad", {
                    namespace: "rhbk",
                    vault: { address: VAULT },
                    login: { role: "keycloak-role", serviceAccountName: "default" },
                    kvMount: "kv-v2",
                    secretPath: "keycloak-postgresql/config",
                    destinationSecretName: "keycloak-postgresql",
                    stackGresClusterName: "keycloak-postgresql",
                }),
        ).toThrow(/StackGres creates and owns/);
        expect(
            () =>
                new mod.SecretSync("bad2", {
                    namespace: "db",
                    vault: { address: VAULT },
                    login: { role: "r", serviceAccountName: "default" },
                    kvMount: "kv-v2",
                    secretPath: "x/config",
                    destinationSecretName: "orders-db",
                    stackGresClusterName: "orders-db",
                }),
        ).toThrow(/SGCluster 'orders-db'/);
        // Refused before anything is registered.
        await settle();
        expect(ofType("vaultkit:index:SecretSync").map((r) => r.name)).toEqual(["keycloak-postgresql-admin-sync"]);
    });

    it("checks the name only against a StackGres cluster it is told about (no seed default)", async () => {
        new mod.SecretSync("no-stackgres", {
            namespace: "apps",
            vault: { address: VAULT },
            login: { role: "r", serviceAccountName: "default" },
            kvMount: "kv-v2",
            secretPath: "x/config",
            destinationSecretName: "keycloak-postgresql",
        });
        await settle();
        expect(one(VSS, "no-stackgres-secret").inputs.spec.destination.name).toBe("keycloak-postgresql");
    });
});

describe("DynamicSecretSync", () => {
    it("reads database/static-creds/<role> with allowStaticCreds and restarts the app Deployment", () => {
        const vds = one(VDS, "app-sync-secret");
        expect(parentOf(vds)).toBe("vaultkit:index:DynamicSecretSync::app-sync");
        expect(vds.inputs.metadata).toMatchObject({ name: "app-sync", namespace: "team-a" });
        expect(vds.inputs.spec).toEqual({
            vaultAuthRef: "app-sync",
            mount: "database",
            path: "static-creds/app",
            allowStaticCreds: true,
            destination: { name: "app-db-credentials", create: true, overwrite: false },
            rolloutRestartTargets: [{ kind: "Deployment", name: "app" }],
        });
        expect(vds.inputs.metadata.annotations["pulumi.com/waitFor"]).toBe("jsonpath={.status.secretMAC}");
        expect(one(VA, "app-sync-auth").inputs.spec).toEqual({
            vaultConnectionRef: "app-sync",
            method: "kubernetes",
            mount: "k8s",
            kubernetes: { role: "app", serviceAccount: "app", audiences: [AUDIENCE] },
        });
    });

    it("the restart target is the consuming Deployment, which mounts the synced Secret and waits for it", () => {
        const deployment = one(DEPLOYMENT, "app-deployment");
        expect(deployment.inputs.metadata).toMatchObject({ name: "app", namespace: "team-a" });
        expect(podSpec(deployment).volumes).toContainEqual({ name: "credentials", secret: { secretName: "app-db-credentials", defaultMode: 0o440 } });
        expect(podSpec(deployment).containers[0].volumeMounts).toContainEqual({ name: "credentials", mountPath: "/mnt/vault-synced", readOnly: true });
        expect(dependsOnTransitively(deployment, one(VDS, "app-sync-secret"))).toBe(true);
        expect(dependsOnTransitively(one(VDS, "app-sync-secret"), one("test:index:AccessReady", "app-access-ready"))).toBe(true);
    });

    it("refuses to sync without a Deployment to restart", () => {
        expect(
            () =>
                new mod.DynamicSecretSync("norestart", {
                    namespace: "x",
                    vault: { address: VAULT },
                    login: { role: "r", serviceAccountName: "s" },
                    databaseMount: "database",
                    staticRoleName: "r",
                    destinationSecretName: "d",
                    rolloutRestartDeployments: [],
                }),
        ).toThrow(/rolloutRestartDeployments/);
    });
});

describe("CsiSecretMount", () => {
    it("creates the seed's SecretProviderClass and a Deployment mounting it read-only at /mnt/secrets-store", () => {
        const spc = one(SPC, "debug-csi-spc");
        expect(parentOf(spc)).toBe("vaultkit:index:CsiSecretMount::debug-csi");
        expect(spc.inputs.metadata).toMatchObject({ name: "debug-csi", namespace: "rhbk" });
        expect(spc.inputs.spec).toEqual({
            provider: "vault",
            parameters: { roleName: "keycloak-role", objects: "- objectName: keycloak-postgresql-vault\n  secretPath: kv-v2/data/keycloak-postgresql/config\n" },
        });
        const d = one(DEPLOYMENT, "debug-csi-deployment");
        expect(parentOf(d)).toBe("vaultkit:index:CsiSecretMount::debug-csi");
        expect(podSpec(d).serviceAccountName).toBe("default");
        expect(podSpec(d).volumes).toContainEqual({
            name: "secrets-store",
            csi: { driver: "secrets-store.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: "debug-csi" } },
        });
        expect(podSpec(d).containers[0].volumeMounts).toContainEqual({ name: "secrets-store", mountPath: "/mnt/secrets-store", readOnly: true });
        expect(dependsOnTransitively(d, spc)).toBe(true);
        expect(ofType(SA).map((r) => r.name)).not.toContain("debug-csi-serviceaccount");
    });

    it("creates its ServiceAccount when asked and sets the UID only when given", () => {
        const sa = one(SA, "csi-app-serviceaccount");
        expect(sa.inputs).toMatchObject({ metadata: { name: "csi-app", namespace: "team-b" }, automountServiceAccountToken: false });
        const d = one(DEPLOYMENT, "csi-app-deployment");
        expect(dependsOnTransitively(d, sa)).toBe(true);
        expect(dependsOnTransitively(d, one("test:index:AccessReady", "app-access-ready"))).toBe(true);
        expect(podSpec(d).securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 });
        expect(podSpec(one(DEPLOYMENT, "debug-csi-deployment")).securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(one(SPC, "csi-app-spc").inputs.spec.parameters.audience).toBe(AUDIENCE);
    });
});

describe("InjectedSecret", () => {
    it("annotates the pod template so the agent renders the KV secret as JSON into /mnt/secrets-store", () => {
        const d = one(DEPLOYMENT, "debug-injector-deployment");
        expect(parentOf(d)).toBe("vaultkit:index:InjectedSecret::debug-injector");
        expect(d.inputs.metadata).toMatchObject({ name: "debug-injector", namespace: "rhbk" });
        expect(d.inputs.metadata.annotations).toBeUndefined();
        const a = d.inputs.spec.template.metadata.annotations;
        expect(a).toMatchObject({
            "vault.hashicorp.com/agent-inject": "true",
            "vault.hashicorp.com/role": "keycloak-role",
            "vault.hashicorp.com/agent-inject-secret-keycloak-postgresql-vault": KV_DATA_PATH,
            "vault.hashicorp.com/secret-volume-path-keycloak-postgresql-vault": "/mnt/secrets-store",
            "vault.hashicorp.com/agent-service-account-token-volume-name": "vault-token",
        });
        expect(a["vault.hashicorp.com/agent-inject-template-keycloak-postgresql-vault"]).toContain(".Data | toJSONPretty");
    });

    it("gives the agent an audience-bound projected token instead of the default one", () => {
        const spec = podSpec(one(DEPLOYMENT, "debug-injector-deployment"));
        expect(spec.automountServiceAccountToken).toBe(false);
        expect(spec.volumes).toContainEqual({
            name: "vault-token",
            projected: { sources: [{ serviceAccountToken: { audience: AUDIENCE, expirationSeconds: 3600, path: "token" } }] },
        });
    });
});

describe("DirectVaultAccess", () => {
    it("runs the login-and-read script with the projected token, writing the raw response under /tmp", () => {
        const d = one(DEPLOYMENT, "debug-direct-deployment");
        expect(parentOf(d)).toBe("vaultkit:index:DirectVaultAccess::debug-direct");
        const c = podSpec(d).containers[0];
        expect(c.command.slice(0, 2)).toEqual(["sh", "-c"]);
        expect(c.command[2]).toContain(`SECRET_PATH='${KV_DATA_PATH}'`);
        expect(c.command[2]).toContain("ROLE='keycloak-role'");
        expect(c.command[2]).toContain("OUT=\"${VAULTKIT_POD_ROOT:-}\"'/tmp/keycloak-postgresql-vault'");
        expect(c.command[2]).toContain("JWT_FILE=\"${VAULTKIT_POD_ROOT:-}\"'/var/run/secrets/vault/token'");
        expect(c.volumeMounts).toContainEqual({ name: "vault-token", mountPath: "/var/run/secrets/vault", readOnly: true });
        expect(podSpec(d).volumes).toContainEqual({ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } });
        expect(podSpec(d).automountServiceAccountToken).toBe(false);
    });
});

describe("UserCredentialsApp", () => {
    it("has a fetcher writing /tmp/password into a shared memory emptyDir and a psql container reading it", async () => {
        const d = one(DEPLOYMENT, "user-creds-deployment");
        expect(parentOf(d)).toBe("vaultkit:index:UserCredentialsApp::user-creds");
        const spec = podSpec(d);
        expect(spec.containers.map((c: any) => [c.name, c.image])).toEqual([
            ["fetcher", "registry.access.redhat.com/ubi9/ubi:9.4"],
            ["psql", "docker.io/library/postgres:16.1"],
        ]);
        const [fetcher, psql] = spec.containers;
        expect(fetcher.command[2]).toContain("SECRET_PATH='database/static-creds/app'");
        expect(fetcher.command[2]).toContain("OUT=\"${VAULTKIT_POD_ROOT:-}\"'/tmp/password'");
        expect(fetcher.volumeMounts).toContainEqual({ name: "shared", mountPath: "/tmp" });
        expect(psql.volumeMounts).toEqual([{ name: "shared", mountPath: "/tmp" }]);
        expect(spec.volumes).toContainEqual({ name: "shared", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } });
        // The Vault token volume and the fetcher's scratch space stay out of the psql container.
        expect(fetcher.volumeMounts.map((m: any) => m.name)).toEqual(["shared", "fetch-work", "vault-token"]);
        expect(psql.command[2]).toContain("psql 'postgres://app@keycloak-postgresql-primary.rhbk.svc.cluster.local:5432/postgres?sslmode=prefer&connect_timeout=5'");
        expect(psql.readinessProbe.exec.command[2]).toContain(`PGPASSWORD="$(cat "\${VAULTKIT_POD_ROOT:-}"'/tmp/password')"`);
        expect(await valueOf(userCreds.checkCommand)).toBe(
            'psql postgres://app:$(cat /tmp/password)@keycloak-postgresql-primary.rhbk.svc.cluster.local:5432/postgres -c "\\c"',
        );
        expect(dependsOnTransitively(d, one(SA, "user-creds-serviceaccount"))).toBe(true);
        expect(dependsOnTransitively(d, one("test:index:AccessReady", "app-access-ready"))).toBe(true);
    });
});

describe("every Deployment", () => {
    it("runs one replica of pinned, non-root, capability-free containers with requests and limits", () => {
        const deployments = ofType(DEPLOYMENT);
        expect(deployments.map((d) => d.name).sort()).toEqual([
            "app-deployment",
            "csi-app-deployment",
            "debug-csi-deployment",
            "debug-direct-deployment",
            "debug-injector-deployment",
            "user-creds-deployment",
        ]);
        for (const d of deployments) {
            expect(d.inputs.spec.replicas, d.name).toBe(1);
            expect(d.inputs.spec.selector.matchLabels, d.name).toEqual(
                Object.fromEntries(["app.kubernetes.io/name", "app.kubernetes.io/instance"].map((k) => [k, d.inputs.metadata.name])),
            );
            expect(d.inputs.spec.template.metadata.labels, d.name).toMatchObject(d.inputs.spec.selector.matchLabels);
            const spec = podSpec(d);
            expect(spec.securityContext, d.name).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
            for (const c of spec.containers) {
                expect(c.image, d.name).toMatch(/:[0-9][0-9A-Za-z._-]*$/);
                expect(c.securityContext, `${d.name}/${c.name}`).toEqual({
                    runAsNonRoot: true,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                    seccompProfile: { type: "RuntimeDefault" },
                });
                expect(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.cpu && c.resources.limits.memory, `${d.name}/${c.name}`).toBeTruthy();
                // A read-only root needs a writable /tmp.
                expect(c.volumeMounts.map((m: any) => m.mountPath), `${d.name}/${c.name}`).toContain("/tmp");
            }
            if (d.name !== "csi-app-deployment") {
                expect(spec.securityContext.runAsUser, d.name).toBeUndefined();
            }
        }
    });

    it("validates against the Kubernetes apps/v1 schema", async () => {
        const { Deployment } = await import("kubernetes-models/apps/v1/Deployment");
        for (const d of ofType(DEPLOYMENT)) {
            const inputs = JSON.parse(JSON.stringify(d.inputs));
            const model = new Deployment({ apiVersion: "apps/v1", kind: "Deployment", metadata: inputs.metadata, spec: inputs.spec });
            expect(() => (model as unknown as { validate(): void }).validate(), d.name).not.toThrow();
        }
    });
});
