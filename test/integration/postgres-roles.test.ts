/**
 * Real-server tier: what the role SQL (components/stackgres/sql.ts, run as the SGScript entries of
 * rolesScriptSpec) does that depends on the PostgreSQL major; scripts/test-integration.sh runs this file
 * on 15 (Debian) and on 16, 17 and 18.
 *
 * - On 16+ CREATEROLE alone no longer lets the Vault admin role alter another role, so the script grants
 *   it each managed role `WITH ADMIN OPTION, INHERIT FALSE, SET FALSE`: the admin may change the role's
 *   password (what Vault does) but never acts with the application's privileges, and cannot touch a role
 *   it was not granted. On 15 nothing is granted and CREATEROLE suffices.
 * - `REVOKE CREATE ON SCHEMA public FROM PUBLIC`: PostgreSQL 15+ already denies that on a new database,
 *   so the case that proves the line is a database whose public schema still grants CREATE to PUBLIC, as
 *   every database created before 15 did and as pg_upgrade or a restored dump of one keeps it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { parseStackConfig } from "../../stacks/config";
import { adminRole, applyRoleSql, managedRoles, roleScripts, teardownDatabaseEngine, type DatabaseEngineSpec } from "./support/databaseEngine";
import { expectedPgMajor, integrationEnv, pgTitle, randomPassword, SKIP_REASON, type IntegrationEnv } from "./support/env";
import { connect, connectSuperuser, sqlState, type PgClient } from "./support/pg";

const env = integrationEnv();

/** Two applications; application, database role, service account and namespace differ throughout. */
const CONFIG = parseStackConfig("postgres-roles-it", {
    platform: "kubernetes",
    vault: { address: "http://127.0.0.1:8200" },
    database: { vaultAdminRole: "vk_pgr_vault_admin", databaseMount: "database-pgr-it" },
    applications: [
        { name: "billing", namespace: "finance", serviceAccount: "billing-api", databaseRole: "vk_pgr_billing_rw" },
        { name: "audit", namespace: "compliance", serviceAccount: "audit-reader", databaseRole: "vk_pgr_audit_rw" },
    ],
});
const SPEC: DatabaseEngineSpec = { config: CONFIG, adminPassword: randomPassword() };
const ADMIN = adminRole(SPEC);
const [BILLING, AUDIT] = managedRoles(SPEC) as [string, string];
/** A role the stack does not manage (another team's, say): on 16+ the admin role cannot alter it. */
const UNMANAGED = "vk_pgr_unmanaged";
/** Someone else with a login, for the public-schema control. */
const BYSTANDER = "vk_pgr_bystander";
/** A database whose public schema keeps the pre-15 default (CREATE for PUBLIC). */
const LEGACY_DB = "vk_pgr_legacy_public";

const INSUFFICIENT_PRIVILEGE = "42501";

