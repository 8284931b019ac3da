import * as pulumi from "@pulumi/pulumi";
import { derivedInput } from "../inputs";
import { refuseWholeOutputs, VaultConnection, VaultKubernetesLogin } from "./args";
import { vaultStaticSecretSpec } from "./vso";
import { assertVsoArgs, createSyncedVsoSecret, vsoObjectName } from "./vsoResources";

/** Arguments of {@link SecretSync}. */
export interface SecretSyncArgs {
    /**
     * Namespace of the VaultConnection, VaultAuth, VaultStaticSecret and the synced Secret (the
     * consumer's namespace). A Namespace's `metadata.name` also makes them wait for it.
     */
    namespace: pulumi.Input<string>;
    /** Vault as the operator reaches it; `address` is required. */
    vault: VaultConnection;
    /** How the operator logs in; `serviceAccountName` is required. */
    login: VaultKubernetesLogin;
    /** KV v2 mount (seed: `kv-v2`). */
    kvMount: pulumi.Input<string>;
    /** Secret path inside the mount, without `data/` (seed: `keycloak-postgresql/config`). */
    secretPath: pulumi.Input<string>;
    /** The Secret VSO creates and keeps in sync (seed: `keycloak-postgresql-vault`). */
    destinationSecretName: pulumi.Input<string>;
    /** How often VSO re-reads the KV secret. Defaults to 30 seconds. */
    refreshAfterSeconds?: number;
    /**
     * The StackGres cluster that reads this Secret, if one does. StackGres creates and owns a Secret
     * named exactly like the cluster, so the destination must differ. Unset: no StackGres cluster reads it.
     */
    stackGresClusterName?: pulumi.Input<string>;
    /** Deployments VSO rollout-restarts when the secret changes. */
    rolloutRestartDeployments?: pulumi.Input<string>[];
    /** metadata.name of the three VSO objects. Defaults to the component name. */
    objectName?: pulumi.Input<string>;
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
        refuseWholeOutputs("SecretSync", { vault: args.vault, login: args.login });
        // Validate before registering anything (an Output is checked once known).
        assertVsoArgs("SecretSync", args);
        const destinationSecretName =
            args.stackGresClusterName === undefined
                ? args.destinationSecretName
                : derivedInput({ destination: args.destinationSecretName, cluster: args.stackGresClusterName }, ({ destination, cluster }) => {
                      assertNotStackGresOwned(destination, cluster);
                      return destination;
                  });
        super("vaultkit:index:SecretSync", name, args, opts);

        const objectName = vsoObjectName(args, name);
        const spec = derivedInput(
            { objectName, mount: args.kvMount, path: args.secretPath, destinationSecretName, rollout: args.rolloutRestartDeployments },
            (a) =>
                vaultStaticSecretSpec({
                    vaultAuthName: a.objectName,
                    mount: a.mount,
                    path: a.path,
                    refreshAfterSeconds: args.refreshAfterSeconds ?? 30,
                    destinationSecretName: a.destinationSecretName,
                    rolloutRestartDeployments: a.rollout,
                }),
        );
        const staticSecret = createSyncedVsoSecret(name, { ...args, kind: "VaultStaticSecret", spec }, { parent: this, dependsOn: opts?.dependsOn });

        this.ready = [staticSecret];
        // Derived from the VaultStaticSecret's URN (known at preview) so users inherit the dependency.
        this.secretName = pulumi.all([staticSecret.urn, destinationSecretName]).apply(([, secretName]) => secretName);
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
