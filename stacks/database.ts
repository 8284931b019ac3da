/**
 * The database part of the graph. `stackgres` mode declares the SGCluster (credentials synced from
 * Vault KV, roles created by an SGScript) after the StackGres operator is installed and the admin
 * Secret is synced; `existing` mode declares nothing and points Vault at the configured host.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { POSTGRES_PORT, stackGresPrimaryHost } from "../components/stackgres/clusterSpecs";
import { StackGresCluster } from "../components/stackgres/stackGresCluster";
import { StackConfig } from "./config";
import { DatabaseHalf, Namespaces, OperatorsReady, VaultHalf } from "./contracts";
import { kubectlJobImage } from "./jobs";
import { statefulTransformations } from "./protection";

/** Builds the database half for the configured mode. */
export function buildDatabase(
    config: StackConfig,
    opts: {
        provider: k8s.Provider;
        namespaces: Namespaces;
        operators: OperatorsReady;
        vault: VaultHalf;
        /** Resources that make the synced admin Secret exist (VaultConnection/VaultAuth/VaultStaticSecret). */
        adminSecretSync: pulumi.Resource[];
        /** PostgreSQL roles Vault static roles manage (one per application). */
        managedRoles: string[];
    },
): DatabaseHalf {
    const db = config.database;
    if (db.mode === "existing") {
        if (!db.host) {
            throw new Error("database.host is required when database.mode is 'existing'");
        }
        return { host: db.host, port: db.port, database: db.database, ready: [] };
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
            providers: { kubernetes: opts.provider },
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
