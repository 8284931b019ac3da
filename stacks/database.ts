/**
 * The database part of the graph. `stackgres` mode declares the SGCluster (credentials synced from
 * Vault KV, roles created by an SGScript) after the StackGres operator is installed and the admin
 * Secret is synced; `existing` mode ({@link existingDatabase}) declares nothing and points Vault at
 * the configured host.
 */
import * as pulumi from "@pulumi/pulumi";
import { POSTGRES_PORT, stackGresPrimaryHost } from "../components/stackgres/clusterSpecs";
import { StackGresCluster } from "../components/stackgres/stackGresCluster";
import { StackConfig } from "./config";
import { DatabasePart, KubernetesProviders, Namespaces, OperatorsReady, VaultPart } from "./contracts";
import { kubectlJobImage } from "./jobs";
import { statefulTransformations } from "./protection";

/**
 * `database.mode: existing`: nothing to create, the roles exist already; Vault's connection points at
 * the configured host. (parseStackConfig requires `database.host` in this mode.)
 */
export function existingDatabase(config: StackConfig): DatabasePart {
    return { host: config.database.host!, port: config.database.port, database: config.database.database, ready: [] };
}

/** `database.mode: stackgres`: the SGCluster, once the StackGres operator runs and the admin Secret is synced. */
export function buildDatabase(
    config: StackConfig,
    opts: {
        providers: KubernetesProviders;
        namespaces: Namespaces;
        operators: OperatorsReady;
        vault: VaultPart;
        /** Resources that make the synced admin Secret exist (VaultConnection/VaultAuth/VaultStaticSecret). */
        adminSecretSync: pulumi.Resource[];
        /** PostgreSQL roles Vault static roles manage (one per application). */
        managedRoles: string[];
    },
): DatabasePart {
    const db = config.database;
    if (db.mode !== "stackgres") {
        throw new Error(`buildDatabase declares a StackGres cluster; database.mode '${db.mode}' uses existingDatabase`);
    }
    if (opts.operators.stackgres.length === 0) {
        throw new Error("database.mode 'stackgres' needs the StackGres operator: operators.stackgres is empty");
    }
    const namespace = opts.namespaces[db.namespace];
    const cluster = new StackGresCluster(
        db.clusterName,
        {
            namespace: db.namespace,
            clusterName: db.clusterName,
            instances: db.instances,
            postgresVersion: db.postgresVersion,
            volumeSize: db.volumeSize,
            storageClass: db.storageClass,
            credentialsSecretName: db.syncedSecretName,
            vaultAdminRole: db.vaultAdminRole,
            vaultAdminPassword: opts.vault.vaultAdminPassword,
            vaultRotatesAdminPassword: config.database.rotateVaultAdminPassword,
            managedRoles: opts.managedRoles,
            openshift: config.platform === "openshift",
            kubectlImage: kubectlJobImage(config),
        },
        {
            providers: opts.providers,
            // The SGCluster holds the data: protected with `protect` (stacks/protection.ts).
            transformations: statefulTransformations(config),
            dependsOn: [...(namespace ? [namespace] : []), ...opts.operators.stackgres, ...opts.adminSecretSync],
        },
    );
    return {
        host: stackGresPrimaryHost(db.clusterName, db.namespace),
        // The StackGres primary Service always listens on 5432; database.port is for existing databases.
        port: POSTGRES_PORT,
        database: db.database,
        ready: cluster.ready,
    };
}
