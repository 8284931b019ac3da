/**
 * Real-server tier: the database connection as DatabaseSecretsEngine writes it for a stack with the
 * default `database.sslMode` (`require`) and `password_authentication=scram-sha-256`, on a real
 * PostgreSQL (15 to 18) that serves TLS with a self-signed certificate, as StackGres does.
 *
 * - Vault's own sessions to PostgreSQL are encrypted (pg_stat_ssl), and the connection URL is the
 *   one the stack builds for the StackGres `<cluster>` Service shape.
 * - Vault hashes the passwords it sets: with the Vault admin role's sessions told to hash with md5
 *   on the server side, the stored verifier is still SCRAM, so the SQL carried a SCRAM verifier and
 *   never the password. A connection with the plugin's default (`password`) gets md5: the control
 *   (the declared connection with only `password_authentication` changed).
 * - With that, Vault still creates and rotates the static role, and the app logs in over TLS with
 *   each password, the old one refused after the rotation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresConnectionUrl } from "../../components/vault/databaseSecretsData";
import { parseStackConfig } from "../../stacks/config";
import {
    adminRole,
    applyRoleSql,
    connectionInputs,
    connectionName,
    engineMount,
    provisionDatabaseEngine,
    staticRoleWrites,
    teardownDatabaseEngine,
    type DatabaseEngineSpec,
} from "./support/databaseEngine";
import { integrationEnv, pgTitle, randomPassword, SKIP_REASON, type IntegrationEnv } from "./support/env";
import { connectSuperuser, loginState, type PgClient, rolpassword } from "./support/pg";
import { VaultApi } from "./support/vaultApi";
import { connectionWrite } from "./support/vaultResources";

const env = integrationEnv();

/** A stack that leaves sslMode to its default; the names come from its parsed config. */
function stack(name: string, database: Record<string, unknown>, app: Record<string, unknown>) {
    return parseStackConfig(name, { platform: "kubernetes", vault: { address: "http://127.0.0.1:8200" }, database, applications: [app] });
}
const CONFIG = stack(
    "db-connection",
    { vaultAdminRole: "vk_conn_vault_admin", databaseMount: "database-conn" },
    { name: "orders", namespace: "shop", serviceAccount: "orders-api", databaseRole: "vk_conn_orders" },
);
const APP = CONFIG.applications[0]!;
const SPEC: DatabaseEngineSpec = { config: CONFIG, adminPassword: randomPassword() };

/** Another stack's engine, written with the plugin's default password handling: Vault sends the password in clear. */
const CONTROL: DatabaseEngineSpec = {
    config: stack(
        "db-connection-control",
        { vaultAdminRole: "vk_conn_control_admin", databaseMount: "database-conn-control" },
        { name: "control", namespace: "ctl", serviceAccount: "control-sa", databaseRole: "vk_conn_control_app" },
    ),
    adminPassword: randomPassword(),
};
const CONTROL_APP = CONTROL.config.applications[0]!;
const INVALID_PASSWORD = "28P01";

