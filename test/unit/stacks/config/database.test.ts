/** stacks/config/database.ts: `vaultkit:database` and `vaultkit:databaseAdminPassword`, derived names, and the rules between them. */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../../stacks/config";
import { valid, platformOwned, type Case, itRefusesEach, type Refusal, itRefusesEachPlatformOwned } from "./fixtures";

describe("valid database config", () => {
    it("accepts a PostgreSQL major written as a number, as YAML and `pulumi config set --path` write it", () => {
        const raw = valid();
        raw.database = { postgresVersion: 16 };
        expect(parseStackConfig("dev", raw).database.postgresVersion).toBe("16");
    });

    it("names the database's Vault and Kubernetes objects after clusterName unless a name is given", () => {
        const raw = valid();
        raw.database = { clusterName: "orders-pg", adminAuthRole: "orders-login" };
        expect(parseStackConfig("t", raw).database).toMatchObject({
            connectionName: "orders-pg",
            adminSecretPath: "orders-pg/config",
            adminPolicyName: "orders-pg-policy",
            adminAuthRole: "orders-login",
            syncedSecretName: "orders-pg-vault",
        });
    });
});

const cases: Case[] = [
    ["database namespace with underscore", (r) => (r.database = { namespace: "rh_bk" }), "vaultkit:database.namespace", /Kubernetes namespace/],
    ["kv mount with a slash", (r) => (r.database = { kvMount: "kv/v2" }), "vaultkit:database.kvMount", /mount path/],
    ["secret path with a wildcard", (r) => (r.database = { adminSecretPath: "keycloak/*" }), "vaultkit:database.adminSecretPath", /no wildcards/],
    ["admin token TTL too long", (r) => (r.database = { adminTokenTtl: "800h" }), "vaultkit:database.adminTokenTtl", /from 60s to 2764800s/],
    ["VSO refresh too short", (r) => (r.database = { refreshAfter: "1s" }), "vaultkit:database.refreshAfter", /from 5s/],
    ["non-default port for StackGres", (r) => (r.database = { port: 6432 }), "vaultkit:database.port", /always listens on 5432/],
    ["volume size not a quantity", (r) => (r.database = { volumeSize: "5 GB" }), "vaultkit:database.volumeSize", /quantity/],
    ["postgres minor version as a number", (r) => (r.database = { postgresVersion: 15.6 }), "vaultkit:database.postgresVersion", /as a string, like '15.6'/],
    ["postgres version out of range", (r) => (r.database = { postgresVersion: 11 }), "vaultkit:database.postgresVersion", /12 to 18/],
    ["instances as a string", (r) => (r.database = { instances: "3" }), "vaultkit:database.instances", /a number/],
    ["synced secret named like the cluster", (r) => (r.database = { syncedSecretName: "keycloak-postgresql" }), "vaultkit:database.syncedSecretName", /StackGres creates and owns/],
    ["existing database without host", (r) => (r.database = { mode: "existing" }), "vaultkit:database.host", /PostgreSQL host/],
    ["existing database without the admin password", (r) => (r.database = { mode: "existing", host: "db" }), "vaultkit:databaseAdminPassword", /password of the existing 'vault_admin' role/],
    ["admin password given for StackGres", (r) => (r.databaseAdminPassword = "0123456789abcdefgh"), "vaultkit:databaseAdminPassword", /generates it/],
    ["admin password too short", (r) => ((r.database = { mode: "existing", host: "db" }), (r.databaseAdminPassword = "short")), "vaultkit:databaseAdminPassword", /at least 16/],
    ["the admin role bound to 'default' in production", (r) => ((r.production = true), (r.vault.server = "ha"), (r.database = { adminServiceAccounts: ["default"] })), "vaultkit:database.adminServiceAccounts", /no 'default' in a stack marked production/, { vaultToken: "t" }],
];

describe("bad database input fails with the key, what was expected and what was given", () => {
    itRefusesEach(cases);
});

describe("database with vault.configure false", () => {
    it("accept an existing database with no admin password when Vault is configured elsewhere", () => {
        const raw = platformOwned();
        raw.database = { mode: "existing", host: "pg.example.com" };
        delete raw.databaseAdminPassword;
        expect(parseStackConfig("t", raw).database.mode).toBe("existing");
    });

    const refusals: Refusal[] = [
            ["StackGres without the password the Vault owner's connection uses", (r) => delete r.databaseAdminPassword, "vaultkit:databaseAdminPassword", /Vault's database connection uses for 'vault_admin'.*StackGres creates the role with it/],
            ["an existing database with a password nothing would use", (r) => (r.database = { mode: "existing", host: "pg.example.com" }), "vaultkit:databaseAdminPassword", /only Vault's database connection uses it/],
    ];
    itRefusesEachPlatformOwned(refusals);
});
