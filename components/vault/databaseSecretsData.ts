/**
 * Data for Vault's database secrets engine (connection URL template, static role settings), kept
 * pure so the same values are unit-tested and applied to a real OpenBao + PostgreSQL pair.
 */

/** libpq `sslmode` values. */
export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;

/** Where Vault reaches PostgreSQL. */
export interface PostgresEndpoint {
    /** Host name, e.g. `keycloak-postgresql.rhbk.svc.cluster.local`. */
    host: string;
    /** TCP port, 5432 by default in StackGres. */
    port: number;
    /** Database Vault connects to for role management. */
    database: string;
    /**
     * libpq `sslmode`: one of {@link SSL_MODES}. The seed used `disable`; StackGres serves TLS, so
     * stacks default to `require`. A plain string so the component stays usable from other
     * languages; checked at runtime.
     */
    sslMode: string;
}

/**
 * The connection URL template Vault stores. `{{username}}`/`{{password}}` are filled in by Vault
 * from the connection's own credentials, so no secret is ever part of the URL.
 */
export function postgresConnectionUrl(endpoint: PostgresEndpoint): string {
    if (!/^[A-Za-z0-9.-]+$/.test(endpoint.host)) {
        throw new Error(`postgres host must be a DNS name or IPv4 address, got ${JSON.stringify(endpoint.host)}`);
    }
    if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535) {
        throw new Error(`postgres port must be an integer from 1 to 65535, got ${endpoint.port}`);
    }
    if (!/^[A-Za-z_][A-Za-z0-9_$-]*$/.test(endpoint.database)) {
        throw new Error(`postgres database must be a plain identifier, got ${JSON.stringify(endpoint.database)}`);
    }
    if (!(SSL_MODES as readonly string[]).includes(endpoint.sslMode)) {
        throw new Error(`postgres sslMode must be one of ${SSL_MODES.join(", ")}, got ${JSON.stringify(endpoint.sslMode)}`);
    }
    return `postgresql://{{username}}:{{password}}@${endpoint.host}:${endpoint.port}/${endpoint.database}?sslmode=${endpoint.sslMode}`;
}

/**
 * The in-cluster DNS name of a StackGres cluster's read-write (primary) Service, `<cluster>`.
 * StackGres keeps `<cluster>-primary` only as a deprecated ExternalName alias of it.
 */
export function stackGresPrimaryHost(clusterName: string, namespace: string): string {
    return `${clusterName}.${namespace}.svc.cluster.local`;
}

/**
 * How Vault's postgres plugin sends a new password: `scram-sha-256` hashes it in Vault, so
 * `ALTER ROLE ... PASSWORD` carries a SCRAM verifier, never the password (the plugin's default,
 * `password`, sends it in clear inside the SQL, where server logs and statement statistics see it).
 */
export const POSTGRES_PASSWORD_AUTHENTICATION = "scram-sha-256";

/** Vault refuses a static role rotation period under 5 seconds. */
export const MIN_STATIC_ROLE_ROTATION_SECONDS = 5;

/** The PostgreSQL superuser names a static role must never take over (StackGres's and PostgreSQL's default). */
const SUPERUSER_NAMES = ["postgres"];

/**
 * Checks a static role's arguments when the component is constructed, not when Vault is called: a
 * name Vault cannot take as one path segment, a rotation period Vault refuses, or the superuser as
 * the managed user (Vault would rotate the password everything else logs in with).
 */
export function checkStaticRole(args: { staticRoleName: string; databaseUsername: string; rotationPeriodSeconds: number }): void {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(args.staticRoleName)) {
        throw new Error(`static role name must be one Vault path segment (letters, digits, '.', '_', '-'; no '/', '*' or spaces), got ${JSON.stringify(args.staticRoleName)}`);
    }
    if (args.databaseUsername === "" || SUPERUSER_NAMES.includes(args.databaseUsername) || args.databaseUsername.startsWith("pg_")) {
        throw new Error(`static role ${JSON.stringify(args.staticRoleName)}: databaseUsername must be an application's role, not the superuser or a reserved pg_ role, got ${JSON.stringify(args.databaseUsername)}`);
    }
    if (!Number.isInteger(args.rotationPeriodSeconds) || args.rotationPeriodSeconds < MIN_STATIC_ROLE_ROTATION_SECONDS) {
        throw new Error(`static role ${JSON.stringify(args.staticRoleName)}: rotationPeriodSeconds must be a whole number of at least ${MIN_STATIC_ROLE_ROTATION_SECONDS} (Vault's minimum), got ${args.rotationPeriodSeconds}`);
    }
}

/** A static role as Vault's API takes it (`database/static-roles/<name>`). */
export interface StaticRoleParams {
    db_name: string;
    username: string;
    rotation_period: number;
}

/** The body written to `database/static-roles/<name>`. */
export function staticRoleParams(connectionName: string, username: string, rotationPeriodSeconds: number): StaticRoleParams {
    return { db_name: connectionName, username, rotation_period: rotationPeriodSeconds };
}

/** `<mount>/static-creds/<role>`: the API path (no `/v1/`) of a static role's current credentials. */
export function staticCredsPath(databaseMount: string, staticRoleName: string): string {
    return `${databaseMount}/static-creds/${staticRoleName}`;
}

/** The name of the policy that reads exactly one static role's credentials. */
export function staticCredsPolicyName(staticRoleName: string): string {
    return `${staticRoleName}-database-creds`;
}
