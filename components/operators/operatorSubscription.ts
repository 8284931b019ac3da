/**
 * An operator installed by OLM (OpenShift OperatorHub): Subscription, an OperatorGroup where the
 * namespace needs one, and a gate that opens only once the CSV succeeded and the CRDs are served.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childDependsOn } from "../dependencies";
import { derivedInput } from "../inputs";
import { standardLabels } from "../kubernetes/labels";
import { DEFAULT_OPERATOR_WAIT_SECONDS, OPERATOR_WAIT_IMAGES, OperatorReadyWait } from "./operatorReadyWait";

/** The catalog namespace of OpenShift's default CatalogSources. */
export const OPENSHIFT_MARKETPLACE = "openshift-marketplace";

/** What to subscribe to. */
export interface SubscriptionSpecInput {
    /** OLM package name (`spec.name`). */
    packageName: string;
    channel: string;
    /** CatalogSource name, e.g. `certified-operators`. */
    source: string;
    /** Namespace of the CatalogSource. */
    sourceNamespace: string;
    /** `Automatic` or `Manual`. */
    installPlanApproval: string;
    /** Pins the first CSV OLM installs, e.g. `vault-secrets-operator.v1.4.1`. */
    startingCSV?: string;
}

/** `operators.coreos.com/v1alpha1` Subscription spec (field names as in the OLM CRD). */
export function subscriptionSpec(s: SubscriptionSpecInput): Record<string, string> {
    if (s.installPlanApproval !== "Automatic" && s.installPlanApproval !== "Manual") {
        throw new Error(`installPlanApproval must be 'Automatic' or 'Manual', got ${JSON.stringify(s.installPlanApproval)}`);
    }
    for (const [k, v] of Object.entries({ packageName: s.packageName, channel: s.channel, source: s.source, sourceNamespace: s.sourceNamespace })) {
        if (!v) {
            throw new Error(`subscription ${k} must not be empty`);
        }
    }
    return {
        name: s.packageName,
        channel: s.channel,
        source: s.source,
        sourceNamespace: s.sourceNamespace,
        installPlanApproval: s.installPlanApproval,
        ...(s.startingCSV ? { startingCSV: s.startingCSV } : {}),
    };
}

/**
 * The Subscription's `installPlanApproval`: `Manual` whenever a CSV is pinned. With `Automatic`
 * approval OLM installs the `startingCSV` and then walks the channel to its head, so the pin would
 * pin nothing; with `Manual`, the wait Job approves only the InstallPlan that installs the pin and
 * later upgrade InstallPlans stay unapproved.
 */
export function effectiveInstallPlanApproval(installPlanApproval: string | undefined, startingCSV: string | undefined): string {
    return startingCSV ? "Manual" : (installPlanApproval ?? "Automatic");
}

/** OperatorGroup spec: no target namespaces means AllNamespaces mode. */
export function operatorGroupSpec(targetNamespaces?: string[]): { targetNamespaces?: string[] } {
    return targetNamespaces && targetNamespaces.length > 0 ? { targetNamespaces: [...targetNamespaces] } : {};
}

/** Arguments of {@link OperatorSubscription}. */
export interface OperatorSubscriptionArgs {
    /** Namespace of the Subscription (the operator runs there). Must exist. */
    namespace: pulumi.Input<string>;
    /** Subscription object name. Defaults to `packageName`. */
    subscriptionName?: pulumi.Input<string>;
    /** OLM package name. */
    packageName: pulumi.Input<string>;
    /** Update channel, e.g. `stable`. */
    channel: pulumi.Input<string>;
    /** CatalogSource, e.g. `certified-operators` or `redhat-operators`. */
    source: pulumi.Input<string>;
    /** Namespace of the CatalogSource. Defaults to `openshift-marketplace`. */
    sourceNamespace?: pulumi.Input<string>;
    /**
     * For an unpinned Subscription: `Automatic` (default) or `Manual` (someone approves the
     * InstallPlan while Pulumi waits). A pinned one is always `Manual`.
     */
    installPlanApproval?: pulumi.Input<string>;
    /**
     * Pins the operator to this CSV: `startingCSV` with Manual approval, and the wait Job approves
     * only the InstallPlan that installs it. Later versions stay unapproved until the pin changes.
     * Whether one is given decides the wait Job's RBAC, so that is known at construction.
     */
    startingCSV?: pulumi.Input<string>;
    /** Other CSVs an InstallPlan approved for this pin may also install (the stack's other pins in the namespace). */
    approvableCsvs?: pulumi.Input<pulumi.Input<string>[]>;
    /** The installed CSV must be named `<csvPrefix>.v<version>`. */
    csvPrefix?: pulumi.Input<string>;
    /** Create an OperatorGroup in `namespace` (only where none exists: OLM refuses two). */
    createOperatorGroup: boolean;
    /** OperatorGroup target namespaces; empty or unset means all namespaces. */
    operatorGroupTargetNamespaces?: string[];
    /** CRDs the operator's custom resources need, checked for `Established`. */
    crdNames: pulumi.Input<string>[];
    /** Pinned `kubectl` image of the wait Job. Defaults to OpenShift's `ose-cli`. */
    waitImage?: string;
    /** How long to wait for the install. Defaults to 900 s. */
    timeoutSeconds?: number;
}

