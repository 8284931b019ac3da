/**
 * The optional ServiceAccount and the Deployment every workload component of this module creates
 * (the resources around the pure builders of ./workload).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DependsOn, withDependencies } from "../dependencies";
import { checkedInput, derivedInput } from "../inputs";
import { WorkloadSpec } from "./args";
import { deploymentManifest, workloadLabels } from "./workload";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;

/** The arguments every workload component takes under these names. */
export interface WorkloadComponentArgs {
    namespace: pulumi.Input<string>;
    workload: WorkloadSpec;
}

/** What a workload component puts in its pod. */
export interface WorkloadPod {
    /** `app.kubernetes.io/component`: which delivery pattern the pod shows. */
    pattern: string;
    /** False when the pod logs in with a projected token of its own (or needs no API token). */
    automountServiceAccountToken: boolean;
    podAnnotations?: pulumi.Input<Record<string, string>>;
    containers: pulumi.Input<Container>[];
    volumes: pulumi.Input<Volume>[];
}

/** The Deployment's name: `workload.deploymentName`, else the component's name. */
export function deploymentNameOf(workload: WorkloadSpec, componentName: string): pulumi.Input<string> {
    return workload.deploymentName ?? componentName;
}

/** The labels of a workload's objects (selector, pattern, extra labels). */
export function workloadObjectLabels(deploymentName: pulumi.Input<string>, pattern: string, extra?: Record<string, string>) {
    return derivedInput(deploymentName, (name) => workloadLabels(name, pattern, extra));
}

/**
 * Creates `${name}-serviceaccount` when `args.workload.createServiceAccount` is true, then
 * `${name}-deployment` running `pod`; both wait for `opts.dependsOn`, the Deployment also for the
 * ServiceAccount. Returns the Deployment's name, carrying a dependency on it. Every workload
 * component calls it in the same shape (name, args, its pod, parent and dependsOn); only the pod
 * differs, which is the point.
 */
export function createWorkload(
    name: string,
    args: WorkloadComponentArgs,
    pod: WorkloadPod,
    opts: { parent: pulumi.Resource; dependsOn?: DependsOn },
): pulumi.Output<string> {
    const w = args.workload;
    const deploymentName = deploymentNameOf(w, name);
    const labels = workloadObjectLabels(deploymentName, pod.pattern, w.labels);
    const serviceAccount = optionalServiceAccount(`${name}-serviceaccount`, w, args.namespace, labels, opts);
    const manifest = deploymentManifest({
        name: deploymentName,
        namespace: args.namespace,
        labels,
        serviceAccountName: w.serviceAccountName,
        automountServiceAccountToken: pod.automountServiceAccountToken,
        runAsUser: w.runAsUser,
        podAnnotations: pod.podAnnotations,
        containers: pod.containers,
        volumes: pod.volumes,
    });
    const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, manifest, {
        parent: opts.parent,
        dependsOn: withDependencies(opts.dependsOn, ...serviceAccount),
    });
    return pulumi.all([deployment.urn, deploymentName]).apply(([, n]) => n);
}

/**
 * `[ServiceAccount]` named `workload.serviceAccountName` when `createServiceAccount` is true, else
 * `[]`. Its token is not auto-mounted: pods that log in to Vault mount an audience-bound projected
 * token instead.
 */
function optionalServiceAccount(
    resourceName: string,
    w: WorkloadSpec,
    namespace: pulumi.Input<string>,
    labels: pulumi.Input<Record<string, string>>,
    opts: { parent: pulumi.Resource; dependsOn?: DependsOn },
): k8s.core.v1.ServiceAccount[] {
    if (!w.createServiceAccount) {
        return [];
    }
    const serviceAccountName = checkedInput(w.serviceAccountName, (n) => {
        if (n === "default") {
            throw new Error("createServiceAccount is true but serviceAccountName is 'default', which Kubernetes creates in every namespace");
        }
    });
    return [
        new k8s.core.v1.ServiceAccount(
            resourceName,
            { metadata: { name: serviceAccountName, namespace, labels }, automountServiceAccountToken: false },
            { parent: opts.parent, dependsOn: opts.dependsOn },
        ),
    ];
}
