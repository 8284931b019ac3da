/**
 * An operator installed from its Helm chart (plain Kubernetes, no OLM). Charts whose install
 * needs Helm hooks go through `helm.v3.Release` (Chart v4 drops hooks); the rest through
 * `helm.v4.Chart` for per-object previews. Operators that create their CRDs at run time get a
 * wait Job so their custom resources never race the CRDs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childDependsOn } from "../dependencies";
import { DEFAULT_OPERATOR_WAIT_SECONDS, KUBERNETES_WAIT_UID, OPERATOR_WAIT_IMAGES, OperatorReadyWait } from "./operatorReadyWait";

/** A pinned chart. */
export interface PinnedChart {
    chart: string;
    repo: string;
    version: string;
}

/** Refuses floating chart references: an exact `x.y.z` version and an https repository. */
export function assertPinnedChart(c: PinnedChart): void {
    if (!/^[0-9]+\.[0-9]+\.[0-9]+$/.test(c.version)) {
        throw new Error(`chart ${c.chart} must be pinned to an exact version like '1.2.3', got ${JSON.stringify(c.version)}`);
    }
    if (!c.repo.startsWith("https://")) {
        throw new Error(`chart ${c.chart} must come from an https:// repository, got ${JSON.stringify(c.repo)}`);
    }
}

/**
 * Arguments of {@link HelmOperator}. The chart reference stays plain: it is a pin, checked before
 * anything is registered.
 */
export interface HelmOperatorArgs {
    /** Namespace the chart installs into. Must exist. */
    namespace: pulumi.Input<string>;
    /** Chart name in the repository. */
    chart: string;
    /** Chart repository URL (https). */
    repo: string;
    /** Exact chart version. */
    version: string;
    /** Helm release name. Defaults to the chart name. */
    releaseName?: pulumi.Input<string>;
    /** Chart values (for this project's operators, built by their descriptors in ./catalog). */
    values: pulumi.Input<{ [key: string]: pulumi.Input<any> }>;
    /** Install with `helm.v3.Release` because the chart relies on Helm hooks; otherwise `helm.v4.Chart`. */
    useHelmRelease: boolean;
    /** CRDs the operator creates at run time: a wait Job checks them for `Established`. */
    runtimeCrdNames?: pulumi.Input<string>[];
    /** Pinned `kubectl` image of the wait Job. Defaults to the upstream kubectl image. */
    waitImage?: string;
    /** Pod UID of the wait Job (the upstream kubectl image runs as root by default). Defaults to 65532. */
    waitRunAsUser?: number;
    /** How long to wait for the release and the CRDs. Defaults to 900 s. */
    timeoutSeconds?: number;
}

/** An operator from a pinned Helm chart; `ready` is what its custom resources must `dependsOn`. */
export class HelmOperator extends pulumi.ComponentResource {
    /** The Chart (v4) or Release (v3). */
    public readonly install: pulumi.Resource;
    /** Helm release name. */
    public readonly releaseName: pulumi.Output<string>;
    /** What the operator's custom resources must `dependsOn`. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: HelmOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        assertPinnedChart(args);
        super("vaultkit:index:HelmOperator", name, args, opts);
        const releaseName = args.releaseName ?? args.chart;
        const timeoutSeconds = args.timeoutSeconds ?? DEFAULT_OPERATOR_WAIT_SECONDS;
        // The pinned chart, the same for either resource.
        const chartRef = { name: releaseName, chart: args.chart, version: args.version, repositoryOpts: { repo: args.repo }, namespace: args.namespace };

        if (args.useHelmRelease) {
            this.install = new k8s.helm.v3.Release(
                `${name}-release`,
                {
                    ...chartRef,
                    createNamespace: false,
                    values: args.values,
                    // Wait for the workloads and the chart's hook Jobs, like `helm install --wait --wait-for-jobs`.
                    skipAwait: false,
                    waitForJobs: true,
                    timeout: timeoutSeconds,
                },
                { parent: this, dependsOn: childDependsOn(opts) },
            );
        } else {
            this.install = new k8s.helm.v4.Chart(
                `${name}-chart`,
                { ...chartRef, values: args.values },
                { parent: this, dependsOn: childDependsOn(opts) },
            );
        }

        const ready: pulumi.Resource[] = [this.install];
        if (args.runtimeCrdNames && args.runtimeCrdNames.length > 0) {
            const wait = new OperatorReadyWait(
                `${name}-wait`,
                {
                    namespace: args.namespace,
                    image: args.waitImage ?? OPERATOR_WAIT_IMAGES.kubernetes,
                    runAsUser: args.waitRunAsUser ?? KUBERNETES_WAIT_UID,
                    crdNames: args.runtimeCrdNames,
                    timeoutSeconds,
                },
                { parent: this, dependsOn: childDependsOn(opts, this.install) },
            );
            ready.push(...wait.ready);
        }
        this.releaseName = pulumi.output(releaseName);
        this.ready = ready;
        this.registerOutputs({ releaseName: this.releaseName });
    }
}
