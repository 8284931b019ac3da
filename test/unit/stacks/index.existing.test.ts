/**
 * "Existing Vault and existing PostgreSQL" mode: the same Vault configuration against servers that
 * already run, and not a single Kubernetes object (the mode the real-engine e2e test deploys).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { one, registrations, settle, setupMocks, valueOf } from "../../support/mocks";
import { registeredAccess } from "../../support/stack";

let outputs: import("../../../stacks").StackOutputs;

beforeAll(async () => {
    await setupMocks({ stack: "existing" });
    const { parseStackConfig } = await import("../../../stacks/config");
    const { buildStack } = await import("../../../stacks");
    outputs = buildStack(
        parseStackConfig("existing", {
            platform: "kubernetes",
            vault: { mode: "existing", address: "https://vault.example.com:8200" },
            vaultToken: "hvs.existing-token",
            databaseAdminPassword: "existing-admin-password-0123",
            kubernetesTokenReviewerJwt: "eyJhbGciOiJSUzI1NiJ9.reviewer-token.sig",
            kubernetesAuth: { mount: "team-kubernetes", kubernetesHost: "https://api.cluster.example.com:6443", kubernetesCaCert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----" },
            database: { mode: "existing", host: "pg.example.com", port: 6432, database: "appdb", sslMode: "verify-full", kvMount: "team-kv", databaseMount: "team-database" },
            // Application, database role, ServiceAccount and namespace differ on purpose.
            applications: [{ name: "ledger", namespace: "finance", serviceAccount: "ledger-api", databaseRole: "ledger_rw", deployWorkload: false }],
        }),
    );
    await settle();
});

describe("existing Vault and existing PostgreSQL", () => {
    it("declares no Kubernetes provider and no Kubernetes object", () => {
        expect(registrations.filter((r) => r.type.startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes")).toEqual([]);
    });

    it("configures the given Vault with the given token, as a secret", () => {
        const provider = one("pulumi:providers:vault", "vault");
        expect(provider.inputs.address).toBe("https://vault.example.com:8200");
        expect(provider.secretPaths).toContain("token");
        expect(provider.dependencies).toEqual([]);
    });

    it("connects Vault to the given database with the configured admin password, kept secret", () => {
        const conn = one("vault:database/secretBackendConnection:SecretBackendConnection", "database-secrets-connection");
        expect(conn.inputs.postgresql.connectionUrl).toBe("postgresql://{{username}}:{{password}}@pg.example.com:6432/appdb?sslmode=verify-full");
        expect(conn.inputs.postgresql.password).toBe("existing-admin-password-0123");
        expect(conn.secretPaths).toContain("postgresql.password");
        expect(registrations.filter((r) => r.name === "vault-admin-password")).toEqual([]);
    });

    it("configures Kubernetes auth for a Vault outside the cluster: API CA, reviewer token (secret), no local CA/JWT", () => {
        const cfg = one("vault:kubernetes/authBackendConfig:AuthBackendConfig", "kubernetes-auth-config");
        expect(cfg.inputs).toMatchObject({
            kubernetesHost: "https://api.cluster.example.com:6443",
            kubernetesCaCert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            disableLocalCaJwt: true,
        });
        expect(cfg.secretPaths).toContain("tokenReviewerJwt");
    });

    it("still declares the admin credentials, the app's static role, policy and auth role", () => {
        for (const [type, name] of [
            ["vault:kv/secretV2:SecretV2", "keycloak-postgresql-admin-secret"],
            ["vault:database/secretBackendStaticRole:SecretBackendStaticRole", "app-ledger-static-role"],
            ["vault:index/policy:Policy", "app-ledger-policy"],
            ["vault:kubernetes/authBackendRole:AuthBackendRole", "app-ledger-auth-role"],
        ]) {
            expect(one(type!, name!).custom).toBe(true);
        }
    });

    it("names the static role, its policy, auth role and allowed_roles entry after the application, and rotates the application's database role", () => {
        expect(one("vault:database/secretBackendConnection:SecretBackendConnection", "database-secrets-connection").inputs).toMatchObject({
            backend: "team-database",
            name: "keycloak-postgresql",
            allowedRoles: ["ledger"],
        });
        expect(registeredAccess("ledger")).toEqual({
            serviceAccounts: ["ledger-api"],
            namespaces: ["finance"],
            policies: ["ledger-database-creds"],
            readablePaths: ["team-database/static-creds/ledger"],
            staticRoles: [{ backend: "team-database", name: "ledger", username: "ledger_rw", dbName: "keycloak-postgresql" }],
            allowedByConnection: [true],
        });
    });

    it("outputs what the registered objects serve: the application's path and auth role, the admin path, the host, the connection", async () => {
        expect(outputs.applications).toEqual([{ name: "ledger", credsPath: "team-database/static-creds/ledger", authRole: "ledger", delivery: "direct" }]);
        expect(registeredAccess(outputs.applications[0]!.authRole).readablePaths).toEqual([outputs.applications[0]!.credsPath]);
        const kv = one("vault:kv/secretV2:SecretV2", "keycloak-postgresql-admin-secret").inputs;
        expect(await valueOf(outputs.adminCredentialsPath)).toBe("team-kv/data/keycloak-postgresql/config");
        expect(`${kv.mount}/data/${kv.name}`).toBe("team-kv/data/keycloak-postgresql/config");
        expect(outputs.databaseHost).toBe("pg.example.com");
        expect(outputs.sharedConnection).toMatchObject({ databaseMount: "team-database", connectionName: "keycloak-postgresql", kubernetesAuthMount: "team-kubernetes" });
        expect(outputs.vaultRootToken).toBeUndefined();
    });

    it("declares no admin auth role: with an existing database nothing syncs the admin credentials, so nobody is bound", () => {
        expect(registrations.filter((r) => r.type === "vault:kubernetes/authBackendRole:AuthBackendRole").map((r) => r.name)).toEqual(["app-ledger-auth-role"]);
    });

    it("retains the Vault mounts, the auth method and the admin secret on delete (the Vault is not this stack's), and protects nothing outside production", () => {
        expect(registrations.filter((r) => r.retainOnDelete).map((r) => `${r.type} ${r.name}`).sort()).toEqual([
            "vault:index/authBackend:AuthBackend kubernetes-auth-backend",
            "vault:index/mount:Mount database-secrets-mount",
            "vault:index/mount:Mount keycloak-postgresql-admin-kv",
            "vault:kv/secretV2:SecretV2 keycloak-postgresql-admin-secret",
        ]);
        expect(registrations.filter((r) => r.protect)).toEqual([]);
    });

    it("enables its engines and auth method at the per-stack paths the config names", () => {
        expect(one("vault:index/authBackend:AuthBackend", "kubernetes-auth-backend").inputs.path).toBe("team-kubernetes");
        expect(registrations.filter((r) => r.type === "vault:index/mount:Mount").map((r) => r.inputs.path).sort()).toEqual(["team-database", "team-kv"]);
    });
});
