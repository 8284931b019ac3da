/**
 * The Vault part of the graph: the server (or an existing Vault), the provider that configures it,
 * Kubernetes auth, the admin credentials in KV v2, and the database secrets engine with one static
 * role, policy and auth role per application.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";
import { ApplicationDatabaseAccess } from "../components/vault/applicationDatabaseAccess";
import { DatabaseSecretsEngine } from "../components/vault/databaseSecretsEngine";
import { StackGresAdminCredentials } from "../components/stackgres/stackGresAdminCredentials";
import { VaultBootstrap } from "../components/vault/vaultBootstrap";
import { VaultKubernetesAuth } from "../components/vault/vaultKubernetesAuth";
import { VaultServer } from "../components/vault/vaultServer";
import { kvDataPath } from "../components/vault/paths";
import { connectionRoles, StackConfig } from "./config";
import { ApplicationVaultAccess, DatabasePart, KubernetesProviders, Namespaces, VaultPart } from "./contracts";
import { kubectlJobImage, kubectlJobRunAsUser } from "./jobs";
import { statefulTransformations } from "./protection";
import { adminAuthRoles, applicationAccessArgs, applicationVaultNames, databaseSecretsEngineArgs } from "./vaultArgs";

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

/**
 * The deployed Vault server and, for HA with `vault.bootstrap`, the Job that initialises it and
 * completes once every Raft member is unsealed. Nothing here needs a Vault token, so the first
 * `pulumi up` of an HA stack (`vault.bootstrapOnly`) builds only this.
 */
export function buildVaultServer(
    config: StackConfig,
    opts: { providers: Partial<KubernetesProviders>; namespaces: Namespaces },
): { server?: VaultServer; bootstrap?: VaultBootstrap } {
    if (config.vault.mode !== "deploy") {
        return {};
    }
    const kubernetes = opts.providers.kubernetes;
    if (!kubernetes) {
        throw new Error("deploying Vault needs a Kubernetes provider");
    }
    const ns = opts.namespaces[config.vault.namespace];
    const namespace = ns ? ns.metadata.name : config.vault.namespace;
    const ha = config.vault.server === "ha";
    const server = new VaultServer(
        config.vault.releaseName,
        {
            namespace,
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
            tlsSecretName: ha ? config.vault.tlsSecretName : undefined,
            sealConfig: ha ? config.vault.sealConfig : undefined,
            sealSecretEnv: ha ? config.vault.sealSecretEnv : undefined,
            clientCaSecretName: config.vault.caSecretName,
            externalAddress: config.vault.address!,
        },
        { providers: { kubernetes } },
    );
    const b = config.vault.bootstrap;
    if (!ha || !b) {
        return { server };
    }
    const bootstrap = new VaultBootstrap(
        `${config.vault.releaseName}-bootstrap`,
        {
            namespace,
            releaseName: config.vault.releaseName,
            replicas: config.vault.haReplicas,
            tlsSecretName: config.vault.tlsSecretName,
            recoveryPgpKeys: b.pgpKeys,
            rootTokenPgpKey: b.rootTokenPgpKey,
            recoveryThreshold: b.threshold,
            autoUnseal: config.vault.sealConfig !== undefined,
            production: config.production,
            images: { kubectl: b.kubectlImage ?? kubectlJobImage(config) },
            runAsUser: kubectlJobRunAsUser(config),
            timeoutSeconds: b.timeout,
        },
        { providers: { kubernetes }, dependsOn: [server] },
    );
    return { server, bootstrap };
}

/** Where pods reach Vault, and the Secret with its CA in each consuming namespace, from config. */
function podConnection(config: StackConfig): VaultPart["connection"] {
    return { address: config.vault.inClusterAddress, caSecretName: config.vault.caSecretName };
}

/** What the Kubernetes objects use of Vault's admin-credentials setup: names only, from config. */
function adminNames(config: StackConfig): VaultPart["admin"] {
    const db = config.database;
    return { kvMount: db.kvMount, secretPath: db.adminSecretPath, policyName: db.adminPolicyName, authRoleName: db.adminAuthRole };
}

/**
 * `vault.configure: false`: another stack or team owns Vault's mounts, policies, auth roles and database
 * engine. No Vault resource and no vault provider; the Kubernetes objects get the same names they would
 * otherwise. StackGres creates the Vault admin role with the password that owner gave Vault's connection.
 */
function unconfiguredVaultPart(config: StackConfig): VaultPart {
    const admin = adminNames(config);
    return {
        connection: podConnection(config),
        authMount: config.kubernetesAuth.mount,
        admin,
        adminCredentialsPath: pulumi.output(kvDataPath(admin.kvMount, admin.secretPath)),
        vaultAdminPassword: pulumi.secret(config.databaseAdminPassword ?? ""),
        serverReady: [],
        adminCredentialsReady: [],
    };
}

