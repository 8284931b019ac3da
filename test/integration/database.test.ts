/**
 * Real-server tier: Vault's database secrets engine managing a static role on a real PostgreSQL 15,
 * set up with exactly the SQL (components/stackgres/sql.ts) and engine data
 * (components/vault/databaseSecretsData.ts) the project declares.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRoleSql, vaultAdminRoleSql } from "../../components/stackgres/sql";
import { staticRoleParams } from "../../components/vault/databaseSecretsData";
import { applyRoleSql, connectionConfig, ROTATION_PERIOD_SECONDS, teardownDatabaseEngine, type DatabaseEngineSpec } from "./support/databaseEngine";
import { integrationEnv, randomPassword, SKIP_REASON, type IntegrationEnv } from "./support/env";
import { connect, connectSuperuser, loginState, sqlState, type PgClient } from "./support/pg";
import { VaultApi } from "./support/vaultApi";

const env = integrationEnv();

const SPEC: DatabaseEngineSpec = {
    mount: "database",
    connection: "app-db",
    adminRole: "vk_vault_admin",
    adminPassword: randomPassword(),
    staticRoles: { app: "app" },
};
/** A real PostgreSQL role that is NOT in allowed_roles: Vault must refuse to manage it. */
const INTRUDER_ROLE = "vk_not_allowed";
/** A schema that belongs to someone else; the app role must not create objects in it. */
const FOREIGN_SCHEMA = "vk_foreign";
/** What the app role tries (and must fail) to create; cleaned up in case a regression lets it. */
const SNEAKY = "vk_sneaky";

const INSUFFICIENT_PRIVILEGE = "42501";
const INVALID_PASSWORD = "28P01";

