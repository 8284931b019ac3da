import * as pulumi from "@pulumi/pulumi";
import { vaultStaticCredsSecretSpec } from "./vso";
import { createSyncedVsoSecret } from "./vsoResources";

/** Arguments of {@link DynamicSecretSync}. */
export interface DynamicSecretSyncArgs {
    /** Namespace of the VSO objects, the synced Secret and the Deployments to restart. */
    namespace: string;
    /** Vault's address as the operator reaches it. */
    vaultAddress: string;
    /** Skip TLS verification of Vault (labs only). Defaults to false. */
    skipTlsVerify?: boolean;
    /** Secret in `namespace` holding Vault's CA certificate under `ca.crt` (https Vault). */
    vaultCaSecretName?: string;
    /** Mount of Vault's Kubernetes auth method. Defaults to `kubernetes`. */
    authMount?: string;
    /** The application's Vault Kubernetes auth role. */
    authRole: string;
    /** The application's service account (bound by `authRole`). */
    serviceAccountName: string;
    /** Token audiences; must match the role's bound audience. */
    audiences?: string[];
    /** Mount of the database secrets engine (e.g. `database`). */
    databaseMount: string;
    /** The Vault static role; VSO reads `<databaseMount>/static-creds/<staticRoleName>`. */
    staticRoleName: string;
    /** The Secret VSO creates with `username` and `password`. */
    destinationSecretName: string;
    /** Deployments in `namespace` VSO rollout-restarts after each rotation, so pods pick up the new password. */
    rolloutRestartDeployments: string[];
    /** metadata.name of the three VSO objects. Defaults to the component name. */
    objectName?: string;
    /** How long `pulumi up` waits for the first sync. Defaults to 600 seconds. */
    syncTimeoutSeconds?: number;
    /** Extra labels on every object. */
    labels?: { [key: string]: string };
}

/**
 * Syncs a database static role's current credentials into a Secret with the Vault Secrets
 * Operator (`VaultDynamicSecret` with `allowStaticCreds`), and rollout-restarts the consuming
 * Deployments whenever Vault rotates the password.
 */
export class DynamicSecretSync extends pulumi.ComponentResource {
    /** Name of the synced Secret; carries a dependency on the VaultDynamicSecret. */
    public readonly secretName: pulumi.Output<string>;
    /** Depend on these to start after the Secret has been synced at least once. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: DynamicSecretSyncArgs, opts?: pulumi.ComponentResourceOptions) {
        if (args.rolloutRestartDeployments.length === 0) {
            throw new Error("rolloutRestartDeployments must name at least one Deployment: without a restart, pods keep the rotated-out password");
        }
        super("vaultkit:index:DynamicSecretSync", name, args, opts);
        const dynamicSecret = createSyncedVsoSecret(
            this,
            name,
            args,
            "VaultDynamicSecret",
            (vaultAuthName) =>
                vaultStaticCredsSecretSpec({
                    vaultAuthName,
                    databaseMount: args.databaseMount,
                    staticRoleName: args.staticRoleName,
                    destinationSecretName: args.destinationSecretName,
                    rolloutRestartDeployments: args.rolloutRestartDeployments,
                }),
            opts?.dependsOn,
        );

        this.ready = [dynamicSecret];
        this.secretName = dynamicSecret.urn.apply(() => args.destinationSecretName);
        this.registerOutputs({ secretName: this.secretName });
    }
}
