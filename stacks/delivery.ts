/**
 * The delivery part of the graph: how credentials reach pods.
 *
 * - `buildAdminSecretSync`: VSO syncs the admin KV secret into the Secret the SGCluster reads. It
 *   runs BEFORE the database part, which depends on the returned component's `ready`.
 * - `buildDelivery`: the seed's debug workloads reading the admin secret (CSI, injector, direct),
 *   and per application its ServiceAccount plus, when `deployWorkload`, its delivery pattern reading
 *   only its own static credentials.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { VaultKubernetesLogin } from "../components/delivery/args";
import { CsiSecretMount } from "../components/delivery/csiSecretMount";
import { DirectVaultAccess } from "../components/delivery/directVaultAccess";
import { DynamicSecretSync } from "../components/delivery/dynamicSecretSync";
import { InjectedSecret, kvJsonTemplate, staticCredsPasswordTemplate } from "../components/delivery/injectedSecret";
import { PropagationIntervals, propagationDelaySeconds } from "../components/delivery/propagation";
import { PsqlCheckInputs, psqlCheckCommand, psqlCheckLoopScript } from "../components/delivery/scripts";
import { SecretSync } from "../components/delivery/secretSync";
import { SyncedSecretApp } from "../components/delivery/syncedSecretApp";
import { UserCredentialsApp } from "../components/delivery/userCredentialsApp";
import { SECRETS_MOUNT_PATH, SYNCED_SECRET_MOUNT_PATH } from "../components/delivery/workload";
import { DEFAULT_ROTATION_POLL_INTERVAL } from "../components/operators/catalog";
import { kvDataPath } from "../components/vault/paths";
import { PINNED } from "../components/versions";
import { adminSyncServiceAccountName, ApplicationConfig, debugServiceAccountName, debugWorkloadsEnabled, DeliveryPattern, StackConfig, parseDurationSeconds } from "./config";
import { ApplicationVaultAccess, KubernetesProviders, Namespaces, OperatorsReady, VaultPart } from "./contracts";

export { propagationDelaySeconds } from "../components/delivery/propagation";

/** The intervals this stack configures (no config keys yet; the README's table is computed from these). */
export const DELIVERY_INTERVALS = {
    /** Direct access and user-credentials fetchers re-read Vault this often. */
    fetchIntervalSeconds: 30,
    /** Sample apps check their database login this often (also their readiness period). */
    checkIntervalSeconds: 30,
    /** Vault agent re-render interval for lease-less secrets (the KV debug file; static creds follow their TTL). */
    injectorStaticSecretRenderIntervalSeconds: 30,
    /** The CSI driver's `rotationPollInterval` as the operators part configures it. */
    csiRotationPollIntervalSeconds: parseDurationSeconds(DEFAULT_ROTATION_POLL_INTERVAL)!,
    /** Estimate of a rollout restart of the small sample pods (pull cached, one replica). */
    rolloutRestartSeconds: 30,
} as const;

/** Worst-case seconds from a scheduled Vault rotation until a pod sees the password, per pattern. */
export function deliveryPropagationTable(intervals: PropagationIntervals = DELIVERY_INTERVALS): Record<DeliveryPattern, number> {
    return {
        sync: propagationDelaySeconds("sync", intervals),
        csi: propagationDelaySeconds("csi", intervals),
        injector: propagationDelaySeconds("injector", intervals),
        direct: propagationDelaySeconds("direct", intervals),
    };
}

/**
 * On plain Kubernetes the UBI and postgres images default to root, so `runAsNonRoot` needs a UID;
 * on OpenShift the restricted-v2 SCC assigns one from the namespace range and a fixed UID is refused.
 */
export const PLAIN_KUBERNETES_UID = 1001;

/** The pod UID for this platform (see {@link PLAIN_KUBERNETES_UID}). */
export function workloadRunAsUser(config: StackConfig): number | undefined {
    return config.platform === "kubernetes" ? PLAIN_KUBERNETES_UID : undefined;
}

/** The namespace `name`; when this stack creates it, its `metadata.name`, so whatever lands in it waits for it. */
function namespaceInput(namespaces: Namespaces, name: string): pulumi.Input<string> {
    return namespaces[name]?.metadata.name ?? name;
}