describe.skipIf(!env)(env ? "vault database engine on a real PostgreSQL 15" : `vault database engine on a real PostgreSQL 15 — ${SKIP_REASON}`, () => {
    const e = env as IntegrationEnv;
    let root: VaultApi;
    let su: PgClient | undefined;

    async function staticCreds(): Promise<{ username: string; password: string }> {
        const body = await root.must("read", `${SPEC.mount}/static-creds/app`);
        return { username: body.data.username, password: body.data.password };
    }

    async function rolpassword(role: string): Promise<string | null> {
        const r = await su!.query("select rolpassword from pg_authid where rolname = $1", [role]);
        expect(r.rowCount, `role ${role} exists`).toBe(1);
        return r.rows[0].rolpassword;
    }

    beforeAll(async () => {
        root = new VaultApi(e.vaultAddr, e.vaultToken);
        su = await connectSuperuser(e);
        // Start clean even if an earlier run crashed half-way.
        await dropLeftovers();
    });

    afterAll(async () => {
        try {
            await dropLeftovers();
        } finally {
            await su?.end();
        }
    });

    async function dropLeftovers(): Promise<void> {
        if (su) {
            await su.query(`DROP SCHEMA IF EXISTS ${FOREIGN_SCHEMA} CASCADE`);
            await su.query(`DROP DATABASE IF EXISTS ${SNEAKY}`);
        }
        await teardownDatabaseEngine(root, su, SPEC, [INTRUDER_ROLE, SNEAKY]);
    }

    it("the role SQL is idempotent and creates the declared roles", async () => {
        await applyRoleSql(su!, SPEC);
        await applyRoleSql(su!, SPEC); // StackGres may re-run an SGScript: the second run must succeed too

        const roles = await su!.query(
            `select rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolpassword is not null as has_password
               from pg_authid where rolname = any($1) order by rolname`,
            [[SPEC.adminRole, "app"]],
        );
        expect(roles.rows).toEqual([
            { rolname: "app", rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolcanlogin: true, rolreplication: false, rolbypassrls: false, has_password: false },
            { rolname: SPEC.adminRole, rolsuper: false, rolcreaterole: true, rolcreatedb: false, rolcanlogin: true, rolreplication: false, rolbypassrls: false, has_password: true },
        ]);
        const schema = await su!.query(`select nspowner::regrole::text as owner from pg_namespace where nspname = 'app'`);
        expect(schema.rows).toEqual([{ owner: "app" }]);
        // The admin role's password is stored as SCRAM, and works over TCP.
        expect(await rolpassword(SPEC.adminRole)).toMatch(/^SCRAM-SHA-256\$/);
        expect(await loginState(e.pg, SPEC.adminRole, SPEC.adminPassword)).toBe("ok");
    });

    it("Vault's connection uses the non-superuser admin role and allows only the declared static role", async () => {
        await root.mountFresh(SPEC.mount, "database");
        await root.must("write", `${SPEC.mount}/config/${SPEC.connection}`, connectionConfig(e, SPEC));

        const cfg = await root.must("read", `${SPEC.mount}/config/${SPEC.connection}`);
        expect(cfg.data.connection_details.username).toBe(SPEC.adminRole);
        expect(cfg.data.connection_details.username).not.toBe(e.pg.superuser);
        expect(cfg.data.connection_details.connection_url).toContain("{{username}}:{{password}}@");
        expect(JSON.stringify(cfg)).not.toContain(SPEC.adminPassword);
        expect(cfg.data.allowed_roles).toEqual(["app"]);
    });

    it("creating the static role rotates the app password into a SCRAM verifier the app can log in with", async () => {
        expect(await rolpassword("app")).toBeNull();
        await root.must("write", `${SPEC.mount}/static-roles/app`, staticRoleParams(SPEC.connection, "app", ROTATION_PERIOD_SECONDS));

        const role = await root.must("read", `${SPEC.mount}/static-roles/app`);
        expect(role.data.username).toBe("app");
        expect(role.data.rotation_period).toBe(ROTATION_PERIOD_SECONDS);

        expect(await rolpassword("app")).toMatch(/^SCRAM-SHA-256\$/);
        const creds = await staticCreds();
        expect(creds.username).toBe("app");
        expect(creds.password.length).toBeGreaterThanOrEqual(20);

        const app = await connect(e.pg, creds.username, creds.password);
        try {
            const r = await app.query("select current_user as who, session_user as sess");
            expect(r.rows[0]).toEqual({ who: "app", sess: "app" });
        } finally {
            await app.end();
        }
    });

    it("re-running the role SQL after a rotation keeps Vault's password (no reset to none)", async () => {
        const before = await staticCreds();
        await su!.query(appRoleSql("app"));
        await su!.query(vaultAdminRoleSql(SPEC.adminRole, SPEC.adminPassword));
        expect(await loginState(e.pg, "app", before.password)).toBe("ok");
    });

    it("rotate-role invalidates the old password and the new one works", async () => {
        const old = await staticCreds();
        const verifierBefore = await rolpassword("app");
        await root.must("write", `${SPEC.mount}/rotate-role/app`, {});
        const fresh = await staticCreds();

        expect(fresh.username).toBe("app");
        expect(fresh.password).not.toBe(old.password);
        expect(await rolpassword("app")).not.toBe(verifierBefore);
        expect(await loginState(e.pg, "app", old.password)).toBe(INVALID_PASSWORD);
        expect(await loginState(e.pg, "app", fresh.password)).toBe("ok");
    });

    it("the app role cannot create roles, databases, or objects outside its own schema", async () => {
        await su!.query(`CREATE SCHEMA IF NOT EXISTS ${FOREIGN_SCHEMA}`);
        const creds = await staticCreds();
        const app = await connect(e.pg, creds.username, creds.password);
        try {
            const q = (sql: string) => () => app.query(sql);
            expect(await sqlState(q(`CREATE ROLE ${SNEAKY} LOGIN`))).toBe(INSUFFICIENT_PRIVILEGE);
            expect(await sqlState(q(`CREATE DATABASE ${SNEAKY}`))).toBe(INSUFFICIENT_PRIVILEGE);
            expect(await sqlState(q(`CREATE TABLE public.${SNEAKY} (id int)`))).toBe(INSUFFICIENT_PRIVILEGE);
            expect(await sqlState(q(`CREATE TABLE ${FOREIGN_SCHEMA}.${SNEAKY} (id int)`))).toBe(INSUFFICIENT_PRIVILEGE);
            expect(await sqlState(q("ALTER ROLE app CREATEROLE"))).toBe(INSUFFICIENT_PRIVILEGE);
            expect(await sqlState(q(`ALTER ROLE ${SPEC.adminRole} PASSWORD 'x-not-used-anywhere-x'`))).toBe(INSUFFICIENT_PRIVILEGE);
            // Control: the app can work in its own schema, so the refusals above are privileges, not a broken login.
            expect(await sqlState(q("CREATE TABLE app.notes (id int primary key, body text)"))).toBe("ok");
            expect(await sqlState(q("INSERT INTO notes VALUES (1, 'hello')"))).toBe("ok");
            const r = await app.query("select body from notes where id = 1");
            expect(r.rows).toEqual([{ body: "hello" }]);
        } finally {
            await app.end();
        }
        expect((await su!.query("select 1 from pg_roles where rolname = $1", [SNEAKY])).rowCount).toBe(0);
        expect((await su!.query("select 1 from pg_database where datname = $1", [SNEAKY])).rowCount).toBe(0);
        expect((await su!.query("select 1 from pg_class where relname = $1", [SNEAKY])).rowCount).toBe(0);
    });

    it("Vault refuses a static role that is not in allowed_roles", async () => {
        await su!.query(appRoleSql(INTRUDER_ROLE));
        const r = await root.write(`${SPEC.mount}/static-roles/${INTRUDER_ROLE}`, staticRoleParams(SPEC.connection, INTRUDER_ROLE, ROTATION_PERIOD_SECONDS));
        // Vault 1.21 answers 500 (the refusal comes from its rotation step), so only "refused" and the
        // reason are asserted; what matters is below: nothing was stored and the role was never touched.
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.errors.join(" ")).toMatch(/not an allowed role/i);

        expect((await root.read(`${SPEC.mount}/static-roles/${INTRUDER_ROLE}`)).status).toBe(404);
        expect((await root.read(`${SPEC.mount}/static-creds/${INTRUDER_ROLE}`)).status).toBeGreaterThanOrEqual(400);
        // Vault never touched it: still no password.
        expect(await rolpassword(INTRUDER_ROLE)).toBeNull();
    });
});
