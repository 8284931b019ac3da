/**
 * A stack on a cluster whose platform team installed the operators (`operators.install: false`) and whose
 * Vault is configured by another team (`vault.configure: false`): only the Kubernetes half is declared,
 * with the names the Vault half would have used, and every custom resource waits for its CRDs.
 * (The shape test/e2e/kubernetes-half.test.ts runs on the real engine.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { dependsOnTransitively, one, registrations, settle, setupMocks, type Registration } from "../../support/mocks";

const K = "kubernetes:";
const ADMIN_PASSWORD = "owner-given-admin-password-0123";

function raw(configure: boolean): Record<string, unknown> {
    return {
        platform: "kubernetes",
        vault: { mode: "existing", address: "https://vault.example.com:8200", configure },
        ...(configure ? { vaultToken: "hvs.unit-token" } : { databaseAdminPassword: ADMIN_PASSWORD }),
        operators: { install: false },
        kubernetesAuth: { mount: "team-k8s", vaultRunsInCluster: true },
        database: { namespace: "pg", clusterName: "orders-db", kvMount: "team-kv", adminSecretPath: "orders/admin", adminAuthRole: "orders-admin", databaseMount: "team-db", volumeSize: "1Gi" },
        applications: [
            { name: "billing", namespace: "billing-ns", serviceAccount: "billing-sa", databaseRole: "billing_rw", delivery: "sync" },
            { name: "ledger", namespace: "ledger-ns", serviceAccount: "ledger-sa", databaseRole: "ledger_rw", delivery: "direct" },
        ],
    };
}

/** Kubernetes objects by `type name`, inputs only. */
function kubernetesObjects(): Map<string, Registration> {
    return new Map(registrations.filter((r) => r.type.startsWith(K)).map((r) => [`${r.type} ${r.name}`, r]));
}

let configured: Map<string, Registration>;
let outputs: { adminCredentialsPath?: unknown; applications: { name: string; credsPath: string; authRole: string }[] };

beforeAll(async () => {
    await setupMocks({ stack: "owned" });
    const { parseStackConfig } = await import("../../../stacks/config");
    const { buildStack } = await import("../../../stacks");
    // The same stack with Vault configured here, to compare the Kubernetes half against.
    buildStack(parseStackConfig("owned", raw(true)));
    await settle();
    configured = kubernetesObjects();
    registrations.length = 0;
    outputs = buildStack(parseStackConfig("owned", raw(false))) as typeof outputs;
    await settle();
});

describe("vault.configure false", () => {
    it("declares no Vault resource, no vault provider and nothing random", () => {
        expect(registrations.filter((r) => r.type.startsWith("vault:") || r.type.startsWith("random:") || r.type === "pulumi:providers:vault")).toEqual([]);
        expect(registrations.filter((r) => r.type.startsWith("vaultkit:index:") && /Vault|Postgres|Database/.test(r.type) && !r.type.includes("VaultFetcher"))).toEqual([]);
    });

    it("declares the same Kubernetes objects, with the same inputs, as a stack that configures Vault (apart from the admin SQL Secret's password)", () => {
        const unconfigured = kubernetesObjects();
        expect(unconfigured.size).toBeGreaterThan(25);
        expect([...unconfigured.keys()].sort()).toEqual([...configured.keys()].sort());
        for (const [key, r] of unconfigured) {
            const other = configured.get(key)!;
            if (key.startsWith(`${K}core/v1:Secret `) && key.endsWith("-vault-admin-sql")) {
                expect(Object.keys(r.inputs.stringData)).toEqual(Object.keys(other.inputs.stringData));
                continue;
            }
            expect(r.inputs, key).toEqual(other.inputs);
        }
    });

    it("uses the configured names: VSO reads the admin secret at the KV path, apps their own static role through the auth mount", () => {
        const adminSecret = one(`${K}secrets.hashicorp.com/v1beta1:VaultStaticSecret`, "orders-db-admin-sync-secret").inputs.spec;
        expect(adminSecret).toMatchObject({ mount: "team-kv", type: "kv-v2", path: "orders/admin" });
        const adminAuth = one(`${K}secrets.hashicorp.com/v1beta1:VaultAuth`, "orders-db-admin-sync-auth").inputs.spec;
        expect(adminAuth).toMatchObject({ mount: "team-k8s", kubernetes: { role: "orders-admin" } });
        const billing = one(`${K}secrets.hashicorp.com/v1beta1:VaultDynamicSecret`, "billing-sync-secret").inputs.spec;
        expect(billing).toMatchObject({ mount: "team-db", path: "static-creds/billing" });
        expect(JSON.stringify(one(`${K}apps/v1:Deployment`, "ledger-deployment").inputs)).toContain("team-db/static-creds/ledger");
        expect(outputs.applications.map((a) => [a.name, a.credsPath, a.authRole])).toEqual([
            ["billing", "team-db/static-creds/billing", "billing"],
            ["ledger", "team-db/static-creds/ledger", "ledger"],
        ]);
    });

    it("still holds every application's objects until the database is ready (the roles Vault's static roles need exist)", () => {
        const cluster = one(`${K}stackgres.io/v1:SGCluster`, "orders-db-cluster");
        const appObjects = registrations.filter((r) => r.type.startsWith(K) && ["billing-ns", "ledger-ns"].includes(r.inputs.metadata?.namespace) && !r.type.endsWith("ServiceAccount"));
        expect(appObjects.length).toBeGreaterThanOrEqual(5);
        for (const r of appObjects) {
            expect(dependsOnTransitively(r, cluster), r.name).toBe(true);
        }
    });

    it("creates the Vault admin role in StackGres with the password the Vault owner gave, as a secret", () => {
        const sql = one(`${K}core/v1:Secret`, "orders-db-vault-admin-sql");
        expect(JSON.stringify(sql.inputs.stringData)).toContain(ADMIN_PASSWORD);
        expect(sql.secretPaths.some((p) => p.startsWith("stringData"))).toBe(true);
    });
});