/** The Kubernetes login as `role`, with the stack's auth mount and token audience. */
function vaultLogin(config: StackConfig, vault: VaultPart, role: string): VaultKubernetesLogin {
    return { role, authMount: vault.authMount, audience: config.kubernetesAuth.audience };
}

/**
 * A ServiceAccount a pod logs in to Vault as. Its API token is not auto-mounted: the workloads mount
 * an audience-bound projected token for Vault instead.
 */
function vaultLoginServiceAccount(
    resourceName: string,
    sa: { name: string; namespace: string; labels: Record<string, string> },
    opts: { providers: KubernetesProviders; namespaces: Namespaces },
): k8s.core.v1.ServiceAccount {
    return new k8s.core.v1.ServiceAccount(
        resourceName,
        {
            metadata: {
                name: sa.name,
                namespace: namespaceInput(opts.namespaces, sa.namespace),
                labels: { "app.kubernetes.io/part-of": "vaultkit", "app.kubernetes.io/managed-by": "pulumi", ...sa.labels },
            },
            automountServiceAccountToken: false,
        },
        { provider: opts.providers.kubernetes },
    );
}

/**
 * The Vault Secrets Operator sync of the database admin credentials (KV v2) into
 * `database.syncedSecretName`, in the database namespace. Only for `database.mode: stackgres`;
 * the database part makes the SGCluster depend on the result's `ready`.
 */
export function buildAdminSecretSync(
    config: StackConfig,
    opts: { providers: KubernetesProviders; namespaces: Namespaces; operators: OperatorsReady; vault: VaultPart },
): SecretSync | undefined {
    if (config.database.mode !== "stackgres") {
        return undefined;
    }
    const db = config.database;
    // Its own service account, not the namespace's `default`: only the admin sync (and the debug
    // workloads, when on) may log in to the admin role (adminRoleBinding).
    const serviceAccount = vaultLoginServiceAccount(
        `${db.clusterName}-admin-sync-serviceaccount`,
        { name: adminSyncServiceAccountName(db.clusterName), namespace: db.namespace, labels: { "vaultkit.dev/role": "admin-sync" } },
        opts,
    );
    return new SecretSync(
        `${db.clusterName}-admin-sync`,
        {
            namespace: namespaceInput(opts.namespaces, db.namespace),
            vault: opts.vault.connection,
            login: { ...vaultLogin(config, opts.vault, opts.vault.admin.authRoleName), serviceAccountName: adminSyncServiceAccountName(db.clusterName) },
            kvMount: opts.vault.admin.kvMount,
            secretPath: opts.vault.admin.secretPath,
            destinationSecretName: db.syncedSecretName,
            refreshAfterSeconds: db.refreshAfter,
            stackGresClusterName: db.clusterName,
            // The seed's VaultStaticSecret name; VaultConnection and VaultAuth share it (other kinds).
            objectName: db.clusterName,
        },
        {
            providers: opts.providers,
            dependsOn: [serviceAccount, ...opts.operators.vaultSecretsOperator, ...opts.vault.adminCredentialsReady],
        },
    );
}

/**
 * With a private CA the CSI provider talks to Vault directly and verifies it with the CA the Vault
 * chart mounted into it; otherwise it uses the address the chart configured.
 */
function csiVault(vault: VaultPart): VaultPart["connection"] | undefined {
    return vault.connection.caSecretName ? vault.connection : undefined;
}

/**
 * The agent injector's own address (the Vault chart's), and Vault's CA when there is one.
 */
function injectorVault(vault: VaultPart): VaultPart["connection"] {
    return { caSecretName: vault.connection.caSecretName };
}

/** What {@link buildDelivery} needs. */
export interface DeliveryOptions {
    providers: KubernetesProviders;
    namespaces: Namespaces;
    operators: OperatorsReady;
    vault: VaultPart;
    applications: ApplicationVaultAccess[];
    /** Host applications connect to (the StackGres primary service or the existing database). */
    databaseHost: string;
    databasePort: number;
}

