/**
 * components/vault/paths.ts: every Vault path and name vaultkit derives, as the exact strings Vault,
 * VSO and the agent injector receive.
 */
import { describe, expect, it } from "vitest";
import {
    applicationAuthRoleName,
    applicationVaultNames,
    authMountPath,
    kvDataPath,
    rotateRootPath,
    staticCredsPath,
    staticCredsPolicyName,
    staticCredsSubPath,
} from "../../../../components/vault/paths";

describe("KV v2 paths", () => {
    it("reads a secret at <mount>/data/<path>, nested paths kept as they are", () => {
        expect(kvDataPath("kv-v2", "keycloak-postgresql/config")).toBe("kv-v2/data/keycloak-postgresql/config");
        expect(kvDataPath("secret", "a/b")).toBe("secret/data/a/b");
    });
});

describe("database secrets engine paths and names", () => {
    it("finds a static role's credentials at <mount>/static-creds/<role>, and inside the mount at static-creds/<role>", () => {
        expect(staticCredsSubPath("orders")).toBe("static-creds/orders");
        expect(staticCredsPath("db-mount", "orders")).toBe("db-mount/static-creds/orders");
        expect(staticCredsPath("database", "app")).toBe("database/static-creds/app");
    });

    it("names the policy that reads them after the static role", () => {
        expect(staticCredsPolicyName("orders")).toBe("orders-database-creds");
    });

    it("rotates a connection's own password at <mount>/rotate-root/<connection>", () => {
        expect(rotateRootPath("db-mount", "orders-conn")).toBe("db-mount/rotate-root/orders-conn");
    });
});

describe("auth paths", () => {
    it("places an auth method under auth/<mount>", () => {
        expect(authMountPath("kubernetes")).toBe("auth/kubernetes");
        expect(authMountPath("team-b/k8s")).toBe("auth/team-b/k8s");
    });
});

describe("applicationVaultNames", () => {
    it("names an application's auth role after its static role unless told otherwise", () => {
        expect(applicationAuthRoleName({ staticRoleName: "orders" })).toBe("orders");
        expect(applicationAuthRoleName({ staticRoleName: "orders", authRoleName: "orders-login" })).toBe("orders-login");
    });

    it("derives every name from the static role and the mount", () => {
        expect(applicationVaultNames({ databaseMount: "database", staticRoleName: "team-b-orders" })).toEqual({
            staticRoleName: "team-b-orders",
            authRoleName: "team-b-orders",
            policyName: "team-b-orders-database-creds",
            credsPath: "database/static-creds/team-b-orders",
        });
        expect(applicationVaultNames({ databaseMount: "db", staticRoleName: "app", authRoleName: "app-login" })).toEqual({
            staticRoleName: "app",
            authRoleName: "app-login",
            policyName: "app-database-creds",
            credsPath: "db/static-creds/app",
        });
    });
});
