/**
 * Real-server tier: Vault's database secrets engine managing a static role on a real PostgreSQL (15, and
 * 16-18 in scripts/test-integration.sh's matrix), set up from a parsed stack config through the code the
 * components use (support/databaseEngine.ts): the SGScript's role SQL, the connection DatabaseSecretsEngine
 * declares and the static role ApplicationDatabaseAccess declares. The application's name, database role,
 * service account and namespace all differ, so `allowed_roles` naming database roles instead of static
 * roles (or a static role rotating the wrong PostgreSQL role) fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRoleSql } from "../../components/stackgres/sql";
import { staticRoleInputs } from "../../components/vault/databaseSecretsData";
import { parseStackConfig } from "../../stacks/config";
import {
    adminRole,
    applicationAccess,
    applyRoleSql,
    connectionInputs,
    connectionName,
    engineMount,
    teardownDatabaseEngine,
    type DatabaseEngineSpec,
} from "./support/databaseEngine";
import { integrationEnv, pgTitle, randomPassword, SKIP_REASON, type IntegrationEnv } from "./support/env";
import { connect, connectSuperuser, loginState, sqlState, type PgClient } from "./support/pg";
import { VaultApi } from "./support/vaultApi";
import { connectionWrite, staticRoleWrite } from "./support/vaultResources";

const env = integrationEnv();

/** One application whose every name differs from the others. */
const CONFIG = parseStackConfig("database-it", {
    platform: "kubernetes",
    vault: { address: "http://127.0.0.1:8200" },
    database: { vaultAdminRole: "vk_db_vault_admin", databaseMount: "database-db-it", connectionName: "vk-db-conn" },
    applications: [{ name: "ledger", namespace: "finance", serviceAccount: "ledger-api", databaseRole: "vk_ledger_rw" }],
});
const APP = CONFIG.applications[0]!;
const SPEC: DatabaseEngineSpec = { config: CONFIG, adminPassword: randomPassword() };
const MOUNT = engineMount(SPEC);
const ADMIN = adminRole(SPEC);
const PG_ROLE = APP.databaseRole;

/** A real PostgreSQL role that is NOT in allowed_roles: Vault must refuse to manage it. */
const INTRUDER_ROLE = "vk_not_allowed";
/** A schema that belongs to someone else; the app role must not create objects in it. */
const FOREIGN_SCHEMA = "vk_foreign";
/** What the app role tries (and must fail) to create; cleaned up in case a regression lets it. */
const SNEAKY = "vk_sneaky";

const INSUFFICIENT_PRIVILEGE = "42501";
const INVALID_PASSWORD = "28P01";

