/**
 * Data for Vault's database secrets engine (the connection, static roles, an application's auth
 * role), kept pure so the components declare exactly these arguments and the real-server tier writes
 * the very same ones to a real Vault-API server + PostgreSQL pair.
 */
import type * as pulumi from "@pulumi/pulumi";
import { checkedInput, derivedInput } from "../inputs";
import type { KubernetesAuthRoleSpec } from "./kubernetesAuthRole";
import { applicationAuthRoleName, staticCredsPolicyName } from "./paths";

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
 * the managed user (Vault would rotate the password everything else logs in with). The user and the
 * period may be outputs: they are checked when they resolve, so use the returned values.
 */
export function checkStaticRole(args: { staticRoleName: string; databaseUsername: pulumi.Input<string>; rotationPeriodSeconds: pulumi.Input<number> }): {
    databaseUsername: pulumi.Input<string>;
    rotationPeriodSeconds: pulumi.Input<number>;
} {
    const role = JSON.stringify(args.staticRoleName);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(args.staticRoleName)) {
        throw new Error(`static role name must be one Vault path segment (letters, digits, '.', '_', '-'; no '/', '*' or spaces), got ${role}`);
    }
    const databaseUsername = checkedInput(args.databaseUsername, (user) => {
        if (user === "" || SUPERUSER_NAMES.includes(user) || user.startsWith("pg_")) {
            throw new Error(`static role ${role}: databaseUsername must be an application's role, not the superuser or a reserved pg_ role, got ${JSON.stringify(user)}`);
        }
    });
    const rotationPeriodSeconds = checkedInput(args.rotationPeriodSeconds, (seconds) => {
        if (!Number.isInteger(seconds) || seconds < MIN_STATIC_ROLE_ROTATION_SECONDS) {
            throw new Error(`static role ${role}: rotationPeriodSeconds must be a whole number of at least ${MIN_STATIC_ROLE_ROTATION_SECONDS} (Vault's minimum), got ${seconds}`);
        }
    });
    return { databaseUsername, rotationPeriodSeconds };
}

/** Vault's postgres plugin, the only one this project configures. */
export const POSTGRES_PLUGIN_NAME = "postgresql-database-plugin";

/** Checks the arguments that a typo could turn into a security hole. */
export function checkAllowedRoles(allowedRoles: string[]): void {
    if (allowedRoles.length === 0) {
        throw new Error("DatabaseSecretsEngine: allowedRoles must name at least one static role (an empty list lets no role use the connection, '*' lets every role)");
    }
    for (const r of allowedRoles) {
        if (r.includes("*")) {
            throw new Error(`DatabaseSecretsEngine: allowedRoles must not contain wildcards, got ${JSON.stringify(r)}`);
        }
    }
}

/**
 * The arguments of `vault.database.SecretBackendConnection` as DatabaseSecretsEngine declares them:
 * the postgres plugin, Vault verifying the connection on write, only the named static roles allowed,
 * and every password Vault sets hashed in Vault. `T` is the mount (an output in the component).
 */
export function databaseConnectionInputs<T, P, N = string>(args: {
    mount: T;
    connectionName: N;
    /** Plain: checked and built into the URL now; an Output (another program's database): once known. */
    endpoint: pulumi.Input<PostgresEndpoint>;
    username: N;
    password: P;
    allowedRoles: string[];
}) {
    checkAllowedRoles(args.allowedRoles);
    return {
        backend: args.mount,
        name: args.connectionName,
        pluginName: POSTGRES_PLUGIN_NAME,
        allowedRoles: [...args.allowedRoles],
        verifyConnection: true,
        postgresql: {
            connectionUrl: derivedInput(args.endpoint, (e) => postgresConnectionUrl(e as PostgresEndpoint)),
            username: args.username,
            password: args.password,
            // Vault hashes every password it sets; the SQL never carries one in clear.
            passwordAuthentication: POSTGRES_PASSWORD_AUTHENTICATION,
        },
    };
}

/**
 * The arguments of the `vault.generic.Endpoint` DatabaseSecretsEngine declares for `rotateRootCredentials`:
 * one POST with an empty body, nothing to read back, nothing to undo on delete. `T` is the path
 * ({@link rotateRootPath}; an output in the component).
 */
export function rotateRootEndpointInputs<T>(path: T) {
    return { path, dataJson: "{}", disableRead: true, disableDelete: true };
}

/**
 * What an application's access is made of (ApplicationDatabaseAccess's arguments, less the component
 * options). `T`: the mount and connection; `B`: the database user, a binding or the audience; `N`: the
 * rotation period or the token TTL (inputs in the component, plain in the stack's data).
 */
export interface ApplicationAccessSpec<T, B = string, N = number> {
    /** Mount of the database secrets engine. */
    databaseMount: T;
    /** The connection the static role uses. */
    connectionName: T;
    /** Vault static role name. */
    staticRoleName: string;
    /** The PostgreSQL role Vault rotates. */
    databaseUsername: B;
    /** Rotation period in seconds. */
    rotationPeriodSeconds: N;
    /** Kubernetes auth role name; default the static role name. */
    authRoleName?: string;
    /** Service accounts bound to the auth role. */
    serviceAccountNames: B[];
    /** Their namespaces. */
    namespaces: B[];
    /** Expected token audience. */
    audience?: B;
    /** Vault token TTL in seconds; default 3600. */
    tokenTtlSeconds?: N;
}

/** The arguments of `vault.database.SecretBackendStaticRole` for an application (checked first). */
export function staticRoleInputs<T>(spec: ApplicationAccessSpec<T, pulumi.Input<string>, pulumi.Input<number>>) {
    const checked = checkStaticRole(spec);
    return {
        backend: spec.databaseMount,
        name: spec.staticRoleName,
        dbName: spec.connectionName,
        username: checked.databaseUsername,
        rotationPeriod: checked.rotationPeriodSeconds,
    };
}

/**
 * An application's Kubernetes auth role: its service accounts in its namespaces get a token with
 * exactly the policy that reads its static role's credentials (named after the static role, not the
 * database role or the service account).
 */
export function applicationAuthRoleSpec<B = string, N = number>(
    spec: ApplicationAccessSpec<unknown, B, N>,
): Omit<KubernetesAuthRoleSpec, "serviceAccountNames" | "namespaces" | "audience" | "tokenTtlSeconds"> & { serviceAccountNames: B[]; namespaces: B[]; audience?: B; tokenTtlSeconds: N | number } {
    return {
        name: applicationAuthRoleName(spec),
        serviceAccountNames: spec.serviceAccountNames,
        namespaces: spec.namespaces,
        policies: [staticCredsPolicyName(spec.staticRoleName)],
        audience: spec.audience,
        tokenTtlSeconds: spec.tokenTtlSeconds ?? 3600,
    };
}
