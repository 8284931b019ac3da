import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DependsOn } from "../dependencies";

export { DependsOn, withDependencies } from "../dependencies";


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