/** Debug workloads and per-application delivery. The admin sync is {@link buildAdminSecretSync}'s. */
export function buildDelivery(config: StackConfig, opts: DeliveryOptions): { workloads: pulumi.Resource[] } {
    // Check every application before registering anything.
    const accessByName = new Map(opts.applications.map((a) => [a.name, a]));
    const applications = config.applications.map((app) => {
        const access = accessByName.get(app.name);
        if (!access) {
            throw new Error(`application '${app.name}' has no Vault access (role, policy, static role); the Vault part must return one per application`);
        }
        return { app, access };
    });

    const workloads: pulumi.Resource[] = [];
    const componentOpts = (dependsOn: pulumi.Resource[]): pulumi.ComponentResourceOptions => ({
        providers: opts.providers,
        dependsOn,
    });
    workloads.push(...buildDebugWorkloads(config, opts, componentOpts));

    for (const { app, access } of applications) {
        const sa = applicationServiceAccount(app, opts);
        workloads.push(...sa);
        if (app.deployWorkload) {
            workloads.push(...buildApplicationWorkload(config, app, access, sa, opts, componentOpts));
        }
    }
    return { workloads };
}

function buildDebugWorkloads(
    config: StackConfig,
    opts: DeliveryOptions,
    componentOpts: (d: pulumi.Resource[]) => pulumi.ComponentResourceOptions,
): pulumi.Resource[] {
    const d = config.debugWorkloads;
    const out: pulumi.Resource[] = [];
    if (!debugWorkloadsEnabled(d)) {
        return out;
    }
    const db = config.database;
    const namespace = d.namespace ?? db.namespace;
    const admin = opts.vault.admin;
    const adminDataPath = kvDataPath(admin.kvMount, admin.secretPath);
    // The seed's file name, in all three debug pods.
    const fileName = `${db.clusterName}-vault`;
    const serviceAccount = vaultLoginServiceAccount(
        `${db.clusterName}-debug-serviceaccount`,
        { name: debugServiceAccountName(db.clusterName), namespace, labels: { "vaultkit.dev/role": "debug" } },
        opts,
    );
    out.push(serviceAccount);
    const deps = [serviceAccount, ...opts.vault.adminCredentialsReady];
    const common = {
        namespace: namespaceInput(opts.namespaces, namespace),
        login: vaultLogin(config, opts.vault, admin.authRoleName),
        workload: { serviceAccountName: debugServiceAccountName(db.clusterName), runAsUser: workloadRunAsUser(config) },
        container: { image: d.image },
    };

    // One branch per seed debug pod, alike in shape on purpose (the duplicates report lists them): each
    // names its own component, how it reaches Vault and what it waits for; a table would hide those.
    if (d.csi) {
        out.push(
            new CsiSecretMount(
                `${db.clusterName}-debug-csi`,
                { ...common, vault: csiVault(opts.vault), objects: [{ objectName: fileName, apiPath: adminDataPath }] },
                componentOpts([...deps, ...opts.operators.secretsStoreCsi]),
            ),
        );
    }
    if (d.injector) {
        out.push(
            new InjectedSecret(
                `${db.clusterName}-debug-injector`,
                {
                    ...common,
                    vault: injectorVault(opts.vault),
                    files: [{ fileName, apiPath: adminDataPath, template: kvJsonTemplate(adminDataPath) }],
                    staticSecretRenderIntervalSeconds: DELIVERY_INTERVALS.injectorStaticSecretRenderIntervalSeconds,
                },
                componentOpts([...deps, ...opts.vault.serverReady]),
            ),
        );
    }
    if (d.direct) {
        out.push(
            new DirectVaultAccess(
                `${db.clusterName}-debug-direct`,
                {
                    ...common,
                    vault: opts.vault.connection,
                    apiPath: adminDataPath,
                    outputFile: `/tmp/${fileName}`,
                    fetchIntervalSeconds: DELIVERY_INTERVALS.fetchIntervalSeconds,
                },
                componentOpts(deps),
            ),
        );
    }
    return out;
}

/** The application's ServiceAccount (one per application: the config refuses shared ones); `default` always exists. */
function applicationServiceAccount(app: ApplicationConfig, opts: DeliveryOptions): k8s.core.v1.ServiceAccount[] {
    if (app.serviceAccount === "default") {
        return [];
    }
    return [vaultLoginServiceAccount(`${app.name}-serviceaccount`, { name: app.serviceAccount, namespace: app.namespace, labels: { "vaultkit.dev/application": app.name } }, opts)];
}

