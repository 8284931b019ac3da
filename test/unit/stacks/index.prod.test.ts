/**
 * The production-shaped stack: HA Vault with TLS and auto-unseal, an admin token from config (a
 * secret), the Vault admin role's password rotated so only Vault knows it, four applications with
 * four delivery patterns, and no debug workloads.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { dependsOnTransitively, one, ofType, registrations, valueOf } from "../../support/mocks";
import { buildStackUnderMocks, registeredAccess } from "../../support/stack";

const TOKEN = "hvs.prod-admin-token-from-env";

let outputs: Awaited<ReturnType<typeof buildStackUnderMocks>>["outputs"];

beforeAll(async () => {
    ({ outputs } = await buildStackUnderMocks("prod", { vaultToken: TOKEN }));
});

/** `type name` of every resource with `option` set, sorted. */
function withOption(option: "protect" | "retainOnDelete"): string[] {
    return registrations.filter((r) => r[option]).map((r) => `${r.type} ${r.name}`).sort();
}

describe("prod stack: what holds state is protected", () => {
    it("protects the KV mount, the admin secret and its four passwords, the database mount, the auth method, the SGCluster and the rotated connection, and nothing else", () => {
        expect(withOption("protect")).toEqual([
            "kubernetes:stackgres.io/v1:SGCluster keycloak-postgresql-cluster",
            "random:index/randomPassword:RandomPassword keycloak-postgresql-admin-authenticator-password",
            "random:index/randomPassword:RandomPassword keycloak-postgresql-admin-replication-password",
            "random:index/randomPassword:RandomPassword keycloak-postgresql-admin-restapi-password",
            "random:index/randomPassword:RandomPassword keycloak-postgresql-admin-superuser-password",
            "vault:database/secretBackendConnection:SecretBackendConnection database-secrets-connection",
            "vault:index/authBackend:AuthBackend kubernetes-auth-backend",
            "vault:index/mount:Mount database-secrets-mount",
            "vault:index/mount:Mount keycloak-postgresql-admin-kv",
            "vault:kv/secretV2:SecretV2 keycloak-postgresql-admin-secret",
        ]);
    });

    it("retains nothing on delete: this stack deployed its Vault and owns what is in it", () => {
        expect(withOption("retainOnDelete")).toEqual([]);
    });
});

