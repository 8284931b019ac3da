/**
 * The StackGres objects as data: SGCluster, SGInstanceProfile, SGPostgresConfig and the SGScript
 * that creates the roles Vault needs, plus the `pulumi.com/waitFor` that holds Pulumi until the
 * primary runs and that script has been applied. Field names follow the StackGres 1.18.6 CRDs.
 */
import { createHash } from "crypto";
import { isDnsLabel } from "../kubernetes/names";
import { appRoleSql, assertRoleName, grantManagedRolesSql } from "./sql";

/** Usernames StackGres uses; the seed keeps StackGres' own defaults. */
export const STACKGRES_USERNAMES = { superuser: "postgres", replication: "replicator", authenticator: "authenticator" } as const;

/** The keys of the Secret the Vault Secrets Operator syncs from KV (StackGres' own key names). */
export const CREDENTIAL_KEYS = {
    superuserUsername: "superuser-username",
    superuserPassword: "superuser-password",
    replicationUsername: "replication-username",
    replicationPassword: "replication-password",
    authenticatorUsername: "authenticator-username",
    authenticatorPassword: "authenticator-password",
    restApiPassword: "restapi-password",
} as const;

/** PostgreSQL port of the StackGres primary Service. */
export const POSTGRES_PORT = 5432;

/** Key of the SQL in the Secret behind the Vault admin role script entry. */
export const VAULT_ADMIN_SQL_KEY = "vault-admin-role.sql";

/** The `id` of our SGScript in `spec.managedSql.scripts`; StackGres adds its own default script with another id. */
export const MANAGED_SQL_SCRIPT_ID = 1;

/** How long Pulumi waits for a new cluster's primary (image pulls, bootstrap). */
export const DEFAULT_CLUSTER_TIMEOUT_SECONDS = 1800;

/** Validates an SGCluster name: a DNS label short enough for the `-primary`/`-replicas` Services. */
export function assertClusterName(name: string): void {
    if (!isDnsLabel(name, 53)) {
        throw new Error(`SGCluster name must be a DNS label of at most 53 characters, got ${JSON.stringify(name)}`);
    }
}

/**
 * The in-cluster DNS name of a StackGres cluster's read-write (primary) Service, `<cluster>`.
 * StackGres keeps `<cluster>-primary` only as a deprecated ExternalName alias of it.
 */
export function stackGresPrimaryHost(clusterName: string, namespace: string): string {
    return `${clusterName}.${namespace}.svc.cluster.local`;
}

/** A SecretKeySelector. */
export interface SecretKeyRef {
    name: string;
    key: string;
}

/** `spec.configurations.credentials`: every credential a SecretKeySelector into the synced Secret. */
export function credentialsFromSecret(secretName: string) {
    const ref = (key: string): SecretKeyRef => ({ name: secretName, key });
    return {
        patroni: { restApiPassword: ref(CREDENTIAL_KEYS.restApiPassword) },
        users: {
            superuser: { username: ref(CREDENTIAL_KEYS.superuserUsername), password: ref(CREDENTIAL_KEYS.superuserPassword) },
            replication: { username: ref(CREDENTIAL_KEYS.replicationUsername), password: ref(CREDENTIAL_KEYS.replicationPassword) },
            authenticator: { username: ref(CREDENTIAL_KEYS.authenticatorUsername), password: ref(CREDENTIAL_KEYS.authenticatorPassword) },
        },
    };
}

/** The major of a `15` or `15.6` version string (SGPostgresConfig takes the major only). */
export function postgresMajor(version: string): string {
    const m = /^([0-9]+)(\.[0-9]+)?$/.exec(version);
    if (!m) {
        throw new Error(`postgres version must look like '15' or '15.6', got ${JSON.stringify(version)}`);
    }
    return m[1]!;
}

/** SGInstanceProfile spec: CPU and memory of the Patroni container. */
export function instanceProfileSpec(cpu: string, memory: string): { cpu: string; memory: string } {
    return { cpu, memory };
}

/** SGPostgresConfig spec: SCRAM passwords only, and log logins (credentials rotate; logins are worth seeing). */
export function postgresConfigSpec(postgresVersion: string): { postgresVersion: string; "postgresql.conf": Record<string, string> } {
    return {
        postgresVersion: postgresMajor(postgresVersion),
        "postgresql.conf": {
            password_encryption: "scram-sha-256",
            log_connections: "on",
        },
    };
}

/** Settings of one SGCluster. */
export interface SgClusterSpecInput {
    instances: number;
    postgresVersion: string;
    volumeSize: string;
    storageClass?: string;
    instanceProfileName: string;
    postgresConfigName: string;
    scriptName: string;
    credentialsSecretName: string;
}