function buildApplicationWorkload(
    config: StackConfig,
    app: ApplicationConfig,
    access: ApplicationVaultAccess,
    serviceAccount: k8s.core.v1.ServiceAccount[],
    opts: DeliveryOptions,
    componentOpts: (d: pulumi.Resource[]) => pulumi.ComponentResourceOptions,
): pulumi.Resource[] {
    const namespace = namespaceInput(opts.namespaces, app.namespace);
    const deps = [...serviceAccount, ...access.ready];
    const login = vaultLogin(config, opts.vault, access.authRoleName);
    const psqlImage = app.image ?? PINNED.psqlImage;
    const psqlAt = (passwordFile: string): PsqlCheckInputs => ({
        user: app.databaseRole,
        host: opts.databaseHost,
        port: opts.databasePort,
        database: config.database.database,
        passwordFile,
        sslMode: config.database.sslMode,
    });
    const checkContainer = (passwordFile: string) => ({
        image: psqlImage,
        command: ["sh", "-c", psqlCheckLoopScript(psqlAt(passwordFile), DELIVERY_INTERVALS.checkIntervalSeconds)],
        readinessCommand: ["sh", "-c", `${psqlCheckCommand(psqlAt(passwordFile))} >/dev/null`],
    });
    const passwordFile = `${SECRETS_MOUNT_PATH}/password`;
    const workload = {
        serviceAccountName: app.serviceAccount,
        deploymentName: app.name,
        runAsUser: workloadRunAsUser(config),
        labels: { "vaultkit.dev/application": app.name },
    };

    switch (app.delivery) {
        case "sync": {
            const sync = new DynamicSecretSync(
                `${app.name}-sync`,
                {
                    namespace,
                    vault: opts.vault.connection,
                    login: { ...login, serviceAccountName: app.serviceAccount },
                    databaseMount: access.databaseMount,
                    staticRoleName: access.staticRoleName,
                    destinationSecretName: `${app.name}-db-credentials`,
                    rolloutRestartDeployments: [app.name],
                    objectName: app.name,
                    labels: workload.labels,
                },
                componentOpts([...deps, ...opts.operators.vaultSecretsOperator]),
            );
            const consumer = new SyncedSecretApp(
                app.name,
                {
                    namespace,
                    workload,
                    container: { ...checkContainer(`${SYNCED_SECRET_MOUNT_PATH}/password`), readinessPeriodSeconds: DELIVERY_INTERVALS.checkIntervalSeconds },
                    secretName: sync.secretName,
                },
                componentOpts([...deps, ...sync.ready]),
            );
            return [sync, consumer];
        }
        case "csi":
            return [
                new CsiSecretMount(
                    app.name,
                    {
                        namespace,
                        workload,
                        container: checkContainer(passwordFile),
                        vault: csiVault(opts.vault),
                        login,
                        objects: [{ objectName: "password", apiPath: access.credsPath, secretKey: "password" }],
                    },
                    componentOpts([...deps, ...opts.operators.secretsStoreCsi]),
                ),
            ];
        case "injector":
            return [
                new InjectedSecret(
                    app.name,
                    {
                        namespace,
                        workload,
                        container: checkContainer(passwordFile),
                        vault: injectorVault(opts.vault),
                        login,
                        files: [{ fileName: "password", apiPath: access.credsPath, template: staticCredsPasswordTemplate(access.credsPath) }],
                        staticSecretRenderIntervalSeconds: DELIVERY_INTERVALS.injectorStaticSecretRenderIntervalSeconds,
                    },
                    componentOpts([...deps, ...opts.vault.serverReady]),
                ),
            ];
        case "direct":
            return [
                new UserCredentialsApp(
                    app.name,
                    {
                        namespace,
                        workload,
                        vault: opts.vault.connection,
                        login,
                        apiPath: access.credsPath,
                        databaseUser: app.databaseRole,
                        databaseHost: opts.databaseHost,
                        databasePort: opts.databasePort,
                        databaseName: config.database.database,
                        sslMode: config.database.sslMode,
                        fetchIntervalSeconds: DELIVERY_INTERVALS.fetchIntervalSeconds,
                        checkIntervalSeconds: DELIVERY_INTERVALS.checkIntervalSeconds,
                        fetcher: { image: app.image ?? PINNED.debugImage },
                        psql: { image: psqlImage },
                    },
                    componentOpts(deps),
                ),
            ];
        default: {
            const never: never = app.delivery;
            throw new Error(`unknown delivery pattern ${JSON.stringify(never)}`);
        }
    }
}