describe.skipIf(!env)(env ? `role SQL on a real ${pgTitle()}: the 16+ grant and the public schema` : `role SQL on a real PostgreSQL — ${SKIP_REASON}`, () => {
    const e = env as IntegrationEnv;
    let su: PgClient | undefined;
    let major = 0;
    const passwords: Record<string, string> = {};
    let checks = 0;

    function check<T>(actual: T, message?: string) {
        checks++;
        return expect(actual, message);
    }

    /** Logs in as `role` (password set by the test) to `database`, runs `fn`, disconnects. */
    async function as<T>(role: string, fn: (c: PgClient) => Promise<T>, database = e.pg.database): Promise<T> {
        const c = await connect({ ...e.pg, database }, role, passwords[role]!);
        try {
            return await fn(c);
        } finally {
            await c.end();
        }
    }

    async function dropLeftovers(): Promise<void> {
        if (!su) return;
        await su.query(`DROP DATABASE IF EXISTS ${LEGACY_DB}`);
        await teardownDatabaseEngine(undefined, su, SPEC, [UNMANAGED, BYSTANDER]);
    }

    beforeAll(async () => {
        su = await connectSuperuser(e);
        await dropLeftovers();
        major = Math.floor(Number((await su.query("select current_setting('server_version_num') as v")).rows[0].v) / 10000);

        await applyRoleSql(su, SPEC);
        await su.query(`CREATE ROLE ${UNMANAGED} LOGIN`);
        await su.query(`CREATE ROLE ${BYSTANDER} LOGIN`);
        passwords[ADMIN] = SPEC.adminPassword;
        // Vault would set the applications' passwords; here the superuser does, to log in as them.
        for (const role of [BILLING, AUDIT, UNMANAGED, BYSTANDER]) {
            passwords[role] = randomPassword();
            await su.query(`ALTER ROLE ${role} PASSWORD ${pg.escapeLiteral(passwords[role]!)}`);
        }
        // Data only billing may read: a table it owns, in its own schema.
        await su.query(`CREATE TABLE ${BILLING}.invoices (id int primary key, amount int)`);
        await su.query(`INSERT INTO ${BILLING}.invoices VALUES (1, 100)`);
        await su.query(`ALTER TABLE ${BILLING}.invoices OWNER TO ${BILLING}`);
    });

    afterAll(async () => {
        console.log(`[integration] role SQL on PostgreSQL ${major}: ${checks} checks`);
        try {
            await dropLeftovers();
        } finally {
            await su?.end();
        }
    });

    it("runs on the PostgreSQL major the tier started", async () => {
        const expected = expectedPgMajor();
        if (process.env.VAULTKIT_INTEGRATION_REQUIRED === "1") {
            check(expected, "VAULTKIT_PG_MAJOR (printed by scripts/postgres-test-server.sh env)").toBeDefined();
        }
        if (expected !== undefined) {
            check(major).toBe(expected);
        }
        check(major).toBeGreaterThanOrEqual(15);
    });

    it("grants the admin role each managed role with ADMIN OPTION only on 16+, nothing on 15", async () => {
        if (major >= 16) {
            const r = await su!.query(
                `select m.roleid::regrole::text as role, m.admin_option, m.inherit_option, m.set_option
                   from pg_auth_members m where m.member = $1::regrole order by 1`,
                [ADMIN],
            );
            check(r.rows).toEqual(
                [AUDIT, BILLING].sort().map((role) => ({ role, admin_option: true, inherit_option: false, set_option: false })),
            );
        } else {
            const r = await su!.query("select m.roleid::regrole::text as role from pg_auth_members m where m.member = $1::regrole", [ADMIN]);
            check(r.rows).toEqual([]);
            check(roleScripts(SPEC).some((sql) => sql.includes("160000")), "the grant entry is in the script, gated on the server version").toBe(true);
        }
    });

    it("the admin role can change a managed role's password (what Vault does) on every major", async () => {
        for (const role of [BILLING, AUDIT]) {
            const fresh = randomPassword();
            check(await as(ADMIN, (c) => sqlState(() => c.query(`ALTER ROLE ${role} PASSWORD ${pg.escapeLiteral(fresh)}`))), role).toBe("ok");
            passwords[role] = fresh;
            check(await as(role, (c) => sqlState(() => c.query("select 1"))), `${role} logs in with the new password`).toBe("ok");
        }
    });

    it("the admin role never acts with an application's privileges: no reading its data, no SET ROLE", async () => {
        // Control: the owner reads it, so the refusals below are privileges.
        check(await as(BILLING, async (c) => (await c.query(`select amount from ${BILLING}.invoices`)).rows)).toEqual([{ amount: 100 }]);
        await as(ADMIN, async (c) => {
            check(await sqlState(() => c.query(`select amount from ${BILLING}.invoices`)), "admin reads billing's table").toBe(INSUFFICIENT_PRIVILEGE);
            check(await sqlState(() => c.query(`SET ROLE ${BILLING}`)), "admin SET ROLE billing").toBe(INSUFFICIENT_PRIVILEGE);
            check(await sqlState(() => c.query(`CREATE TABLE ${BILLING}.planted (id int)`)), "admin creates in billing's schema").toBe(INSUFFICIENT_PRIVILEGE);
            // USAGE: the role's privileges are the admin's without SET ROLE (what INHERIT would give).
            const r = await c.query("select pg_has_role(current_user, $1, 'USAGE') as usage", [BILLING]);
            check(r.rows).toEqual([{ usage: false }]);
        });
    });

    it("on 16+ the admin role cannot alter a role it does not manage; on 15 CREATEROLE still can", async () => {
        const state = await as(ADMIN, (c) => sqlState(() => c.query(`ALTER ROLE ${UNMANAGED} PASSWORD ${pg.escapeLiteral(randomPassword())}`)));
        check(state).toBe(major >= 16 ? INSUFFICIENT_PRIVILEGE : "ok");
    });

    it("no CREATE on public for anyone, even in a database whose public schema still grants it to PUBLIC (the pre-15 default)", async () => {
        await su!.query(`CREATE DATABASE ${LEGACY_DB}`);
        const legacy = await connect({ ...e.pg, database: LEGACY_DB }, e.pg.superuser, e.pg.superuserPassword);
        try {
            await legacy.query("GRANT CREATE ON SCHEMA public TO PUBLIC");
            // Control: the old default really is back; any role may create in public.
            check(await as(BYSTANDER, (c) => sqlState(() => c.query("CREATE TABLE public.bystander_before (id int)")), LEGACY_DB), "before the role SQL").toBe("ok");
            check(await as(BILLING, (c) => sqlState(() => c.query("CREATE TABLE public.billing_before (id int)")), LEGACY_DB), "before the role SQL").toBe("ok");
            await legacy.query("DROP TABLE public.bystander_before, public.billing_before");

            // StackGres runs the script in this database.
            await applyRoleSql(legacy, SPEC);
        } finally {
            await legacy.end();
        }
        for (const role of [BILLING, AUDIT, BYSTANDER]) {
            check(await as(role, (c) => sqlState(() => c.query(`CREATE TABLE public.${role}_after (id int)`)), LEGACY_DB), `${role} creates in public`).toBe(INSUFFICIENT_PRIVILEGE);
        }
        // Control: the application still works in its own schema there.
        check(await as(BILLING, (c) => sqlState(() => c.query(`CREATE TABLE ${BILLING}.ledger (id int)`)), LEGACY_DB)).toBe("ok");
    });
});
