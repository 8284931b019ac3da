/**
 * Where the real servers are. The integration tier skips itself ONLY when VAULT_ADDR and PGHOST are
 * both unset (so `vitest run` elsewhere stays fast); scripts/test-integration.sh sets them and also
 * sets VAULTKIT_INTEGRATION_REQUIRED=1, which turns a missing variable into a failure, not a skip.
 */

import { randomUUID } from "node:crypto";

export interface PgEndpoint {
    host: string;
    port: number;
    database: string;
}

export interface IntegrationEnv {
    vaultAddr: string;
    vaultToken: string;
    pg: PgEndpoint & { superuser: string; superuserPassword: string };
}

export const SKIP_REASON = "skipped: VAULT_ADDR and PGHOST are not set (run scripts/test-integration.sh for the real-server tier)";

function required(name: string): string {
    const value = process.env[name];
    if (value === undefined || value === "") {
        throw new Error(`integration tier: VAULT_ADDR/PGHOST are set but ${name} is not; start the servers with scripts/test-integration.sh`);
    }
    return value;
}

/** The servers to test against, or undefined (with a printed reason) when the tier should skip. */
export function integrationEnv(): IntegrationEnv | undefined {
    const haveVault = !!process.env.VAULT_ADDR;
    const havePg = !!process.env.PGHOST;
    if (!haveVault && !havePg) {
        if (process.env.VAULTKIT_INTEGRATION_REQUIRED === "1") {
            throw new Error("integration tier: VAULTKIT_INTEGRATION_REQUIRED=1 but VAULT_ADDR and PGHOST are unset");
        }
        console.warn(`[integration] ${SKIP_REASON}`);
        return undefined;
    }
    const port = Number(process.env.PGPORT ?? "5432");
    if (!Number.isInteger(port)) {
        throw new Error(`integration tier: PGPORT is not a port number: ${JSON.stringify(process.env.PGPORT)}`);
    }
    return {
        vaultAddr: required("VAULT_ADDR").replace(/\/+$/, ""),
        vaultToken: required("VAULT_TOKEN"),
        pg: {
            host: required("PGHOST"),
            port,
            database: process.env.PGDATABASE || "postgres",
            superuser: required("PGUSER"),
            superuserPassword: required("PGPASSWORD"),
        },
    };
}

/**
 * The PostgreSQL major scripts/postgres-test-server.sh started (its `env` prints VAULTKIT_PG_MAJOR);
 * undefined for a server started some other way. test/integration/postgres-roles.test.ts checks the
 * server really is that major, so the 16-18 matrix cannot silently run against 15.
 */
export function expectedPgMajor(): number | undefined {
    const v = process.env.VAULTKIT_PG_MAJOR;
    if (v === undefined || v === "") {
        return undefined;
    }
    if (!/^[0-9]+$/.test(v)) {
        throw new Error(`integration tier: VAULTKIT_PG_MAJOR is not a major version: ${JSON.stringify(v)}`);
    }
    return Number(v);
}

/** "PostgreSQL <major>" for test titles. */
export function pgTitle(): string {
    return `PostgreSQL ${expectedPgMajor() ?? "(major not given)"}`;
}

/** A random password for roles the tests create (never a fixed literal). */
export function randomPassword(): string {
    return `vk-${randomUUID()}`;
}