/**
 * An OLM Subscription that counts as ready only once the operator is installed: `ready` holds the
 * Subscription and the wait Job (pinned InstallPlan approved, CSV `Succeeded`, CRDs `Established`;
 * OLM's terminal conditions fail it at once with OLM's message).
 */
export class OperatorSubscription extends pulumi.ComponentResource {
    /** Name of the Subscription object. */
    public readonly subscriptionName: pulumi.Output<string>;
    /** What the operator's custom resources must `dependsOn`. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: OperatorSubscriptionArgs, opts?: pulumi.ComponentResourceOptions) {
        const subscriptionName = args.subscriptionName ?? args.packageName;
        const timeoutSeconds = args.timeoutSeconds ?? DEFAULT_OPERATOR_WAIT_SECONDS;
        const spec = derivedInput(
            {
                packageName: args.packageName,
                channel: args.channel,
                source: args.source,
                sourceNamespace: args.sourceNamespace ?? OPENSHIFT_MARKETPLACE,
                installPlanApproval: args.installPlanApproval,
                startingCSV: args.startingCSV,
            },
            (s) => subscriptionSpec({ ...s, installPlanApproval: effectiveInstallPlanApproval(s.installPlanApproval, s.startingCSV) }),
        );
        super("vaultkit:index:OperatorSubscription", name, args, opts);
        const labels = standardLabels();

        let operatorGroup: k8s.apiextensions.CustomResource | undefined;
        if (args.createOperatorGroup) {
            operatorGroup = new k8s.apiextensions.CustomResource(
                `${name}-operatorgroup`,
                {
                    apiVersion: "operators.coreos.com/v1",
                    kind: "OperatorGroup",
                    metadata: { name: args.namespace, namespace: args.namespace, labels },
                    spec: operatorGroupSpec(args.operatorGroupTargetNamespaces),
                },
                { parent: this, dependsOn: childDependsOn(opts) },
            );
        }

        const subscription = new k8s.apiextensions.CustomResource(
            `${name}-subscription`,
            {
                apiVersion: "operators.coreos.com/v1alpha1",
                kind: "Subscription",
                // No pulumi.com/waitFor: Pulumi cannot end a wait early, and OLM's terminal conditions
                // must fail the deployment at once; the wait Job watches the Subscription instead.
                metadata: { name: subscriptionName, namespace: args.namespace, labels },
                spec,
            },
            { parent: this, dependsOn: childDependsOn(opts, ...(operatorGroup ? [operatorGroup] : [])) },
        );

        const wait = new OperatorReadyWait(
            `${name}-wait`,
            {
                namespace: args.namespace,
                image: args.waitImage ?? OPERATOR_WAIT_IMAGES.openshift,
                subscriptionName,
                csvPrefix: args.csvPrefix,
                pinnedCsv: args.startingCSV,
                approvableCsvs: args.approvableCsvs,
                crdNames: args.crdNames,
                timeoutSeconds,
            },
            { parent: this, dependsOn: [subscription] },
        );

        this.subscriptionName = pulumi.output(subscriptionName);
        this.ready = [subscription, ...wait.ready];
        this.registerOutputs({ subscriptionName: this.subscriptionName });
    }
}
