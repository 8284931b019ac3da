/**
 * Provisions Vault's database secrets engine against the real PostgreSQL exactly as the project
 * declares it: the SQL from components/stackgres/sql.ts, the connection URL and static-role body
 * from components/vault/databaseSecretsData.ts.
 */
import { appRoleSql, grantManagedRolesSql, vaultAdminRoleSql } from "../../../components/stackgres/sql";
import { POSTGRES_PASSWORD_AUTHENTICATION, postgresConnectionUrl, staticRoleParams } from "../../../components/vault/databaseSecretsData";
import { parseStackConfig } from "../../../stacks/config";

/** The stacks' default `database.sslMode`, read from the config schema rather than retyped. */
const DEFAULT_SSL_MODE = parseStackConfig("defaults", { platform: "kubernetes", vault: { address: "http://127.0.0.1:8200" } }).database.sslMode;
import type { IntegrationEnv } from "./env";
import { dropRoles, type PgClient } from "./pg";
import type { VaultApi } from "./vaultApi";

export const ROTATION_PERIOD_SECONDS = 86400;

export interface DatabaseEngineSpec {
    /** Vault mount path of the database engine, e.g. `database`. */
    mount: string;
    /** Name of the connection (`<mount>/config/<name>`). */
    connection: string;
    /** The non-superuser LOGIN CREATEROLE role Vault connects as. */
    adminRole: string;
    adminPassword: string;
    /** Vault static role name -> PostgreSQL role it manages. Only these are in allowed_roles. */
    staticRoles: Record<string, string>;
    /** libpq sslmode of the connection URL; default: the stacks' default (`database.sslMode`). */
    sslMode?: string;
    /** Vault's `password_authentication`; default: what DatabaseSecretsEngine sets. */
    passwordAuthentication?: string;
}

/** Runs the project's SQL for the admin role and every managed app role, as the superuser. */
export async function applyRoleSql(su: PgClient, spec: DatabaseEngineSpec): Promise<void> {
    await su.query(vaultAdminRoleSql(spec.adminRole, spec.adminPassword));
    const pgRoles = Object.values(spec.staticRoles);
    for (const role of pgRoles) {
        await su.query(appRoleSql(role));
    }
    const grants = grantManagedRolesSql(spec.adminRole, pgRoles);
    if (grants !== "") {
        await su.query(grants);
    }
}

/**
 * The body of `<mount>/config/<connection>` as DatabaseSecretsEngine declares it: Vault logs in as
 * the admin role (never the superuser), over TLS with the stacks' default `sslmode` (the test server
 * serves TLS like StackGres), and hashes the passwords it sets.
 */
export function connectionConfig(env: IntegrationEnv, spec: DatabaseEngineSpec): Record<string, unknown> {
    return {
        plugin_name: "postgresql-database-plugin",
        connection_url: postgresConnectionUrl({
            host: env.pg.host,
            port: env.pg.port,
            database: env.pg.database,
            sslMode: spec.sslMode ?? DEFAULT_SSL_MODE,
        }),
        username: spec.adminRole,
        password: spec.adminPassword,
        password_authentication: spec.passwordAuthentication ?? POSTGRES_PASSWORD_AUTHENTICATION,
        allowed_roles: Object.keys(spec.staticRoles),
        verify_connection: true,
    };
}

/** SQL, a fresh mount, the connection, and every static role. */
export async function provisionDatabaseEngine(vault: VaultApi, su: PgClient, env: IntegrationEnv, spec: DatabaseEngineSpec): Promise<void> {
    await applyRoleSql(su, spec);
    await vault.mountFresh(spec.mount, "database");
    await vault.must("write", `${spec.mount}/config/${spec.connection}`, connectionConfig(env, spec));
    for (const [name, pgRole] of Object.entries(spec.staticRoles)) {
        await vault.must("write", `${spec.mount}/static-roles/${name}`, staticRoleParams(spec.connection, pgRole, ROTATION_PERIOD_SECONDS));
    }
}

/** Disables the mount and drops every role the spec created. Safe to run after a partial setup. */
export async function teardownDatabaseEngine(vault: VaultApi | undefined, su: PgClient | undefined, spec: DatabaseEngineSpec, extraRoles: string[] = []): Promise<void> {
    const problems: unknown[] = [];
    if (vault) {
        await vault.unmount(spec.mount).catch((e) => problems.push(e));
    }
    if (su) {
        await dropRoles(su, [...Object.values(spec.staticRoles), ...extraRoles, spec.adminRole]).catch((e) => problems.push(e));
    }
    if (problems.length > 0) {
        throw new AggregateError(problems, "database engine teardown failed");
    }
}
