import * as pulumi from "@pulumi/pulumi";
import { ContainerResources, SYNCED_SECRET_MOUNT_PATH, appContainer, emptyDirVolume, workloadLabels } from "./workload";
import { createWorkload } from "./workloadResources";

/** Arguments of {@link SyncedSecretApp}. */
export interface SyncedSecretAppArgs {
    /** Namespace of the Deployment (and of the Secret). */
    namespace: string;
    /** The Secret the Vault Secrets Operator keeps in sync (e.g. a {@link DynamicSecretSync}'s `secretName`). */
    secretName: pulumi.Input<string>;
    /** Where the Secret's keys appear as files. Defaults to `/mnt/vault-synced`. */
    mountPath?: string;
    /** The pod's service account. */
    serviceAccountName: string;
    /** Create `serviceAccountName`. */
    createServiceAccount?: boolean;
    /** metadata.name of the Deployment; must match the sync's rollout-restart target. Defaults to the component name. */
    deploymentName?: string;
    /** Container image (pinned). */
    image: string;
    /** Container command. Defaults to sleeping. */
    command?: string[];
    /** Exec readiness check of the container. */
    readinessCommand?: string[];
    /** Seconds between readiness checks. Defaults to 30. */
    readinessPeriodSeconds?: number;
    /** Resources of the container. */
    resources?: ContainerResources;
    /** Fixed UID for plain Kubernetes with root-default images; leave unset on OpenShift. */
    runAsUser?: number;
    /** Extra labels. */
    labels?: { [key: string]: string };
}

/**
 * A Deployment reading a VSO-synced Secret as read-only files. The Secret is not watched: the
 * operator rollout-restarts this Deployment when Vault rotates the credentials.
 */
export class SyncedSecretApp extends pulumi.ComponentResource {
    /** Name of the Deployment. */
    public readonly deploymentName: pulumi.Output<string>;

    constructor(name: string, args: SyncedSecretAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultkit:index:SyncedSecretApp", name, args, opts);
        const deploymentName = args.deploymentName ?? name;
        const labels = workloadLabels(deploymentName, "vault-secrets-operator", args.labels);
        this.deploymentName = createWorkload(
            this,
            name,
            args,
            { deploymentName, labels, automountServiceAccountToken: false },
            () => ({
                containers: [appContainer(args, [{ name: "credentials", mountPath: args.mountPath ?? SYNCED_SECRET_MOUNT_PATH, readOnly: true }], args.readinessPeriodSeconds)],
                // secretName may be an Output of the sync: the Deployment then depends on it too.
                volumes: [{ name: "credentials", secret: { secretName: args.secretName, defaultMode: 0o440 } }, emptyDirVolume("tmp", true)],
            }),
            opts?.dependsOn,
        );
        this.registerOutputs({ deploymentName: this.deploymentName });
    }
}