describe("prod stack", () => {
    it("runs Vault HA: Raft, 3 replicas, TLS, auto-unseal with the transit token from a Secret", () => {
        const values = one("kubernetes:helm.sh/v4:Chart", "vault-chart").inputs.values;
        expect(values.server.dev).toBeUndefined();
        expect(values.server.ha).toMatchObject({ enabled: true, replicas: 3, raft: { enabled: true } });
        expect(values.server.ha.raft.config).toContain('seal "transit"');
        expect(values.server.extraSecretEnvironmentVars).toEqual([{ envName: "VAULT_TOKEN", secretName: "vault-transit-token", secretKey: "token" }]);
        expect(values.global.tlsDisable).toBe(false);
        expect(ofType("random:index/randomPassword:RandomPassword").map((r) => r.name)).not.toContain("vault-dev-root-token");
    });

    it("configures Vault with the admin token from config, as a secret, over TLS verification", () => {
        const provider = one("pulumi:providers:vault", "vault");
        expect(provider.inputs.token).toBe(TOKEN);
        expect(provider.secretPaths).toContain("token");
        expect(provider.inputs.address).toBe("https://vault.apps.prod.example.com");
        // Provider inputs reach the engine as strings.
        expect(provider.inputs.skipTlsVerify).toBe("false");
    });

    it("rotates the Vault admin role's password right after the connection, never the superuser's", () => {
        const rotate = one("vault:generic/endpoint:Endpoint", "database-secrets-rotate-root");
        expect(rotate.inputs.path).toBe("database/rotate-root/keycloak-postgresql");
        const conn = one("vault:database/secretBackendConnection:SecretBackendConnection", "database-secrets-connection");
        expect(dependsOnTransitively(rotate, conn)).toBe(true);
        expect(conn.inputs.postgresql.username).toBe("vault_admin");
        expect(conn.inputs.postgresql.connectionUrl).toContain("sslmode=require");
    });

    it("lets Vault own the admin password: the SGScript's SQL sets it only when it creates the role", () => {
        const sql: string = one("kubernetes:core/v1:Secret", "keycloak-postgresql-vault-admin-sql").inputs.stringData["vault-admin-role.sql"];
        expect(sql.match(/PASSWORD/g)).toHaveLength(1);
        expect(sql).toMatch(/CREATE ROLE vault_admin .* PASSWORD '/);
    });

    it("gives each of the four applications its own static role, listed in allowed_roles", () => {
        const conn = one("vault:database/secretBackendConnection:SecretBackendConnection", "database-secrets-connection");
        expect(conn.inputs.allowedRoles).toEqual(["keycloak", "billing", "reporting", "batch"]);
        const roles = ofType("vault:database/secretBackendStaticRole:SecretBackendStaticRole").map((r) => [r.inputs.name, r.inputs.username, r.inputs.rotationPeriod]);
        expect(roles).toEqual(
            expect.arrayContaining([
                ["keycloak", "keycloak", 86400],
                ["billing", "billing", 43200],
                ["reporting", "reporting", 604800],
                ["batch", "batch", 86400],
            ]),
        );
        expect(roles).toHaveLength(4);
    });

    it("delivers each application's credentials through its configured pattern", () => {
        expect(one("kubernetes:secrets.hashicorp.com/v1beta1:VaultDynamicSecret", "keycloak-sync-secret").inputs.spec.path).toBe("static-creds/keycloak");
        expect(one("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass", "billing-spc").inputs.spec.parameters.roleName).toBe("billing");
        const reporting = one("kubernetes:apps/v1:Deployment", "reporting-deployment").inputs.spec.template.metadata.annotations;
        expect(reporting["vault.hashicorp.com/role"]).toBe("reporting");
        expect(Object.values(reporting)).toContain("database/static-creds/reporting");
        expect(JSON.stringify(one("kubernetes:apps/v1:Deployment", "batch-deployment").inputs)).toContain("SECRET_PATH='database/static-creds/batch'");
    });

    it("has every client verify Vault's TLS with the CA Secret", () => {
        const conn = one("kubernetes:secrets.hashicorp.com/v1beta1:VaultConnection", "keycloak-postgresql-admin-sync-connection").inputs.spec;
        expect(conn).toMatchObject({ address: "https://vault.vault.svc.cluster.local:8200", skipTLSVerify: false, caCertSecretRef: "vault-ca" });
        expect(one("kubernetes:secrets.hashicorp.com/v1beta1:VaultConnection", "keycloak-sync-connection").inputs.spec.caCertSecretRef).toBe("vault-ca");
        const injector = one("kubernetes:apps/v1:Deployment", "reporting-deployment").inputs.spec.template.metadata.annotations;
        expect(injector["vault.hashicorp.com/tls-secret"]).toBe("vault-ca");
        const batch = JSON.stringify(one("kubernetes:apps/v1:Deployment", "batch-deployment").inputs);
        expect(batch).toContain('"secretName":"vault-ca"');
        expect(batch).toContain("https://vault.vault.svc.cluster.local:8200");
    });

    it("lets the CSI provider verify Vault with the CA the chart mounts into it", () => {
        const params = one("kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass", "billing-spc").inputs.spec.parameters;
        expect(params).toMatchObject({ vaultAddress: "https://vault.vault.svc.cluster.local:8200", vaultCACertPath: "/vault/userconfig/vault-ca/ca.crt" });
        const csi = one("kubernetes:helm.sh/v4:Chart", "vault-chart").inputs.values.csi;
        expect(csi.volumes).toEqual([{ name: "vault-ca", secret: { secretName: "vault-ca" } }]);
        expect(one("kubernetes:helm.sh/v4:Chart", "vault-chart").inputs.values.server.route.tls.termination).toBe("passthrough");
    });

    it("has no debug workloads", () => {
        expect(registrations.filter((r) => r.name.includes("-debug-"))).toHaveLength(0);
    });

    it("waits for Manual install-plan approval by watching the installed CSV", () => {
        const sub = one("kubernetes:operators.coreos.com/v1alpha1:Subscription", "stackgres-operator-subscription").inputs;
        expect(sub.spec.installPlanApproval).toBe("Manual");
        expect(sub.spec.name).toBe("stackgres-certified");
    });

    it("keeps the admin token out of every input but the provider's secret token", () => {
        for (const r of registrations) {
            const text = JSON.stringify(r.inputs);
            if (text.includes(TOKEN)) {
                expect(r.type, r.name).toBe("pulumi:providers:vault");
            }
        }
    });
});

describe("prod stack outputs", () => {
    it("name, per application, the path and auth role the registered Vault objects serve it, and no root token", async () => {
        expect(outputs.applications).toEqual([
            { name: "keycloak", credsPath: "database/static-creds/keycloak", authRole: "keycloak", delivery: "sync" },
            { name: "billing", credsPath: "database/static-creds/billing", authRole: "billing", delivery: "csi" },
            { name: "reporting", credsPath: "database/static-creds/reporting", authRole: "reporting", delivery: "injector" },
            { name: "batch", credsPath: "database/static-creds/batch", authRole: "batch", delivery: "direct" },
        ]);
        for (const a of outputs.applications) {
            const access = registeredAccess(a.authRole);
            expect(access.readablePaths, a.name).toEqual([a.credsPath]);
            expect(access.serviceAccounts, a.name).toEqual([a.name]);
            expect(access.allowedByConnection, a.name).toEqual([true]);
        }
        expect(outputs.vaultRootToken).toBeUndefined();
        const kv = one("vault:kv/secretV2:SecretV2", "keycloak-postgresql-admin-secret").inputs;
        expect(await valueOf(outputs.adminCredentialsPath)).toBe(`${kv.mount}/data/${kv.name}`);
        expect(outputs.databaseHost).toBe("keycloak-postgresql.rhbk.svc.cluster.local");
        expect(one("vault:database/secretBackendConnection:SecretBackendConnection", "database-secrets-connection").inputs.postgresql.connectionUrl).toContain(
            "@keycloak-postgresql.rhbk.svc.cluster.local:5432/",
        );
    });
});
