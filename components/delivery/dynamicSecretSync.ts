import * as pulumi from "@pulumi/pulumi";
import { derivedInput } from "../inputs";
import { refuseWholeOutputs, VaultConnection, VaultKubernetesLogin } from "./args";
import { vaultStaticCredsSecretSpec } from "./vso";
import { assertVsoArgs, createSyncedVsoSecret, vsoObjectName } from "./vsoResources";

/** Arguments of {@link DynamicSecretSync}. */
export interface DynamicSecretSyncArgs {
    /**
     * Namespace of the VSO objects, the synced Secret and the Deployments to restart. A Namespace's
     * `metadata.name` also makes them wait for it.
     */
    namespace: pulumi.Input<string>;
    /** Vault as the operator reaches it; `address` is required. */
    vault: VaultConnection;
    /** How the operator logs in: the application's role and service account (`serviceAccountName` is required). */
    login: VaultKubernetesLogin;
    /** Mount of the database secrets engine (e.g. `database`). */
    databaseMount: pulumi.Input<string>;
    /** The Vault static role; VSO reads `<databaseMount>/static-creds/<staticRoleName>`. */
    staticRoleName: pulumi.Input<string>;
    /** The Secret VSO creates with `username` and `password`. */
    destinationSecretName: pulumi.Input<string>;
    /** Deployments in `namespace` VSO rollout-restarts after each rotation, so pods pick up the new password. */
    rolloutRestartDeployments: pulumi.Input<string>[];
    /** metadata.name of the three VSO objects. Defaults to the component name. */
    objectName?: pulumi.Input<string>;
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
        refuseWholeOutputs("DynamicSecretSync", { vault: args.vault, login: args.login });
        if (args.rolloutRestartDeployments.length === 0) {
            throw new Error("rolloutRestartDeployments must name at least one Deployment: without a restart, pods keep the rotated-out password");
        }
        assertVsoArgs("DynamicSecretSync", args);
        super("vaultkit:index:DynamicSecretSync", name, args, opts);
        const spec = derivedInput(
            {
                objectName: vsoObjectName(args, name),
                databaseMount: args.databaseMount,
                staticRoleName: args.staticRoleName,
                destinationSecretName: args.destinationSecretName,
                rollout: args.rolloutRestartDeployments,
            },
            (a) =>
                vaultStaticCredsSecretSpec({
                    vaultAuthName: a.objectName,
                    databaseMount: a.databaseMount,
                    staticRoleName: a.staticRoleName,
                    destinationSecretName: a.destinationSecretName,
                    rolloutRestartDeployments: a.rollout,
                }),
        );
        const dynamicSecret = createSyncedVsoSecret(name, { ...args, kind: "VaultDynamicSecret", spec }, { parent: this, dependsOn: opts?.dependsOn });

        this.ready = [dynamicSecret];
        this.secretName = pulumi.all([dynamicSecret.urn, args.destinationSecretName]).apply(([, secretName]) => secretName);
        this.registerOutputs({ secretName: this.secretName });
    }
}
