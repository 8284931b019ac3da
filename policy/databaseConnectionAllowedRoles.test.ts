import { describe, expect, it } from "vitest";
import { databaseConnectionAllowedRoles as policy } from "./policies";
import { allowedRolesProblems, connectionUrlProblems } from "./rules/databaseConnectionAllowedRoles";
import { preview, T, UNKNOWN, violations } from "./testing";

const pg = { connectionUrl: "postgresql://{{username}}:{{password}}@keycloak-postgresql-primary.rhbk.svc.cluster.local:5432/postgres?sslmode=disable", username: "vault_admin", password: "s3cr3t-generated" };

describe("vault-database-connection-explicit-allowed-roles", () => {
    it("is mandatory", () => {
        expect(policy.enforcementLevel).toBe("mandatory");
    });

    it("accepts a connection with explicit roles and a templated URL", async () => {
        expect(await violations(policy, { type: T.connection, props: { backend: "database", name: "keycloak-postgresql", allowedRoles: ["app", "reports"], postgresql: pg } })).toEqual([]);
    });

    it("rejects '*' and glob patterns", async () => {
        const star = await violations(policy, { type: T.connection, name: "conn", props: { allowedRoles: ["*"], postgresql: pg } });
        expect(star).toEqual([expect.stringMatching(/Database connection 'conn' allows role pattern '\*'/)]);
        const glob = await violations(policy, { type: T.connection, props: { allowedRoles: ["app", "team-*"], postgresql: pg } });
        expect(glob).toEqual([expect.stringMatching(/allows role pattern 'team-\*'/)]);
    });

    it("rejects missing and empty allowedRoles", async () => {
        expect(await violations(policy, { type: T.connection, props: { postgresql: pg } })).toEqual([expect.stringMatching(/has no allowedRoles/)]);
        expect(await violations(policy, { type: T.connection, props: { allowedRoles: [], postgresql: pg } })).toEqual([expect.stringMatching(/empty allowedRoles/)]);
    });

    it("rejects a literal password in the connection URL", async () => {
        const v = await violations(policy, { type: T.connection, props: { allowedRoles: ["app"], postgresql: { connectionUrl: "postgresql://vault:hunter2@db:5432/postgres" } } });
        expect(v).toEqual([expect.stringMatching(/embeds a literal password in its connection URL/)]);
    });

    it("checks every connection block of a SecretsMount", async () => {
        const props = {
            path: "database",
            postgresqls: [
                { name: "ok", allowedRoles: ["app"], connectionUrl: pg.connectionUrl },
                { name: "wide", allowedRoles: ["*"], connectionUrl: pg.connectionUrl },
            ],
            mysqls: [{ name: "none", connectionUrl: "{{username}}:{{password}}@tcp(db:3306)/" }],
        };
        const v = await violations(policy, { type: T.secretsMount, name: "db", props });
        expect(v).toHaveLength(2);
        expect(v[0]).toMatch(/postgresqls\[1\] \(wide\) allows role pattern '\*'/);
        expect(v[1]).toMatch(/mysqls\[0\] \(none\) has no allowedRoles/);
    });

    it("checks database config written through a generic endpoint", async () => {
        const bad = { path: "database/config/keycloak-postgresql", dataJson: JSON.stringify({ plugin_name: "postgresql-database-plugin", allowed_roles: "*", connection_url: pg.connectionUrl }) };
        expect(await violations(policy, { type: T.endpoint, props: bad })).toEqual([expect.stringMatching(/allows role pattern '\*'/)]);
        const good = { path: "database/config/keycloak-postgresql", dataJson: JSON.stringify({ plugin_name: "postgresql-database-plugin", allowed_roles: "app,reports", connection_url: pg.connectionUrl }) };
        expect(await violations(policy, { type: T.endpoint, props: good })).toEqual([]);
        const kv = { path: "kv-v2/data/config/app", dataJson: JSON.stringify({ data: { allowed_roles: "*" } }) };
        expect(await violations(policy, { type: T.endpoint, props: kv })).toEqual([]);
    });

    it("ignores other resource types", async () => {
        expect(await violations(policy, { type: T.mount, props: { path: "database", type: "database" } })).toEqual([]);
    });

    it("does not guess when allowedRoles is unknown during preview", async () => {
        await expect(violations(policy, { type: T.connection, props: preview({ allowedRoles: UNKNOWN.array, postgresql: pg }) })).rejects.toThrow(/can't be known during preview/);
    });

    it("pure helpers", () => {
        expect(allowedRolesProblems(["a"])).toEqual([]);
        expect(allowedRolesProblems("a, b")).toEqual([]);
        expect(allowedRolesProblems(" , ")).toEqual([expect.stringMatching(/empty/)]);
        expect(allowedRolesProblems(42)).toEqual([expect.stringMatching(/expected a list/)]);
        expect(allowedRolesProblems(["a", ""])).toEqual([expect.stringMatching(/invalid allowedRoles entry ""/)]);
        expect(connectionUrlProblems("postgresql://{{username}}:{{password}}@h/db")).toEqual([]);
        expect(connectionUrlProblems("postgresql://user@h/db")).toEqual([]);
        expect(connectionUrlProblems("postgresql://user:pw@h/db")).toHaveLength(1);
    });
});