/** The Vault part for the config: server (deploy mode), provider, Kubernetes auth and the admin credentials. */
export function buildVaultPart(config: StackConfig, opts: { providers: Partial<KubernetesProviders>; namespaces: Namespaces }): VaultPart {
    if (!config.vault.configure) {
        return unconfiguredVaultPart(config);
    }
    const { server, bootstrap } = buildVaultServer(config, opts);
    // HA: initialised and every member unsealed (the bootstrap Job completed); dev: the chart ready.
    const serverReady: pulumi.Resource[] = [...(server ? [server] : []), ...(bootstrap ? bootstrap.ready : [])];

    // Every Vault resource uses this provider, and the provider waits for the server: Vault is
    // configured only once the chart's objects are ready (dev: vault-0 Ready).
    const vaultProvider = new vault.Provider(
        "vault",
        {
            address: config.vault.address!,
            token: providerToken(config, server),
            // A child token would expire mid-run on long applies (default 20 min) and is pointless for a root/admin token.
            skipChildToken: true,
            skipTlsVerify: config.vault.skipTlsVerify,
            // E.g. an OpenShift router's self-signed ingress CA in front of an edge Route.
            ...(config.vault.caCertFile ? { caCertFile: config.vault.caCertFile } : {}),
        },
        { dependsOn: serverReady },
    );
    // Mounts, the auth method, the admin secret and its passwords hold state (stacks/protection.ts).
    const stateful = { providers: { vault: vaultProvider }, transformations: statefulTransformations(config) };

    const db = config.database;
    const adminCredentials = new StackGresAdminCredentials(
        `${db.clusterName}-admin`,
        { kvMount: db.kvMount, secretPath: db.adminSecretPath, policyName: db.adminPolicyName },
        stateful,
    );

    const kubernetesAuth = new VaultKubernetesAuth(
        "kubernetes-auth",
        {
            path: config.kubernetesAuth.mount,
            kubernetesHost: config.kubernetesAuth.kubernetesHost,
            kubernetesCaCert: config.kubernetesAuth.kubernetesCaCert,
            tokenReviewerJwt: config.kubernetesTokenReviewerJwt,
            roles: adminAuthRoles(config, adminCredentials.policyName),
        },
        stateful,
    );

    // The Vault admin PostgreSQL role's password: StackGres creates the role with it (SGScript),
    // Vault's database connection logs in with it. Never the StackGres superuser's. An existing
    // database brings its own (secret config).
    const vaultAdminPassword =
        config.database.mode === "existing"
            ? pulumi.secret(config.databaseAdminPassword ?? "")
            : new random.RandomPassword("vault-admin-password", { length: 32, special: false }).result;

    return {
        vaultProvider,
        server,
        bootstrap,
        kubernetesAuth,
        adminCredentials,
        connection: podConnection(config),
        authMount: config.kubernetesAuth.mount,
        admin: adminNames(config),
        adminCredentialsPath: adminCredentials.dataPath,
        vaultAdminPassword: pulumi.secret(vaultAdminPassword),
        serverReady,
        adminCredentialsReady: [adminCredentials, kubernetesAuth],
    };
}

/** The database secrets engine and one access bundle per application. */
export function buildDatabaseSecrets(
    config: StackConfig,
    vaultPart: VaultPart,
    database: DatabasePart,
): { engine?: DatabaseSecretsEngine; applications: ApplicationVaultAccess[] } {
    if (connectionRoles(config).staticRoleNames.length === 0) {
        return { applications: [] };
    }
    const { vaultProvider, kubernetesAuth } = vaultPart;
    if (!vaultProvider || !kubernetesAuth) {
        // vault.configure false: Vault's owner declares the engine and the static roles. Those work only once
        // the database roles exist, so the applications still wait for the database (as the engine would).
        return { applications: config.applications.map((app) => ({ ...applicationVaultNames(config, app), ready: [...database.ready] })) };
    }
    const providers = { vault: vaultProvider };
    const engine = new DatabaseSecretsEngine(
        "database-secrets",
        databaseSecretsEngineArgs(config, database, vaultPart.vaultAdminPassword),
        // Vault verifies the connection on write: the primary must run and the roles must exist.
        { providers, transformations: statefulTransformations(config), dependsOn: [...database.ready, kubernetesAuth] },
    );
    const applications = config.applications.map((app) => {
        const access = new ApplicationDatabaseAccess(
            `app-${app.name}`,
            applicationAccessArgs(config, app, { databaseMount: engine.path, connectionName: engine.connectionName, authMount: kubernetesAuth.path }),
            { providers, dependsOn: [engine] },
        );
        const result: ApplicationVaultAccess = { ...applicationVaultNames(config, app), ready: [access] };
        return result;
    });
    return { engine, applications };
}
