/** PostgreSQL helpers for the integration tier (the `pg` driver, real server from scripts/postgres-test-server.sh). */
import pg from "pg";
import type { IntegrationEnv, PgEndpoint } from "./env";

export type PgClient = pg.Client;

/**
 * libpq's `sslmode` as far as the tests use it: `disable`, or `require` (TLS, the server's
 * certificate not verified, as libpq's `require` does).
 */
export type TestSslMode = "disable" | "require";

/** Connects as `user`; always explicit credentials, so PGUSER/PGPASSWORD from the env never leak in. */
export async function connect(ep: PgEndpoint, user: string, password: string, sslMode: TestSslMode = "disable"): Promise<pg.Client> {
    const client = new pg.Client({
        host: ep.host,
        port: ep.port,
        database: ep.database,
        user,
        password,
        ssl: sslMode === "require" ? { rejectUnauthorized: false } : false,
        connectionTimeoutMillis: 10_000,
        application_name: "vaultkit-integration",
    });
    await client.connect();
    return client;
}

export function connectSuperuser(env: IntegrationEnv): Promise<pg.Client> {
    return connect(env.pg, env.pg.superuser, env.pg.superuserPassword);
}

/** The SQLSTATE of a failed attempt, or "ok" when it did not fail. */
export async function sqlState(attempt: () => Promise<unknown>): Promise<string> {
    try {
        await attempt();
        return "ok";
    } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code === "string") {
            return code;
        }
        throw err;
    }
}

/** Tries to log in; returns "ok" or the SQLSTATE (28P01 = invalid password). */
export async function loginState(ep: PgEndpoint, user: string, password: string, sslMode: TestSslMode = "disable"): Promise<string> {
    return sqlState(async () => {
        const c = await connect(ep, user, password, sslMode);
        try {
            await c.query("select 1");
        } finally {
            await c.end();
        }
    });
}

/** Drops roles (and everything they own in this database) if they exist. */
export async function dropRoles(su: pg.Client, roles: string[]): Promise<void> {
    for (const role of roles) {
        const { rowCount } = await su.query("select 1 from pg_roles where rolname = $1", [role]);
        if (rowCount) {
            await su.query(`DROP OWNED BY ${pg.escapeIdentifier(role)} CASCADE`);
            await su.query(`DROP ROLE ${pg.escapeIdentifier(role)}`);
        }
    }
}

/** The stored password verifier of `role` (`SCRAM-SHA-256$…` or `md5…`); throws unless the role has one. */
export async function rolpassword(su: pg.Client, role: string): Promise<string> {
    const r = await su.query("select rolpassword from pg_authid where rolname = $1", [role]);
    if (r.rowCount !== 1 || typeof r.rows[0].rolpassword !== "string") {
        throw new Error(`role ${role}: expected exactly one row with a password, got ${r.rowCount} row(s)`);
    }
    return r.rows[0].rolpassword;
}