describe.skipIf(!env)(env ? `vault database engine on a real ${pgTitle()}` : `vault database engine on a real PostgreSQL — ${SKIP_REASON}`, () => {
    const e = env as IntegrationEnv;
    let root: VaultApi;
    let su: PgClient | undefined;

    async function staticCreds(): Promise<{ username: string; password: string }> {
        const body = await root.must("read", `${MOUNT}/static-creds/${APP.name}`);
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
            [[ADMIN, PG_ROLE, APP.name]],
        );
        expect(roles.rows).toEqual([
            { rolname: ADMIN, rolsuper: false, rolcreaterole: true, rolcreatedb: false, rolcanlogin: true, rolreplication: false, rolbypassrls: false, has_password: true },
            { rolname: PG_ROLE, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolcanlogin: true, rolreplication: false, rolbypassrls: false, has_password: false },
        ]);
        const schema = await su!.query(`select nspowner::regrole::text as owner from pg_namespace where nspname = $1`, [PG_ROLE]);
        expect(schema.rows).toEqual([{ owner: PG_ROLE }]);
        // The admin role's password is stored as SCRAM, and works over TCP.
        expect(await rolpassword(ADMIN)).toMatch(/^SCRAM-SHA-256\$/);
        expect(await loginState(e.pg, ADMIN, SPEC.adminPassword)).toBe("ok");
    });

    it("Vault's connection uses the non-superuser admin role and allows exactly the application's static role", async () => {
        await root.mountFresh(MOUNT, "database");
        const w = connectionWrite(connectionInputs(e, SPEC));
        await root.must("write", w.path, w.body);

        const cfg = await root.must("read", `${MOUNT}/config/${connectionName(SPEC)}`);
        expect(cfg.data.plugin_name).toBe("postgresql-database-plugin");
        expect(cfg.data.verify_connection).toBe(true);
        expect(cfg.data.connection_details.username).toBe(ADMIN);
        expect(cfg.data.connection_details.username).not.toBe(e.pg.superuser);
        expect(cfg.data.connection_details.connection_url).toContain("{{username}}:{{password}}@");
        expect(JSON.stringify(cfg)).not.toContain(SPEC.adminPassword);
        expect(cfg.data.allowed_roles).toEqual(["ledger"]);
    });

    it("Vault refuses the connection when PostgreSQL refuses its login (verify_connection)", async () => {
        const inputs = connectionInputs(e, { ...SPEC, adminPassword: randomPassword() });
        const w = connectionWrite({ ...inputs, name: "vk-db-conn-wrong-password" });
        const r = await root.write(w.path, w.body);
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.errors.join(" ")).toMatch(/password authentication failed/i);
        expect((await root.read(`${MOUNT}/config/vk-db-conn-wrong-password`)).status).toBe(404);
    });

    it("creating the static role rotates the database role's password into a SCRAM verifier it can log in with", async () => {
        expect(await rolpassword(PG_ROLE)).toBeNull();
        const w = staticRoleWrite(staticRoleInputs(applicationAccess(SPEC, APP)));
        expect(w.path).toBe(`${MOUNT}/static-roles/ledger`);
        await root.must("write", w.path, w.body);

        const role = await root.must("read", `${MOUNT}/static-roles/${APP.name}`);
        expect(role.data.username).toBe(PG_ROLE);
        expect(role.data.db_name).toBe(connectionName(SPEC));
        expect(role.data.rotation_period).toBe(APP.rotationPeriod);

        expect(await rolpassword(PG_ROLE)).toMatch(/^SCRAM-SHA-256\$/);
        const creds = await staticCreds();
        expect(creds.username).toBe(PG_ROLE);
        expect(creds.password.length).toBeGreaterThanOrEqual(20);

        const app = await connect(e.pg, creds.username, creds.password);
        try {
            const r = await app.query("select current_user as who, session_user as sess");
            expect(r.rows[0]).toEqual({ who: PG_ROLE, sess: PG_ROLE });
        } finally {
            await app.end();
        }
    });

    it("re-running the role SQL after a rotation keeps Vault's password (no reset to none)", async () => {
        const before = await staticCreds();
        await applyRoleSql(su!, SPEC);
        expect(await loginState(e.pg, PG_ROLE, before.password)).toBe("ok");
    });

    it("rotate-role invalidates the old password and the new one works", async () => {
        const old = await staticCreds();
        const verifierBefore = await rolpassword(PG_ROLE);
        await root.must("write", `${MOUNT}/rotate-role/${APP.name}`, {});
        const fresh = await staticCreds();

        expect(fresh.username).toBe(PG_ROLE);
        expect(fresh.password).not.toBe(old.password);
        expect(await rolpassword(PG_ROLE)).not.toBe(verifierBefore);
        expect(await loginState(e.pg, PG_ROLE, old.password)).toBe(INVALID_PASSWORD);
        expect(await loginState(e.pg, PG_ROLE, fresh.password)).toBe("ok");
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
            expect(await sqlState(q(`ALTER ROLE ${PG_ROLE} CREATEROLE`))).toBe(INSUFFICIENT_PRIVILEGE);
            expect(await sqlState(q(`ALTER ROLE ${ADMIN} PASSWORD 'x-not-used-anywhere-x'`))).toBe(INSUFFICIENT_PRIVILEGE);
            // Control: the app can work in its own schema, so the refusals above are privileges, not a broken login.
            expect(await sqlState(q(`CREATE TABLE ${PG_ROLE}.notes (id int primary key, body text)`))).toBe("ok");
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

    it("Vault refuses a static role that is not in allowed_roles: one named after the database role, and another role", async () => {
        await su!.query(appRoleSql(INTRUDER_ROLE));
        const access = applicationAccess(SPEC, APP);
        // What `allowed_roles` listing database roles would need: a static role named after the database role.
        for (const [staticRoleName, databaseUsername] of [
            [PG_ROLE, PG_ROLE],
            [INTRUDER_ROLE, INTRUDER_ROLE],
        ]) {
            const w = staticRoleWrite(staticRoleInputs({ ...access, staticRoleName, databaseUsername }));
            const before = await rolpassword(databaseUsername);
            const r = await root.write(w.path, w.body);
            // Vault 1.21 answers 500 (the refusal comes from its rotation step), so only "refused" and the
            // reason are asserted; what matters is below: nothing was stored and the role was never touched.
            expect(r.status, staticRoleName).toBeGreaterThanOrEqual(400);
            expect(r.errors.join(" ")).toMatch(/not an allowed role/i);
            expect((await root.read(`${MOUNT}/static-roles/${staticRoleName}`)).status).toBe(404);
            expect((await root.read(`${MOUNT}/static-creds/${staticRoleName}`)).status).toBeGreaterThanOrEqual(400);
            expect(await rolpassword(databaseUsername)).toBe(before);
        }
        // Vault never touched it: still no password.
        expect(await rolpassword(INTRUDER_ROLE)).toBeNull();
    });
});
