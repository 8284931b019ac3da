/**
 * The Vault half of the graph: the server (or an existing Vault), the provider that configures it,
 * Kubernetes auth, the admin credentials in KV v2, and the database secrets engine with one static
 * role, policy and auth role per application.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";
import { ApplicationDatabaseAccess } from "../components/vault/applicationDatabaseAccess";
import { stackGresPrimaryHost } from "../components/vault/databaseSecretsData";
import { DatabaseSecretsEngine } from "../components/vault/databaseSecretsEngine";
import { PostgresAdminCredentials } from "../components/vault/postgresAdminCredentials";
import { VaultKubernetesAuth } from "../components/vault/vaultKubernetesAuth";
import { VaultServer } from "../components/vault/vaultServer";
import { StackConfig } from "./config";
import { ApplicationVaultAccess, DatabaseHalf, Namespaces, VaultHalf } from "./contracts";

/** The Vault half plus the components a stack may want to export from. */
export interface VaultHalfResources extends VaultHalf {
    server?: VaultServer;
    kubernetesAuth: VaultKubernetesAuth;
    adminCredentials: PostgresAdminCredentials;
}

/** The token the Vault provider uses: the generated dev root token, or the configured one. */
function providerToken(config: StackConfig, server: VaultServer | undefined): pulumi.Output<string> {
    if (server?.rootToken) {
        return server.rootToken;
    }
    if (!config.vaultToken) {
        // parseStackConfig already refuses this combination; keep the failure explicit anyway.
        throw new Error("vaultkit:vaultToken (or VAULT_TOKEN) is required for this Vault");
    }
    return pulumi.secret(config.vaultToken);
}

export function buildVaultHalf(config: StackConfig, opts: { k8sProvider?: k8s.Provider; namespaces: Namespaces }): VaultHalfResources {
    let server: VaultServer | undefined;
    if (config.vault.mode === "deploy") {
        if (!opts.k8sProvider) {
            throw new Error("deploying Vault needs a Kubernetes provider");
        }
        const ns = opts.namespaces[config.vault.namespace];
        server = new VaultServer(
            config.vault.releaseName,
            {
                namespace: ns ? ns.metadata.name : config.vault.namespace,
                releaseName: config.vault.releaseName,
                mode: config.vault.server,
                openshift: config.platform === "openshift",
                ui: config.vault.ui,
                injector: config.vault.injector,
                csiProvider: config.vault.csiProvider,
                haReplicas: config.vault.haReplicas,
                routeHost: config.vault.routeHost,
                ingressHost: config.vault.ingressHost,
                ingressClassName: config.vault.ingressClassName,
                chartVersion: config.vault.chartVersion,
                tlsSecretName: config.vault.server === "ha" ? config.vault.tlsSecretName : undefined,
                sealConfig: config.vault.server === "ha" ? config.vault.sealConfig : undefined,
                externalAddress: config.vault.address!,
            },
            { providers: { kubernetes: opts.k8sProvider } },
        );
    }

    // Every Vault resource uses this provider, and the provider waits for the server: Vault is
    // configured only once the chart's objects are ready (dev: vault-0 Ready).
    const provider = new vault.Provider(
        "vault",
        {
            address: config.vault.address!,
            token: providerToken(config, server),
            // A child token would expire mid-run on long applies (default 20 min) and is pointless for a root/admin token.
            skipChildToken: true,
            skipTlsVerify: config.vault.skipTlsVerify,
        },
        { dependsOn: server ? [server] : [] },
    );
    const vopts = { provider };

    const db = config.database;
    const adminCredentials = new PostgresAdminCredentials(
        `${db.clusterName}-admin`,
        { kvMount: db.kvMount, secretPath: db.adminSecretPath, policyName: db.adminPolicyName },
        vopts,
    );

    const kubernetesAuth = new VaultKubernetesAuth(
        "kubernetes-auth",
        {
            path: config.kubernetesAuth.mount,
            kubernetesHost: config.kubernetesAuth.kubernetesHost,
            roles: [
                {
                    name: db.adminAuthRole,
                    serviceAccountNames: db.adminServiceAccounts,
                    namespaces: [db.namespace],
                    policies: [adminCredentials.policyName],
                    audience: config.kubernetesAuth.audience,
                    tokenTtlSeconds: db.adminTokenTtl,
                },
            ],
        },
        vopts,
    );

    // The Vault admin PostgreSQL role's password: StackGres creates the role with it (SGScript),
    // Vault's database connection logs in with it. Never the StackGres superuser's. An existing
    // database brings its own (secret config).
    const vaultAdminPassword =
        config.database.mode === "existing"
            ? pulumi.secret(config.databaseAdminPassword ?? "")
            : new random.RandomPassword("vault-admin-password", { length: 32, special: false }).result;

    return {
        provider,
        server,
        kubernetesAuth,
        adminCredentials,
        inClusterAddress: config.vault.inClusterAddress,
        authMount: config.kubernetesAuth.mount,
        admin: {
            kvMount: db.kvMount,
            secretPath: db.adminSecretPath,
            policyName: db.adminPolicyName,
            authRoleName: db.adminAuthRole,
        },
        vaultAdminPassword: pulumi.secret(vaultAdminPassword),
        serverReady: server ? [server] : [],
        adminCredentialsReady: [adminCredentials, kubernetesAuth],
    };
}

