/**
 * Provisions Vault's database secrets engine against the real PostgreSQL exactly as a stack declares
 * it, from that stack's parsed config through the code the components use:
 *
 * - PostgreSQL: the SGScript entries StackGres runs (rolesScriptSpec: the admin role's SQL, one
 *   application role per managed database role, the PG16+ grants), for the roles stacks/index.ts hands
 *   the cluster (`connectionRoles(config).databaseRoles`);
 * - Vault: the connection DatabaseSecretsEngine declares (databaseSecretsEngineArgs ->
 *   databaseConnectionInputs) and each application's static role (applicationAccessArgs ->
 *   staticRoleInputs), written as the provider would write them (support/vaultResources.ts).
 *
 * Fixtures give every application a name, database role, service account and namespace that differ,
 * so a builder that takes the wrong one is refused by Vault or fails a login.
 */
import { rolesScriptSpec } from "../../../components/stackgres/clusterSpecs";
import { vaultAdminRoleSql } from "../../../components/stackgres/sql";
import { databaseConnectionInputs, staticRoleInputs } from "../../../components/vault/databaseSecretsData";
import { connectionRoles, type ApplicationConfig, type StackConfig } from "../../../stacks/config";
import { applicationAccessArgs, databaseSecretsEngineArgs } from "../../../stacks/vaultArgs";
import type { IntegrationEnv } from "./env";
import { dropRoles, type PgClient } from "./pg";
import type { VaultApi } from "./vaultApi";
import { connectionWrite, staticRoleWrite, type ApiWrite } from "./vaultResources";

export interface DatabaseEngineSpec {
    /**
     * The stack: `database.databaseMount` (each file its own), `connectionName`, `vaultAdminRole`,
     * `rotateVaultAdminPassword`, `sslMode`, and the applications (static role = application name,
     * rotating its `databaseRole`).
     */
    config: StackConfig;
    /** The Vault admin role's password (the stack's RandomPassword). */
    adminPassword: string;
}

/** The database roles the stack manages (as stacks/index.ts hands them to the SGCluster). */
export function managedRoles(spec: DatabaseEngineSpec): string[] {
    return connectionRoles(spec.config).databaseRoles;
}

/** The Vault admin role the connection logs in as. */
export function adminRole(spec: DatabaseEngineSpec): string {
    return spec.config.database.vaultAdminRole;
}

/** The engine's mount path. */
export function engineMount(spec: DatabaseEngineSpec): string {
    return spec.config.database.databaseMount;
}

/** The connection's name. */
export function connectionName(spec: DatabaseEngineSpec): string {
    return spec.config.database.connectionName;
}

/** The statements StackGres runs, in order, with the admin SQL the stack puts in its Secret. */
export function roleScripts(spec: DatabaseEngineSpec): string[] {
    const db = spec.config.database;
    const adminSql = vaultAdminRoleSql(db.vaultAdminRole, spec.adminPassword, db.rotateVaultAdminPassword ? "vault" : "pulumi");
    const { scripts } = rolesScriptSpec({ vaultAdminRole: db.vaultAdminRole, managedRoles: managedRoles(spec), adminSqlSecret: { name: "admin-sql", key: "sql" } });
    return scripts.map((s) => {
        if (s.script !== undefined) {
            return s.script;
        }
        if (s.scriptFrom?.secretKeyRef.name !== "admin-sql") {
            throw new Error(`SGScript entry ${s.name}: neither inline SQL nor the admin SQL Secret`);
        }
        return adminSql;
    });
}

/** Runs the role SQL as StackGres does (each entry in its own read-committed transaction), as the superuser. */
export async function applyRoleSql(su: PgClient, spec: DatabaseEngineSpec): Promise<void> {
    for (const sql of roleScripts(spec)) {
        await su.query("BEGIN ISOLATION LEVEL READ COMMITTED");
        try {
            await su.query(sql);
            await su.query("COMMIT");
        } catch (e) {
            await su.query("ROLLBACK");
            throw e;
        }
    }
}

/** The connection's arguments exactly as DatabaseSecretsEngine declares them, for the test server's PostgreSQL. */
export function connectionInputs(env: IntegrationEnv, spec: DatabaseEngineSpec) {
    const args = databaseSecretsEngineArgs(spec.config, env.pg, spec.adminPassword);
    return databaseConnectionInputs({ mount: args.path, ...args });
}

/** Each application's access arguments as stacks/vault.ts hands them to ApplicationDatabaseAccess. */
export function applicationAccess(spec: DatabaseEngineSpec, app: ApplicationConfig) {
    const db = spec.config.database;
    return applicationAccessArgs(spec.config, app, { databaseMount: db.databaseMount, connectionName: db.connectionName, authMount: spec.config.kubernetesAuth.mount });
}

/** The write of each application's static role, in config order. */
export function staticRoleWrites(spec: DatabaseEngineSpec): ApiWrite[] {
    return spec.config.applications.map((app) => staticRoleWrite(staticRoleInputs(applicationAccess(spec, app))));
}

/** SQL, a fresh mount, the connection, and every static role. */
export async function provisionDatabaseEngine(vault: VaultApi, su: PgClient, env: IntegrationEnv, spec: DatabaseEngineSpec): Promise<void> {
    await applyRoleSql(su, spec);
    await vault.mountFresh(engineMount(spec), "database");
    const conn = connectionWrite(connectionInputs(env, spec));
    await vault.must("write", conn.path, conn.body);
    for (const w of staticRoleWrites(spec)) {
        await vault.must("write", w.path, w.body);
    }
}

/** Disables the mount and drops every role the spec created. Safe to run after a partial setup. */
export async function teardownDatabaseEngine(vault: VaultApi | undefined, su: PgClient | undefined, spec: DatabaseEngineSpec, extraRoles: string[] = []): Promise<void> {
    const problems: unknown[] = [];
    if (vault) {
        await vault.unmount(engineMount(spec)).catch((e) => problems.push(e));
    }
    if (su) {
        await dropRoles(su, [...managedRoles(spec), ...extraRoles, adminRole(spec)]).catch((e) => problems.push(e));
    }
    if (problems.length > 0) {
        throw new AggregateError(problems, "database engine teardown failed");
    }
}
