/**
 * The optional ServiceAccount and the Deployment every workload component of this module creates
 * (the resources around the pure builders of ./workload).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DependsOn, withDependencies } from "../dependencies";
import { DeploymentSettings, deploymentManifest } from "./workload";

/** The arguments every workload component shares, under the same names in each args interface. */
export interface WorkloadArgs {
    namespace: string;
    serviceAccountName: string;
    createServiceAccount?: boolean;
    runAsUser?: number;
}

/** What else the Deployment needs besides {@link WorkloadArgs}. */
export interface WorkloadSettings {
    deploymentName: string;
    labels: Record<string, string>;
    automountServiceAccountToken: boolean;
    podAnnotations?: Record<string, string>;
}

/**
 * `[ServiceAccount]` named `serviceAccountName` when `create` is true, else `[]`. Its token is not
 * auto-mounted: pods that log in to Vault mount an audience-bound projected token instead.
 */
export function optionalServiceAccount(
    parent: pulumi.ComponentResource,
    name: string,
    create: boolean | undefined,
    s: { serviceAccountName: string; namespace: string; labels: Record<string, string> },
    dependsOn: DependsOn,
): k8s.core.v1.ServiceAccount[] {
    if (!create) {
        return [];
    }
    if (s.serviceAccountName === "default") {
        throw new Error("createServiceAccount is true but serviceAccountName is 'default', which Kubernetes creates in every namespace");
    }
    return [
        new k8s.core.v1.ServiceAccount(
            `${name}-serviceaccount`,
            { metadata: { name: s.serviceAccountName, namespace: s.namespace, labels: s.labels }, automountServiceAccountToken: false },
            { parent, dependsOn },
        ),
    ];
}

/**
 * Creates `${name}-serviceaccount` when `args.createServiceAccount` is true, then `${name}-deployment`
 * with the containers and volumes `pod` returns (called after the ServiceAccount is registered).
 * Both are children of `parent` and wait for `dependsOn`; the Deployment also waits for
 * `extraDependencies` and the ServiceAccount. Returns the Deployment's name, carrying a dependency on it.
 */
export function createWorkload(
    parent: pulumi.ComponentResource,
    name: string,
    args: WorkloadArgs,
    w: WorkloadSettings,
    pod: () => Pick<DeploymentSettings, "containers" | "volumes">,
    dependsOn: DependsOn,
    ...extraDependencies: pulumi.Resource[]
): pulumi.Output<string> {
    const serviceAccount = optionalServiceAccount(
        parent,
        name,
        args.createServiceAccount,
        { serviceAccountName: args.serviceAccountName, namespace: args.namespace, labels: w.labels },
        dependsOn,
    );
    const { containers, volumes } = pod();
    const manifest = deploymentManifest({
        name: w.deploymentName,
        namespace: args.namespace,
        labels: w.labels,
        serviceAccountName: args.serviceAccountName,
        automountServiceAccountToken: w.automountServiceAccountToken,
        runAsUser: args.runAsUser,
        podAnnotations: w.podAnnotations,
        containers,
        volumes,
    });
    const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, manifest, {
        parent,
        dependsOn: withDependencies(dependsOn, ...extraDependencies, ...serviceAccount),
    });
    return deployment.urn.apply(() => w.deploymentName);
}
