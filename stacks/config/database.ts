/**
 * `vaultkit:database` (and `vaultkit:databaseAdminPassword`): the PostgreSQL cluster (StackGres or
 * existing), Vault's connection to it, the KV admin secret and who may read it; with their rules.
 */
import { z } from "zod";
import { debugServiceAccountName, debugWorkloadsEnabled } from "./debugWorkloads";
import { keyOf } from "./errors";
import { dnsLabel, duration, namespaceName, objectName, pgRole, postgresVersion, QUANTITY, REFRESH_BOUNDS, TOKEN_TTL_BOUNDS, vaultMount, vaultPath } from "./primitives";
import type { CrossFieldRule } from "./rules";
import type { Parsed } from "./schema";

/**
 * The database's Vault and Kubernetes names follow `clusterName` unless set, so two stacks (or a
 * stack and a shared Vault) never meet on the seed's `keycloak-*` names by accident. With the default
 * cluster name they are the seed's, except the admin auth role (`keycloak-role` there).
 */
export function derivedDatabaseNames(d: {
    clusterName: string;
    adminSecretPath?: string;
    adminPolicyName?: string;
    adminAuthRole?: string;
    syncedSecretName?: string;
    connectionName?: string;
}): { adminSecretPath: string; adminPolicyName: string; adminAuthRole: string; syncedSecretName: string; connectionName: string } {
    return {
        adminSecretPath: d.adminSecretPath ?? `${d.clusterName}/config`,
        adminPolicyName: d.adminPolicyName ?? `${d.clusterName}-policy`,
        adminAuthRole: d.adminAuthRole ?? `${d.clusterName}-admin`,
        syncedSecretName: d.syncedSecretName ?? `${d.clusterName}-vault`,
        connectionName: d.connectionName ?? d.clusterName,
    };
}

/** `vaultkit:database`. */
export const databaseSchema = z
    .strictObject({
        /** `stackgres`: this program declares the SGCluster. `existing`: Vault connects to `host`. */
        mode: z.enum(["stackgres", "existing"], { error: "expected one of 'stackgres', 'existing'" }).default("stackgres"),
        namespace: namespaceName.default("rhbk"),
        clusterName: dnsLabel.default("keycloak-postgresql"),
        instances: z.number({ error: "expected a number" }).int({ error: "expected a whole number" }).min(1, { error: "expected at least 1 instance" }).max(16, { error: "expected at most 16 instances" }).default(1),
        postgresVersion: postgresVersion.default("15"),
        volumeSize: z.string({ error: "expected a string" }).regex(QUANTITY, { error: "expected a Kubernetes quantity like '5Gi'" }).default("5Gi"),
        storageClass: objectName.optional(),
        /** Existing database host (existing mode) — StackGres mode derives the primary service. */
        host: z.string().regex(/^[A-Za-z0-9.-]+$/, { error: "expected a host name or IPv4 address" }).optional(),
        port: z.number({ error: "expected a number" }).int({ error: "expected a whole number" }).min(1, { error: "expected a port from 1 to 65535" }).max(65535, { error: "expected a port from 1 to 65535" }).default(5432),
        database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$-]*$/, { error: "expected a database name" }).default("postgres"),
        /** libpq sslmode of Vault's connection and the sample apps; StackGres serves TLS by default. `disable` sends passwords in clear. */
        sslMode: z.enum(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"], { error: "expected a libpq sslmode" }).default("require"),
        kvMount: vaultMount.default("kv-v2"),
        /** Default `<clusterName>/config` (see {@link derivedDatabaseNames}). */
        adminSecretPath: vaultPath.optional(),
        /** Default `<clusterName>-policy`. */
        adminPolicyName: dnsLabel.optional(),
        /** Default `<clusterName>-admin` (the seed's was `keycloak-role`). */
        adminAuthRole: dnsLabel.optional(),
        /**
         * Service accounts the admin role binds besides the ones this stack creates for the admin
         * sync and the debug workloads. `default` would let every pod without a service account of
         * its own read the superuser password: refused in production.
         */
        adminServiceAccounts: z.array(objectName, { error: "expected a list of service account names" }).default([]),
        adminTokenTtl: duration(TOKEN_TTL_BOUNDS.min, TOKEN_TTL_BOUNDS.max).default(86400),
        /** The Secret the Vault Secrets Operator writes; must differ from `clusterName` (StackGres owns that one). Default `<clusterName>-vault`. */
        syncedSecretName: objectName.optional(),
        refreshAfter: duration(REFRESH_BOUNDS.min, REFRESH_BOUNDS.max).default(30),
        databaseMount: vaultMount.default("database"),
        /** Default: `clusterName`. */
        connectionName: dnsLabel.optional(),
        /** The PostgreSQL role Vault logs in as: CREATEROLE, never the superuser. */
        vaultAdminRole: pgRole.default("vault_admin"),
        /** Rotate the Vault admin role's password right after the connection is written, so only Vault knows it. */
        rotateVaultAdminPassword: z.boolean({ error: "expected true or false" }).default(false),
    })
    .transform((d) => ({ ...d, ...derivedDatabaseNames(d) }))
    .prefault({});