/** The database half for an existing PostgreSQL: nothing to create, the roles exist already. */
export function existingDatabase(config: StackConfig): DatabaseHalf {
    return { host: config.database.host!, port: config.database.port, database: config.database.database, ready: [] };
}

/** Where Vault reaches a StackGres primary. */
export function stackGresEndpoint(config: StackConfig): Omit<DatabaseHalf, "ready"> {
    return {
        host: stackGresPrimaryHost(config.database.clusterName, config.database.namespace),
        port: config.database.port,
        database: config.database.database,
    };
}

/** The database secrets engine and one access bundle per application. */
export function buildDatabaseSecrets(
    config: StackConfig,
    vaultHalf: VaultHalfResources,
    database: DatabaseHalf,
): { engine?: DatabaseSecretsEngine; applications: ApplicationVaultAccess[] } {
    if (config.applications.length === 0) {
        return { applications: [] };
    }
    const db = config.database;
    const vopts = { provider: vaultHalf.provider };
    const engine = new DatabaseSecretsEngine(
        "database-secrets",
        {
            path: db.databaseMount,
            connectionName: db.connectionName,
            endpoint: { host: database.host, port: database.port, database: database.database, sslMode: db.sslMode },
            username: db.vaultAdminRole,
            password: vaultHalf.vaultAdminPassword,
            allowedRoles: config.applications.map((a) => a.name),
            rotateRootCredentials: db.rotateVaultAdminPassword,
        },
        // Vault verifies the connection on write: the primary must run and the roles must exist.
        { ...vopts, dependsOn: [...database.ready, vaultHalf.kubernetesAuth] },
    );
    const applications = config.applications.map((app) => {
        const access = new ApplicationDatabaseAccess(
            `app-${app.name}`,
            {
                databaseMount: engine.path,
                connectionName: engine.connectionName,
                staticRoleName: app.name,
                databaseUsername: app.databaseRole,
                rotationPeriodSeconds: app.rotationPeriod,
                authMount: vaultHalf.kubernetesAuth.path,
                authRoleName: app.name,
                serviceAccountNames: [app.serviceAccount],
                namespaces: [app.namespace],
                audience: config.kubernetesAuth.audience,
                tokenTtlSeconds: app.tokenTtl,
            },
            { ...vopts, dependsOn: [engine] },
        );
        const result: ApplicationVaultAccess = {
            name: app.name,
            authRoleName: app.name,
            policyName: `${app.name}-database-creds`,
            staticRoleName: app.name,
            databaseMount: db.databaseMount,
            credsPath: `${db.databaseMount}/static-creds/${app.name}`,
            ready: [access],
        };
        return result;
    });
    return { engine, applications };
}
