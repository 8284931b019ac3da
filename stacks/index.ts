/**
 * The composition: one dependency graph per environment, in the order the ordering hazards
 * demand (see ../shared/design/architecture.md):
 *
 *   namespaces -> operators (installed, CRDs served) -> Vault server -> Vault config
 *     -> admin Secret synced by VSO -> SGCluster (primary up, roles created by SGScript)
 *     -> database connection + static roles -> application workloads
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { connectionRoles, StackConfig } from "./config";
import { DatabasePart } from "./contracts";
import { buildDatabase, existingDatabase } from "./database";
import { buildAdminSecretSync, buildDelivery } from "./delivery";
import { buildNamespaces, needsKubernetes } from "./namespaces";
import { buildOperators, noOperators } from "./operators";
import { buildDatabaseSecrets, buildVaultPart, buildVaultServer } from "./vault";
import { applicationVaultNames } from "./vaultArgs";

/** What a stack exports. */
export interface StackOutputs {
    /** Where the Pulumi program reached Vault. */
    vaultAddress: string;
    /** Where pods reach Vault. */
    vaultInClusterAddress: string;
    /** The generated dev root token (secret); absent for HA or existing Vaults. */
    vaultRootToken?: pulumi.Output<string>;
    /** HA with `vault.bootstrap`: the Secret holding the PGP-encrypted init output (docs/ha-vault.md). */
    vaultInitSecretName?: pulumi.Output<string>;
    /** API path of the database admin credentials (absent on a `vault.bootstrapOnly` run). */
    adminCredentialsPath?: pulumi.Output<string>;
    /** Host Vault's database connection uses (absent on a `vault.bootstrapOnly` run). */
    databaseHost?: string;
    /** Per application: the path it reads and the Kubernetes auth role it logs in with. */
    applications: { name: string; credsPath: string; authRole: string; delivery: string }[];
    /**
     * What another stack needs to declare an application on this stack's connection (listed in
     * `externalApplications`), for a `StackReference` (absent on a `vault.bootstrapOnly` run).
     */
    sharedConnection?: { databaseMount: string; connectionName: string; kubernetesAuthMount: string; audience: string; vaultInClusterAddress: string };
}

/** Declares everything for one environment. */
export function buildStack(config: StackConfig): StackOutputs {
    const kubernetes = needsKubernetes(config)
        ? new k8s.Provider("kubernetes", config.kubeContext ? { context: config.kubeContext } : {})
        : undefined;
    const namespaces = kubernetes ? buildNamespaces(config, { providers: { kubernetes } }) : {};
    const operators = kubernetes ? buildOperators(config, { providers: { kubernetes }, namespaces }) : noOperators();

    if (config.vault.bootstrapOnly) {
        // First up of an HA stack: install and initialise Vault; no token exists yet to configure it.
        const { bootstrap } = buildVaultServer(config, { providers: { kubernetes }, namespaces });
        return {
            vaultAddress: config.vault.address!,
            vaultInClusterAddress: config.vault.inClusterAddress,
            vaultInitSecretName: bootstrap?.initSecretName,
            applications: [],
        };
    }

    const vaultPart = buildVaultPart(config, { providers: { kubernetes }, namespaces });

    let database: DatabasePart;
    if (config.database.mode === "stackgres") {
        // needsKubernetes is true in stackgres mode.
        const providers = { kubernetes: kubernetes! };
        const adminSync = buildAdminSecretSync(config, { providers, namespaces, operators, vault: vaultPart });
        database = buildDatabase(config, {
            providers,
            namespaces,
            operators,
            vault: vaultPart,
            adminSecretSync: adminSync ? [adminSync] : [],
            managedRoles: connectionRoles(config).databaseRoles,
        });
    } else {
        database = existingDatabase(config);
    }

    const secrets = buildDatabaseSecrets(config, vaultPart, database);

    if (kubernetes) {
        buildDelivery(config, {
            providers: { kubernetes },
            namespaces,
            operators,
            vault: vaultPart,
            applications: secrets.applications,
            databaseHost: database.host,
            databasePort: database.port,
        });
    }

    return {
        vaultAddress: config.vault.address!,
        vaultInClusterAddress: config.vault.inClusterAddress,
        vaultRootToken: vaultPart.server?.rootToken,
        vaultInitSecretName: vaultPart.bootstrap?.initSecretName,
        adminCredentialsPath: vaultPart.adminCredentialsPath,
        databaseHost: database.host,
        applications: config.applications.map((a) => {
            const names = applicationVaultNames(config, a);
            return { name: a.name, credsPath: names.credsPath, authRole: names.authRoleName, delivery: a.delivery };
        }),
        sharedConnection: {
            databaseMount: config.database.databaseMount,
            connectionName: config.database.connectionName,
            kubernetesAuthMount: config.kubernetesAuth.mount,
            audience: config.kubernetesAuth.audience,
            vaultInClusterAddress: config.vault.inClusterAddress,
        },
    };
}
