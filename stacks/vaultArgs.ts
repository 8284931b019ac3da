/**
 * What the Vault half hands its components, as pure data from the parsed config: stacks/vault.ts
 * declares exactly these arguments, and the real-server tier writes the very same ones (through the
 * components' own builders) to a real Vault-API server and PostgreSQL. No Pulumi import here, so the
 * tests that read it stay light.
 */
import type { ApplicationAccessSpec, PostgresEndpoint } from "../components/vault/databaseSecretsData";
import { applicationVaultNames as vaultNames } from "../components/vault/paths";
import { adminRoleBinding, type ApplicationConfig, connectionRoles, type StackConfig } from "./config";
import type { ApplicationVaultAccess } from "./contracts";

/** The database secrets engine's arguments (DatabaseSecretsEngineArgs), for the database the stack reaches. */
export function databaseSecretsEngineArgs<P>(config: StackConfig, database: { host: string; port: number; database: string }, password: P) {
    const db = config.database;
    const endpoint: PostgresEndpoint = { host: database.host, port: database.port, database: database.database, sslMode: db.sslMode };
    return {
        path: db.databaseMount,
        connectionName: db.connectionName,
        endpoint,
        username: db.vaultAdminRole,
        password,
        // This stack's applications and those other stacks declare on this connection (externalApplications):
        // the static role names, which are the application names, never their database roles.
        allowedRoles: connectionRoles(config).staticRoleNames,
        rotateRootCredentials: db.rotateVaultAdminPassword,
    };
}

/**
 * An application's names in Vault (static role, auth role, policy, credentials path): its static
 * role is named after the application, and so is its auth role (components/vault/paths.ts).
 */
export function applicationVaultNames(config: StackConfig, app: ApplicationConfig): Omit<ApplicationVaultAccess, "ready"> {
    const databaseMount = config.database.databaseMount;
    return { name: app.name, databaseMount, ...vaultNames({ databaseMount, staticRoleName: app.name }) };
}

/**
 * One application's access (ApplicationDatabaseAccessArgs): its static role and auth role named as
 * {@link applicationVaultNames} says, rotating its database role, the auth role bound to its service
 * account in its namespace.
 */
export function applicationAccessArgs<T>(
    config: StackConfig,
    app: ApplicationConfig,
    engine: { databaseMount: T; connectionName: T; authMount: T },
): ApplicationAccessSpec<T> & { authMount: T } {
    const names = applicationVaultNames(config, app);
    return {
        databaseMount: engine.databaseMount,
        connectionName: engine.connectionName,
        staticRoleName: names.staticRoleName,
        databaseUsername: app.databaseRole,
        rotationPeriodSeconds: app.rotationPeriod,
        authMount: engine.authMount,
        authRoleName: names.authRoleName,
        serviceAccountNames: [app.serviceAccount],
        namespaces: [app.namespace],
        audience: config.kubernetesAuth.audience,
        tokenTtlSeconds: app.tokenTtl,
    };
}

/**
 * The Kubernetes auth role that reads the admin credentials (VaultKubernetesAuthRoleArgs), or none
 * when nobody is to be bound (an existing database, no debug pods, no extra service accounts).
 * `policy` is the admin credentials policy (StackGresAdminCredentials names it `database.adminPolicyName`).
 */
export function adminAuthRoles<T>(config: StackConfig, policy: T) {
    const db = config.database;
    const binding = adminRoleBinding(config);
    if (binding.serviceAccounts.length === 0) {
        return [];
    }
    return [
        {
            name: db.adminAuthRole,
            serviceAccountNames: binding.serviceAccounts,
            // The seed binds `rhbk`; the debug workloads may run elsewhere and read the same secret.
            namespaces: binding.namespaces,
            policies: [policy],
            audience: config.kubernetesAuth.audience,
            tokenTtlSeconds: db.adminTokenTtl,
        },
    ];
}