/** SGCluster spec. */
export function sgClusterSpec(s: SgClusterSpecInput): Record<string, unknown> {
    if (!Number.isInteger(s.instances) || s.instances < 1) {
        throw new Error(`instances must be a whole number of at least 1, got ${s.instances}`);
    }
    postgresMajor(s.postgresVersion);
    return {
        instances: s.instances,
        postgres: { version: s.postgresVersion },
        sgInstanceProfile: s.instanceProfileName,
        pods: {
            persistentVolume: { size: s.volumeSize, ...(s.storageClass ? { storageClass: s.storageClass } : {}) },
        },
        configurations: {
            sgPostgresConfig: s.postgresConfigName,
            credentials: credentialsFromSecret(s.credentialsSecretName),
        },
        managedSql: {
            scripts: [{ id: MANAGED_SQL_SCRIPT_ID, sgScript: s.scriptName }],
        },
    };
}

/**
 * A script entry's version: derived from its content, so StackGres (which re-runs an entry when
 * its version differs from the applied one) re-runs exactly the entries that changed. Positive int32.
 */
export function scriptEntryVersion(content: string): number {
    const n = createHash("sha256").update(content).digest().readUInt32BE(0) & 0x7fffffff;
    return n === 0 ? 1 : n;
}

/** One SGScript entry. */
export interface ScriptEntry {
    id: number;
    version: number;
    name: string;
    wrapInTransaction: string;
    retryOnError: boolean;
    script?: string;
    scriptFrom?: { secretKeyRef: SecretKeyRef };
}

/** What the role script creates. */
export interface RolesScriptInput {
    /** The Vault admin role (CREATEROLE, not superuser). */
    vaultAdminRole: string;
    /** Roles Vault's static roles manage. */
    managedRoles: string[];
    /** The Secret holding `vaultAdminRoleSql(...)`: it carries a password. */
    adminSqlSecret: SecretKeyRef;
}

/**
 * SGScript spec creating, in order: the Vault admin role (SQL read from a Secret, since it holds a
 * password), one application role per managed role, then the grants that let the admin role
 * manage them on PostgreSQL 16+. Versions are explicit (`managedVersions: false`) so the wait
 * condition knows what "applied" means; ids are stable per position. Every statement is idempotent.
 */
export function rolesScriptSpec(s: RolesScriptInput): { managedVersions: boolean; continueOnError: boolean; scripts: ScriptEntry[] } {
    assertRoleName(s.vaultAdminRole);
    const roles = [...new Set(s.managedRoles)];
    roles.forEach(assertRoleName);
    if (roles.includes(s.vaultAdminRole)) {
        throw new Error(`the Vault admin role '${s.vaultAdminRole}' cannot also be a managed application role`);
    }
    // The Kubernetes provider names the (autonamed) Secret; an empty name would make StackGres read nothing.
    if (!s.adminSqlSecret.name || !s.adminSqlSecret.key) {
        throw new Error(`the admin-role SQL Secret needs a name and a key (got name '${s.adminSqlSecret.name ?? ""}', key '${s.adminSqlSecret.key ?? ""}')`);
    }
    const common = { wrapInTransaction: "read-committed", retryOnError: true };
    const scripts: ScriptEntry[] = [
        {
            id: 0,
            // The Secret's name changes whenever the password does (it is replaced, not edited).
            version: scriptEntryVersion(`secret:${s.adminSqlSecret.name}/${s.adminSqlSecret.key}`),
            name: "vault-admin-role",
            ...common,
            scriptFrom: { secretKeyRef: { name: s.adminSqlSecret.name, key: s.adminSqlSecret.key } },
        },
    ];
    roles.forEach((role, i) => {
        const sql = appRoleSql(role);
        scripts.push({ id: i + 1, version: scriptEntryVersion(sql), name: `app-role-${role.replace(/_/g, "-")}`, ...common, script: sql });
    });
    const grants = grantManagedRolesSql(s.vaultAdminRole, roles);
    if (grants !== "") {
        scripts.push({ id: roles.length + 1, version: scriptEntryVersion(grants), name: "grant-managed-roles", ...common, script: grants });
    }
    return { managedVersions: false, continueOnError: false, scripts };
}

/**
 * `pulumi.com/waitFor` of the SGCluster: a primary pod is reported (`PostgresBootstrapReconciliator`
 * sets it once Patroni bootstrapped). The SGScript entries are awaited by the gate Job
 * (./managedSqlGate.ts), not here: Pulumi cannot end a `waitFor` early, and a failed entry must fail
 * the deployment at once rather than after the cluster's timeout.
 */
export function sgClusterWaitFor(): string {
    return "jsonpath={.status.podStatuses[?(@.primary==true)].name}";
}
