/**
 * `externalApplications`: a second team declares its static role on this stack's connection from its
 * own stack (docs/packaging.md). This stack only lets the connection serve it and, with StackGres,
 * creates its PostgreSQL role; every object the other stack owns stays out of this one, so the two
 * never manage the same object.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { one, registrations, settle, setupMocks } from "../../support/mocks";

let outputs: import("../../../stacks").StackOutputs;

async function build(): Promise<void> {
    await setupMocks({ stack: "external" });
    const { parseStackConfig } = await import("../../../stacks/config");
    const { buildStack } = await import("../../../stacks");
    outputs = buildStack(
        parseStackConfig("external", {
            platform: "kubernetes",
            vault: { address: "http://127.0.0.1:8200" },
            applications: [{ name: "billing", namespace: "billing", serviceAccount: "billing-sa", databaseRole: "billing_rw" }],
            externalApplications: [{ name: "team-b-orders", databaseRole: "team_b_orders" }],
        }),
    );
    await settle();
}

describe("externalApplications", () => {
    beforeAll(build);

    it("joins the connection's allowed_roles after this stack's own applications", () => {
        const conn = one("vault:database/secretBackendConnection:SecretBackendConnection", "database-secrets-connection");
        expect(conn.inputs.allowedRoles).toEqual(["billing", "team-b-orders"]);
    });

    it("has its PostgreSQL role created by the SGScript, for Vault to manage", () => {
        const script = JSON.stringify(one("kubernetes:stackgres.io/v1:SGScript", "keycloak-postgresql-roles").inputs.spec);
        expect(script).toContain("team_b_orders");
        expect(script).toContain("billing_rw");
    });

    it("declares nothing the other stack owns: no static role, policy, auth role, service account or workload", () => {
        const owned = [
            "vault:database/secretBackendStaticRole:SecretBackendStaticRole",
            "vault:index/policy:Policy",
            "vault:kubernetes/authBackendRole:AuthBackendRole",
            "kubernetes:core/v1:ServiceAccount",
            "kubernetes:core/v1:Namespace",
            "kubernetes:apps/v1:Deployment",
        ];
        const theirs = registrations.filter((r) => owned.includes(r.type) && /team[-_]b/.test(`${r.name} ${JSON.stringify(r.inputs)}`));
        expect(theirs.map((r) => `${r.type} ${r.name}`)).toEqual([]);
        expect(registrations.filter((r) => r.type === "vault:database/secretBackendStaticRole:SecretBackendStaticRole").map((r) => r.inputs.name)).toEqual(["billing"]);
    });

    it("exports what the other stack needs to find the connection", () => {
        expect(outputs.sharedConnection).toEqual({
            databaseMount: "database",
            connectionName: "keycloak-postgresql",
            kubernetesAuthMount: "kubernetes",
            audience: "https://kubernetes.default.svc",
            vaultInClusterAddress: "http://vault.vault.svc.cluster.local:8200",
        });
    });
});