describe("operators.install false", () => {
    it("declares no chart, Release, Subscription or OperatorGroup: one CRD gate per operator the stack uses, in its database namespace", () => {
        expect(registrations.filter((r) => r.type.includes("helm.sh") || r.type.includes("operators.coreos.com"))).toEqual([]);
        const jobs = registrations.filter((r) => r.type === `${K}batch/v1:Job`).map((r) => `${r.name} ${r.inputs.metadata.namespace}`);
        // No csi application, so no CSI driver gate; the SGCluster's own SQL gate runs there too.
        expect(jobs.sort()).toEqual(["orders-db-sql-gate-job pg", "stackgres-crds-job pg", "vault-secrets-operator-crds-job pg"]);
        const namespaces = registrations.filter((r) => r.type === `${K}core/v1:Namespace`).map((r) => r.inputs.metadata.name);
        expect(namespaces.sort()).toEqual(["billing-ns", "ledger-ns", "pg"]);
    });

    it("each gate waits only for its operator's CRDs to be Established", () => {
        const script = (name: string): string => one(`${K}batch/v1:Job`, name).inputs.spec.template.spec.containers[0].command[2];
        const sg = script("stackgres-crds-job");
        expect(sg).toContain("kubectl wait --for=condition=Established customresourcedefinitions.apiextensions.k8s.io/sgclusters.stackgres.io");
        expect(sg).not.toContain("subscriptions");
        expect(sg).not.toContain("secrets.hashicorp.com");
        expect(script("vault-secrets-operator-crds-job")).toContain("vaultstaticsecrets.secrets.hashicorp.com");
    });

    it("every custom resource waits for its operator's gate", () => {
        const vsoGate = one(`${K}batch/v1:Job`, "vault-secrets-operator-crds-job");
        const sgGate = one(`${K}batch/v1:Job`, "stackgres-crds-job");
        const custom = registrations.filter((r) => r.type.startsWith(`${K}secrets.hashicorp.com/`) || r.type.startsWith(`${K}stackgres.io/`));
        expect(custom.length).toBeGreaterThanOrEqual(10);
        for (const r of custom) {
            const gate = r.type.includes("stackgres.io") ? sgGate : vsoGate;
            expect(dependsOnTransitively(r, gate), r.name).toBe(true);
        }
        // The gate itself waits for its namespace.
        expect(dependsOnTransitively(sgGate, one(`${K}core/v1:Namespace`, "ns-pg"))).toBe(true);
    });
});

describe("operators.install false on OpenShift", () => {
    beforeAll(async () => {
        const { parseStackConfig } = await import("../../../stacks/config");
        const { buildStack } = await import("../../../stacks");
        registrations.length = 0;
        buildStack(parseStackConfig("owned", { ...raw(false), platform: "openshift" }));
        await settle();
    });

    it("declares no OLM object, and gates with OpenShift's kubectl image and no fixed UID (restricted-v2 assigns one)", () => {
        expect(registrations.filter((r) => r.type.includes("operators.coreos.com") || r.type.includes("operator.openshift.io"))).toEqual([]);
        const pod = one(`${K}batch/v1:Job`, "stackgres-crds-job").inputs.spec.template.spec;
        expect(pod.containers[0].image).toMatch(/ose-cli/);
        expect(pod.securityContext.runAsUser).toBeUndefined();
    });
});
