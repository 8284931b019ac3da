/**
 * components/vault/databaseSecretsData.ts: the limits of what the database secrets engine is given
 * (each boundary on both sides, each refusal naming the argument and the value), and the exact paths
 * and bodies Vault receives.
 */
import { describe, expect, it } from "vitest";
import { applicationAuthRoleSpec, checkAllowedRoles, checkStaticRole, postgresConnectionUrl, rotateRootEndpointInputs, SSL_MODES, databaseConnectionInputs, staticRoleInputs } from "../../../../components/vault/databaseSecretsData";
import { stackGresPrimaryHost } from "../../../../components/stackgres/clusterSpecs";

const endpoint = { host: "pg.shop.svc.cluster.local", port: 5432, database: "orders", sslMode: "require" };
const url = (e: Partial<typeof endpoint>) => postgresConnectionUrl({ ...endpoint, ...e });

describe("postgresConnectionUrl", () => {
    it("takes ports 1 and 65535 and refuses 0, 65536 and fractions, saying what it got", () => {
        expect(url({ port: 1 })).toBe("postgresql://{{username}}:{{password}}@pg.shop.svc.cluster.local:1/orders?sslmode=require");
        expect(url({ port: 65535 })).toContain(":65535/");
        expect(() => url({ port: 0 })).toThrow("postgres port must be an integer from 1 to 65535, got 0");
        expect(() => url({ port: 65536 })).toThrow("postgres port must be an integer from 1 to 65535, got 65536");
        expect(() => url({ port: 5432.5 })).toThrow("got 5432.5");
    });

    it("refuses a host with anything but letters, digits, dots and dashes anywhere in it", () => {
        expect(url({ host: "10.0.0.7" })).toContain("@10.0.0.7:5432/");
        expect(() => url({ host: " pg" })).toThrow('postgres host must be a DNS name or IPv4 address, got " pg"');
        expect(() => url({ host: "pg/x" })).toThrow('postgres host must be a DNS name or IPv4 address, got "pg/x"');
        expect(() => url({ host: "" })).toThrow(/postgres host/);
    });

    it("takes a plain identifier as database, starting with a letter or underscore, and nothing else", () => {
        expect(url({ database: "_orders$2-b" })).toContain(":5432/_orders$2-b?sslmode=require");
        expect(() => url({ database: "2orders" })).toThrow('postgres database must be a plain identifier, got "2orders"');
        expect(() => url({ database: "orders x" })).toThrow('postgres database must be a plain identifier, got "orders x"');
        expect(() => url({ database: "orders;" })).toThrow(/postgres database/);
        expect(() => url({ database: "o" })).not.toThrow();
    });

    it.each(SSL_MODES)("takes sslmode %s", (sslMode) => {
        expect(url({ sslMode })).toMatch(new RegExp(`\\?sslmode=${sslMode}$`));
    });

    it("lists the sslmodes it takes when given another", () => {
        expect(SSL_MODES).toEqual(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]);
        expect(() => url({ sslMode: "Require" })).toThrow('postgres sslMode must be one of disable, allow, prefer, require, verify-ca, verify-full, got "Require"');
    });
});

describe("checkStaticRole", () => {
    const role = { staticRoleName: "orders", databaseUsername: "orders_rw", rotationPeriodSeconds: 86400 };

    it("takes one Vault path segment as the name and refuses anything else, naming it", () => {
        expect(() => checkStaticRole({ ...role, staticRoleName: "orders.v2_b-1" })).not.toThrow();
        expect(() => checkStaticRole({ ...role, staticRoleName: "9" })).not.toThrow();
        for (const name of [".orders", "-orders", "orders/x", "orders*", " orders", "orders ", ""]) {
            expect(() => checkStaticRole({ ...role, staticRoleName: name }), name).toThrow(
                `static role name must be one Vault path segment (letters, digits, '.', '_', '-'; no '/', '*' or spaces), got ${JSON.stringify(name)}`,
            );
        }
    });

    it("refuses the superuser, a pg_ role and an empty user, but not a name that merely starts with pg", () => {
        for (const user of ["postgres", "pg_monitor", ""]) {
            expect(() => checkStaticRole({ ...role, databaseUsername: user }), user).toThrow(
                `static role "orders": databaseUsername must be an application's role, not the superuser or a reserved pg_ role, got ${JSON.stringify(user)}`,
            );
        }
        expect(() => checkStaticRole({ ...role, databaseUsername: "pgadmin" })).not.toThrow();
        expect(() => checkStaticRole({ ...role, databaseUsername: "postgres_app" })).not.toThrow();
    });

    it("takes a rotation period of 5 s (Vault's minimum) and refuses 4 s and fractions", () => {
        expect(() => checkStaticRole({ ...role, rotationPeriodSeconds: 5 })).not.toThrow();
        expect(() => checkStaticRole({ ...role, rotationPeriodSeconds: 4 })).toThrow(
            `static role "orders": rotationPeriodSeconds must be a whole number of at least 5 (Vault's minimum), got 4`,
        );
        expect(() => checkStaticRole({ ...role, rotationPeriodSeconds: 5.5 })).toThrow(/got 5\.5$/);
    });
});

