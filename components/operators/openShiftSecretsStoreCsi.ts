/**
 * The Secrets Store CSI driver on OpenShift: Red Hat's operator from `redhat-operators` in
 * `openshift-cluster-csi-drivers` (with the OperatorGroup OLM needs there), then the
 * ClusterCSIDriver that makes it deploy the driver, created only once the operator is installed and
 * awaited until the operator reports the driver's node DaemonSet available.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childDependsOn } from "../dependencies";
import { standardLabels } from "../kubernetes/labels";
import { secretsStoreCsi } from "./catalog/secretsStoreCsi";
import { clusterCsiDriverManifest, clusterCsiDriverWaitFor } from "./operatorCatalog";
import { DEFAULT_OPERATOR_WAIT_SECONDS } from "./operatorReadyWait";
import { OperatorSubscription } from "./operatorSubscription";

/** Arguments of {@link OpenShiftSecretsStoreCsi}. */
export interface OpenShiftSecretsStoreCsiArgs {
    /** `Automatic` (default) or `Manual`. */
    installPlanApproval?: pulumi.Input<string>;
    /** Update channel; `preview` through OpenShift 4.15, `stable` from 4.16. Defaults to the pinned one. */
    channel?: pulumi.Input<string>;
    /** Create the OperatorGroup in `openshift-cluster-csi-drivers` (skip if one already exists there). Defaults to true. */
    createOperatorGroup?: boolean;
    /** How long to wait for the install. Defaults to 900 s. */
    timeoutSeconds?: number;
    /** Pinned image with `sh` and `kubectl` for the wait Job. Defaults to OpenShift's `ose-cli`. */
    waitImage?: string;
}

/** Operator subscription plus ClusterCSIDriver; `ready` is what SecretProviderClasses must `dependsOn`. */
export class OpenShiftSecretsStoreCsi extends pulumi.ComponentResource {
    /** What SecretProviderClasses and CSI-mounting pods must `dependsOn`. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: OpenShiftSecretsStoreCsiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultkit:index:OpenShiftSecretsStoreCsi", name, args, opts);
        const olm = secretsStoreCsi.olm;
        const offer = olm.catalogs[olm.catalog]!;
        const operator = new OperatorSubscription(
            `${name}-operator`,
            {
                namespace: olm.namespace,
                packageName: offer.package,
                channel: args.channel ?? olm.channel,
                source: olm.catalog,
                installPlanApproval: args.installPlanApproval,
                csvPrefix: offer.csvPrefix,
                createOperatorGroup: args.createOperatorGroup ?? olm.createOperatorGroup,
                crdNames: [...secretsStoreCsi.crds],
                timeoutSeconds: args.timeoutSeconds,
                waitImage: args.waitImage,
            },
            { parent: this, dependsOn: childDependsOn(opts) },
        );
        const manifest = clusterCsiDriverManifest();
        const clusterCsiDriver = new k8s.apiextensions.CustomResource(
            `${name}-clustercsidriver`,
            {
                apiVersion: manifest.apiVersion,
                kind: manifest.kind,
                metadata: {
                    ...manifest.metadata,
                    labels: standardLabels(),
                    annotations: { "pulumi.com/waitFor": clusterCsiDriverWaitFor(), "pulumi.com/timeoutSeconds": String(args.timeoutSeconds ?? DEFAULT_OPERATOR_WAIT_SECONDS) },
                },
                spec: manifest.spec,
            },
            { parent: this, dependsOn: operator.ready },
        );
        this.ready = [...operator.ready, clusterCsiDriver];
        this.registerOutputs({});
    }
}