describe.skipIf(!env)(env ? `the database connection Vault writes: TLS and SCRAM on a real ${pgTitle()}` : `database connection — ${SKIP_REASON}`, () => {
    const e = env as IntegrationEnv;
    let root: VaultApi;
    let su: PgClient | undefined;
    let checks = 0;

    function check<T>(actual: T, message?: string) {
        checks++;
        return expect(actual, message);
    }

    async function creds(spec: DatabaseEngineSpec, name: string): Promise<string> {
        return (await root.must("read", `${engineMount(spec)}/static-creds/${name}`)).data.password;
    }

    beforeAll(async () => {
        root = new VaultApi(e.vaultAddr, e.vaultToken);
        su = await connectSuperuser(e);
        await teardownDatabaseEngine(root, su, SPEC);
        await teardownDatabaseEngine(root, su, CONTROL);
        // Server-side hashing for every session of the two admin roles would give md5: only a
        // verifier computed by Vault can come out SCRAM. Set before Vault opens any session.
        for (const spec of [SPEC, CONTROL]) {
            await su.query(`CREATE ROLE ${adminRole(spec)}`);
            await su.query(`ALTER ROLE ${adminRole(spec)} SET password_encryption = 'md5'`);
        }
        await provisionDatabaseEngine(root, su, e, SPEC);
        // The control: the declared connection with only password_authentication changed.
        await applyRoleSql(su, CONTROL);
        await root.mountFresh(engineMount(CONTROL), "database");
        const declared = connectionInputs(e, CONTROL);
        const control = connectionWrite({ ...declared, postgresql: { ...declared.postgresql, passwordAuthentication: "password" } });
        await root.must("write", control.path, control.body);
        for (const w of staticRoleWrites(CONTROL)) {
            await root.must("write", w.path, w.body);
        }
    });

    afterAll(async () => {
        console.log(`[integration] database connection: ${checks} checks`);
        try {
            await teardownDatabaseEngine(root, su, SPEC);
            await teardownDatabaseEngine(root, su, CONTROL);
        } finally {
            await su?.end();
        }
    });

    it("is written as the stack declares it: sslmode=require by default, scram-sha-256", async () => {
        check(CONFIG.database.sslMode).toBe("require");
        check(connectionWrite(connectionInputs(e, SPEC)).body).toMatchObject({ password_authentication: "scram-sha-256" });
        const conn = (await root.must("read", `${engineMount(SPEC)}/config/${connectionName(SPEC)}`)).data;
        check(conn.connection_details.connection_url).toBe(
            postgresConnectionUrl({ host: e.pg.host, port: e.pg.port, database: e.pg.database, sslMode: "require" }),
        );
        check(conn.connection_details.password_authentication).toBe("scram-sha-256");
        check(JSON.stringify(conn)).not.toContain(SPEC.adminPassword);
        check((await root.must("read", `${engineMount(CONTROL)}/config/${connectionName(CONTROL)}`)).data.connection_details.password_authentication).toBe("password");
    });

    it("Vault's sessions to PostgreSQL are encrypted", async () => {
        // A rotation makes sure the pool holds a live session right now.
        await root.must("write", `${engineMount(SPEC)}/rotate-role/${APP.name}`, {});
        const r = await su!.query(
            "select s.ssl, s.version from pg_stat_activity a join pg_stat_ssl s on s.pid = a.pid where a.usename = $1",
            [adminRole(SPEC)],
        );
        check(r.rowCount, "Vault holds at least one session as the admin role").toBeGreaterThan(0);
        for (const row of r.rows) {
            check(row.ssl, "session encrypted").toBe(true);
            check(row.version).toMatch(/^TLSv1\.[23]$/);
        }
    });

    it("stores a SCRAM verifier computed by Vault, where the control connection's clear password became md5", async () => {
        await root.must("write", `${engineMount(SPEC)}/rotate-role/${APP.name}`, {});
        await root.must("write", `${engineMount(CONTROL)}/rotate-role/${CONTROL_APP.name}`, {});
        check(await rolpassword(su!, APP.databaseRole)).toMatch(/^SCRAM-SHA-256\$4096:/);
        check(await rolpassword(su!, CONTROL_APP.databaseRole)).toMatch(/^md5[0-9a-f]{32}$/);
    });

    it("creates and rotates the static role; the app logs in over TLS with each password, the old one refused", async () => {
        const role = (await root.must("read", `${engineMount(SPEC)}/static-roles/${APP.name}`)).data;
        check(role).toMatchObject({ username: APP.databaseRole, db_name: connectionName(SPEC), rotation_period: APP.rotationPeriod });
        const before = await creds(SPEC, APP.name);
        check(await loginState(e.pg, APP.databaseRole, before, "require")).toBe("ok");
        await root.must("write", `${engineMount(SPEC)}/rotate-role/${APP.name}`, {});
        const after = await creds(SPEC, APP.name);
        check(after).not.toBe(before);
        check(await loginState(e.pg, APP.databaseRole, after, "require")).toBe("ok");
        check(await loginState(e.pg, APP.databaseRole, before, "require")).toBe(INVALID_PASSWORD);
    });
});