describe("checkAllowedRoles", () => {
    it("says why an empty list or a wildcard is refused", () => {
        expect(() => checkAllowedRoles([])).toThrow(
            "DatabaseSecretsEngine: allowedRoles must name at least one static role (an empty list lets no role use the connection, '*' lets every role)",
        );
        expect(() => checkAllowedRoles(["orders", "*ops"])).toThrow('DatabaseSecretsEngine: allowedRoles must not contain wildcards, got "*ops"');
    });
});

describe("paths and names", () => {
    it("builds the rotate-root call: one POST of an empty body, never read back or undone", () => {
        expect(rotateRootEndpointInputs("db-mount/rotate-root/orders-conn")).toEqual({
            path: "db-mount/rotate-root/orders-conn",
            dataJson: "{}",
            disableRead: true,
            disableDelete: true,
        });
    });

    it("names the application's auth role after its static role unless told otherwise", () => {
        const spec = { databaseMount: "m", connectionName: "c", staticRoleName: "orders", databaseUsername: "orders_rw", rotationPeriodSeconds: 60, serviceAccountNames: ["orders-sa"], namespaces: ["shop"] };
        expect(applicationAuthRoleSpec(spec)).toEqual({
            name: "orders",
            serviceAccountNames: ["orders-sa"],
            namespaces: ["shop"],
            policies: ["orders-database-creds"],
            audience: undefined,
            tokenTtlSeconds: 3600,
        });
    });
});

describe("database engine data", () => {
    it("builds the seed's connection URL template with no credentials in it", () => {
        const url = postgresConnectionUrl({ host: stackGresPrimaryHost("keycloak-postgresql", "rhbk"), port: 5432, database: "postgres", sslMode: "disable" });
        expect(url).toBe("postgresql://{{username}}:{{password}}@keycloak-postgresql.rhbk.svc.cluster.local:5432/postgres?sslmode=disable");
    });

    it("rejects hosts, ports and databases that would break the URL", () => {
        const ok = { host: "db", port: 5432, database: "postgres", sslMode: "disable" as const };
        expect(() => postgresConnectionUrl({ ...ok, host: "db@evil" })).toThrow(/host/);
        expect(() => postgresConnectionUrl({ ...ok, port: 70000 })).toThrow(/port/);
        expect(() => postgresConnectionUrl({ ...ok, database: "x?sslmode=disable" })).toThrow(/database/);
        expect(() => postgresConnectionUrl({ ...ok, sslMode: "strict" })).toThrow(/sslMode must be one of/);
    });

    // Every name differs from the others, so a builder that takes the wrong one shows.
    const access = {
        databaseMount: "db-mount",
        connectionName: "orders-conn",
        staticRoleName: "orders",
        databaseUsername: "orders_rw",
        rotationPeriodSeconds: 86400,
        serviceAccountNames: ["orders-sa"],
        namespaces: ["shop"],
        audience: "https://kubernetes.default.svc",
        tokenTtlSeconds: 600,
    };

    it("builds the static role of database_secret.sh: named after the application, rotating its database role", () => {
        expect(staticRoleInputs(access)).toEqual({ backend: "db-mount", name: "orders", dbName: "orders-conn", username: "orders_rw", rotationPeriod: 86400 });
        expect(() => staticRoleInputs({ ...access, databaseUsername: "postgres" })).toThrow(/superuser/);
    });

    it("binds the application's auth role to its service account and namespace, with the policy named after its static role", () => {
        expect(applicationAuthRoleSpec(access)).toEqual({
            name: "orders",
            serviceAccountNames: ["orders-sa"],
            namespaces: ["shop"],
            policies: ["orders-database-creds"],
            audience: "https://kubernetes.default.svc",
            tokenTtlSeconds: 600,
        });
        expect(applicationAuthRoleSpec({ ...access, authRoleName: "orders-login", tokenTtlSeconds: undefined })).toMatchObject({ name: "orders-login", tokenTtlSeconds: 3600 });
    });

    it("builds the connection: the postgres plugin, verified on write, only the named roles, SCRAM hashing", () => {
        const endpoint = { host: "pg.shop.svc.cluster.local", port: 5432, database: "postgres", sslMode: "require" };
        expect(databaseConnectionInputs({ mount: "db-mount", connectionName: "orders-conn", endpoint, username: "vault_admin", password: "pw", allowedRoles: ["orders"] })).toEqual({
            backend: "db-mount",
            name: "orders-conn",
            pluginName: "postgresql-database-plugin",
            allowedRoles: ["orders"],
            verifyConnection: true,
            postgresql: {
                connectionUrl: "postgresql://{{username}}:{{password}}@pg.shop.svc.cluster.local:5432/postgres?sslmode=require",
                username: "vault_admin",
                password: "pw",
                passwordAuthentication: "scram-sha-256",
            },
        });
        expect(() => databaseConnectionInputs({ mount: "m", connectionName: "c", endpoint, username: "u", password: "p", allowedRoles: ["*"] })).toThrow(/wildcards/);
    });

    it("refuses allowed_roles '*' and an empty list", () => {
        expect(() => checkAllowedRoles(["*"])).toThrow(/wildcards/);
        expect(() => checkAllowedRoles(["app", "team-*"])).toThrow(/wildcards/);
        expect(() => checkAllowedRoles([])).toThrow(/at least one/);
        expect(() => checkAllowedRoles(["app"])).not.toThrow();
    });
});
