import * as pulumi from "@pulumi/pulumi";
import { derivedInput } from "../inputs";
import { ContainerSpec, refuseWholeOutputs, WorkloadSpec } from "./args";
import { SYNCED_SECRET_MOUNT_PATH, appContainer, emptyDirVolume } from "./workload";
import { createWorkload } from "./workloadResources";

/** Arguments of {@link SyncedSecretApp}. */
export interface SyncedSecretAppArgs {
    /** Namespace of the Deployment (and of the Secret). A Namespace's `metadata.name` also makes it wait for it. */
    namespace: pulumi.Input<string>;
    /** The Secret the Vault Secrets Operator keeps in sync (e.g. a {@link DynamicSecretSync}'s `secretName`). */
    secretName: pulumi.Input<string>;
    /** Where the Secret's keys appear as files. Defaults to `/mnt/vault-synced`. */
    mountPath?: string;
    /** The Deployment and its service account; `deploymentName` must match the sync's rollout-restart target. */
    workload: WorkloadSpec;
    /** The app container. */
    container: ContainerSpec;
}

/**
 * A Deployment reading a VSO-synced Secret as read-only files. The Secret is not watched: the
 * operator rollout-restarts this Deployment when Vault rotates the credentials.
 */
export class SyncedSecretApp extends pulumi.ComponentResource {
    /** Name of the Deployment. */
    public readonly deploymentName: pulumi.Output<string>;

    constructor(name: string, args: SyncedSecretAppArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseWholeOutputs("SyncedSecretApp", { workload: args.workload });
        super("vaultkit:index:SyncedSecretApp", name, args, opts);
        const container = derivedInput(args.container, (c) =>
            appContainer(c, [{ name: "credentials", mountPath: args.mountPath ?? SYNCED_SECRET_MOUNT_PATH, readOnly: true }]),
        );
        this.deploymentName = createWorkload(
            name,
            args,
            {
                pattern: "vault-secrets-operator",
                automountServiceAccountToken: false,
                containers: [container],
                // secretName may be an Output of the sync: the Deployment then depends on it too.
                volumes: [{ name: "credentials", secret: { secretName: args.secretName, defaultMode: 0o440 } }, emptyDirVolume("tmp", true)],
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({ deploymentName: this.deploymentName });
    }
}