/**
 * What the database connection serves: the static roles it allows (this stack's applications and
 * the ones other stacks declare) and the PostgreSQL roles they manage, in declaration order.
 */
export function connectionRoles(c: Pick<Parsed, "applications" | "externalApplications">): { staticRoleNames: string[]; databaseRoles: string[] } {
    const all = [...c.applications, ...c.externalApplications];
    return { staticRoleNames: all.map((a) => a.name), databaseRoles: all.map((a) => a.databaseRole) };
}

/** The ServiceAccount this stack creates for the Vault Secrets Operator's login that syncs the admin credentials (StackGres mode). */
export function adminSyncServiceAccountName(clusterName: string): string {
    return `${clusterName}-vault-sync`;
}

/**
 * Who the admin credentials role lets log in: Vault binds every listed service account in every
 * listed namespace. The service accounts are the ones this stack creates for that purpose (the
 * admin sync's, the debug workloads') plus `database.adminServiceAccounts`; the namespaces are the
 * database's plus the debug workloads'.
 */
export function adminRoleBinding(c: Pick<Parsed, "database" | "debugWorkloads">): { serviceAccounts: string[]; namespaces: string[] } {
    const d = c.debugWorkloads;
    const debug = debugWorkloadsEnabled(d);
    const namespaces = new Set([c.database.namespace]);
    if (debug && d.namespace) {
        namespaces.add(d.namespace);
    }
    const serviceAccounts = new Set([
        ...(c.database.mode === "stackgres" ? [adminSyncServiceAccountName(c.database.clusterName)] : []),
        ...(debug ? [debugServiceAccountName(c.database.clusterName)] : []),
        ...c.database.adminServiceAccounts,
    ]);
    return { serviceAccounts: [...serviceAccounts], namespaces: [...namespaces] };
}

/** Existing database or StackGres: who provides the host, the port and the Vault admin role's password. */
export const databaseRules: CrossFieldRule = (c, r) => {
    if (c.database.mode === "existing" && !c.database.host) {
        r.add(["database", "host"], "expected the PostgreSQL host when database.mode is 'existing'");
    }
    if (c.vault.configure && c.database.mode === "existing" && connectionRoles(c).staticRoleNames.length > 0 && !c.databaseAdminPassword) {
        r.push({
            key: keyOf(["databaseAdminPassword"]),
            expected: `expected the password of the existing '${c.database.vaultAdminRole}' role when database.mode is 'existing': \`pulumi config set --secret vaultkit:databaseAdminPassword ...\``,
            given: "nothing (the key is missing)",
        });
    }
    if (!c.vault.configure && c.database.mode === "existing" && c.databaseAdminPassword) {
        r.add(["databaseAdminPassword"], "expected no password when vault.configure is false and database.mode is 'existing' (only Vault's database connection uses it, and its owner configures that)");
    }
    if (c.vault.configure && c.database.mode === "stackgres" && c.databaseAdminPassword) {
        r.add(["databaseAdminPassword"], "expected no password when database.mode is 'stackgres' (the program generates it and StackGres creates the role)");
    }
    if (!c.vault.configure && c.database.mode === "stackgres" && !c.databaseAdminPassword) {
        r.push({
            key: keyOf(["databaseAdminPassword"]),
            expected: `expected the password Vault's database connection uses for '${c.database.vaultAdminRole}' when vault.configure is false and database.mode is 'stackgres' (its owner set it; StackGres creates the role with it): \`pulumi config set --secret vaultkit:databaseAdminPassword ...\``,
            given: "nothing (the key is missing)",
        });
    }
    if (c.database.mode === "stackgres" && c.database.host) {
        r.add(["database", "host"], "expected no host when database.mode is 'stackgres' (the primary service name is derived from clusterName)");
    }
    if (c.database.mode === "stackgres" && c.database.port !== 5432) {
        r.add(["database", "port"], "expected 5432 when database.mode is 'stackgres' (the StackGres primary Service always listens on 5432)");
    }
    if (c.database.syncedSecretName === c.database.clusterName) {
        r.add(["database", "syncedSecretName"], `expected a name different from database.clusterName ('${c.database.clusterName}'): StackGres creates and owns a Secret of that name`);
    }
};

/** `default` in the admin role's service accounts lets any pod without one of its own read the superuser password. */
export const productionAdminAccountRules: CrossFieldRule = (c, r) => {
    if (c.production && c.database.adminServiceAccounts.includes("default")) {
        r.add(
            ["database", "adminServiceAccounts"],
            "expected no 'default' in a stack marked production: every pod in the bound namespaces that names no service account of its own could read the PostgreSQL superuser password (the admin sync logs in with a service account this stack creates)",
        );
    }
};
