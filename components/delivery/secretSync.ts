import * as pulumi from "@pulumi/pulumi";
import { vaultStaticSecretSpec } from "./vso";
import { createSyncedVsoSecret } from "./vsoResources";

/** Arguments of {@link SecretSync}. */
export interface SecretSyncArgs {
    /** Namespace of the VaultConnection, VaultAuth, VaultStaticSecret and the synced Secret (the consumer's namespace). */
    namespace: string;
    /** Vault's address as the operator reaches it, e.g. `http://vault.vault.svc.cluster.local:8200`. */
    vaultAddress: string;
    /** Skip TLS verification of Vault (labs only). Defaults to false. */
    skipTlsVerify?: boolean;
    /** Secret in `namespace` holding Vault's CA certificate under `ca.crt` (https Vault). */
    vaultCaSecretName?: string;
    /** Mount of Vault's Kubernetes auth method. Defaults to `kubernetes`. */
    authMount?: string;
    /** Vault Kubernetes auth role VSO logs in with (seed: `keycloak-role`). */
    authRole: string;
    /** Service account VSO requests a token for; the role must bind it (seed: `default`). */
    serviceAccountName: string;
    /** Token audiences; must match the role's bound audience. Omitted: the cluster's default audience. */
    audiences?: string[];
    /** KV v2 mount (seed: `kv-v2`). */
    kvMount: string;
    /** Secret path inside the mount, without `data/` (seed: `keycloak-postgresql/config`). */
    secretPath: string;
    /** The Secret VSO creates and keeps in sync (seed: `keycloak-postgresql-vault`). */
    destinationSecretName: string;
    /** How often VSO re-reads the KV secret. Defaults to 30 seconds. */
    refreshAfterSeconds?: number;
    /**
     * The StackGres cluster that reads this Secret, if one does. StackGres creates and owns a Secret
     * named exactly like the cluster, so the destination must differ. Unset: no StackGres cluster reads it.
     */
    stackGresClusterName?: string;
    /** Deployments VSO rollout-restarts when the secret changes. */
    rolloutRestartDeployments?: string[];
    /** metadata.name of the three VSO objects. Defaults to the component name. */
    objectName?: string;
    /** How long `pulumi up` waits for the first sync. Defaults to 600 seconds. */
    syncTimeoutSeconds?: number;
    /** Extra labels on every object. */
    labels?: { [key: string]: string };
}

/**
 * Syncs one KV v2 secret into a Kubernetes Secret with the Vault Secrets Operator
 * (VaultConnection + VaultAuth + VaultStaticSecret, all in the consumer's namespace). The
 * VaultStaticSecret is ready only once the Secret exists, so dependents (the SGCluster) can
 * `dependsOn: sync.ready`.
 */
export class SecretSync extends pulumi.ComponentResource {
    /** Name of the synced Secret; carries a dependency on the VaultStaticSecret. */
    public readonly secretName: pulumi.Output<string>;
    /** Depend on these to start after the Secret has been synced at least once. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: SecretSyncArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything.
        if (args.stackGresClusterName !== undefined) {
            assertNotStackGresOwned(args.destinationSecretName, args.stackGresClusterName);
        }
        super("vaultkit:index:SecretSync", name, args, opts);

        const staticSecret = createSyncedVsoSecret(
            this,
            name,
            args,
            "VaultStaticSecret",
            (vaultAuthName) =>
                vaultStaticSecretSpec({
                    vaultAuthName,
                    mount: args.kvMount,
                    path: args.secretPath,
                    refreshAfterSeconds: args.refreshAfterSeconds ?? 30,
                    destinationSecretName: args.destinationSecretName,
                    rolloutRestartDeployments: args.rolloutRestartDeployments,
                }),
            opts?.dependsOn,
        );

        this.ready = [staticSecret];
        // Derived from the VaultStaticSecret's URN (known at preview) so users inherit the dependency.
        this.secretName = staticSecret.urn.apply(() => args.destinationSecretName);
        this.registerOutputs({ secretName: this.secretName });
    }
}

/**
 * Refuses a destination Secret that StackGres owns: both controllers would overwrite each other
 * and the cluster's generated credentials would replace Vault's.
 */
export function assertNotStackGresOwned(destinationSecretName: string, stackGresClusterName: string): void {
    if (destinationSecretName === stackGresClusterName) {
        throw new Error(
            `destinationSecretName '${destinationSecretName}' is the Secret StackGres creates and owns for SGCluster '${stackGresClusterName}'; ` +
                `VSO and StackGres would overwrite each other. Use another name, e.g. '${stackGresClusterName}-vault'.`,
        );
    }
}
