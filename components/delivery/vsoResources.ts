/**
 * The VaultConnection + VaultAuth pair both VSO components create in the consuming namespace
 * (one per tenant, as the seed recommends for production rather than one shared connection in
 * the operator's namespace).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { VSO_API_VERSION, vaultAuthSpec, vaultConnectionSpec } from "./vso";

/** What the pair needs. */
export interface VsoAuthSettings {
    namespace: string;
    /** metadata.name of both objects. */
    objectName: string;
    labels: Record<string, string>;
    vaultAddress: string;
    skipTlsVerify?: boolean;
    vaultCaSecretName?: string;
    authMount: string;
    authRole: string;
    serviceAccountName: string;
    audiences?: string[];
}

/** Creates `${name}-connection` and `${name}-auth` as children of `parent`. */
export function createVsoAuth(
    parent: pulumi.ComponentResource,
    name: string,
    s: VsoAuthSettings,
    dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined,
): { connection: k8s.apiextensions.CustomResource; auth: k8s.apiextensions.CustomResource } {
    const connection = new k8s.apiextensions.CustomResource(
        `${name}-connection`,
        {
            apiVersion: VSO_API_VERSION,
            kind: "VaultConnection",
            metadata: { name: s.objectName, namespace: s.namespace, labels: s.labels },
            spec: vaultConnectionSpec(s.vaultAddress, s.skipTlsVerify ?? false, s.vaultCaSecretName),
        },
        { parent, dependsOn },
    );
    const auth = new k8s.apiextensions.CustomResource(
        `${name}-auth`,
        {
            apiVersion: VSO_API_VERSION,
            kind: "VaultAuth",
            metadata: { name: s.objectName, namespace: s.namespace, labels: s.labels },
            spec: vaultAuthSpec({
                vaultConnectionName: s.objectName,
                mount: s.authMount,
                role: s.authRole,
                serviceAccount: s.serviceAccountName,
                audiences: s.audiences,
            }),
        },
        { parent, dependsOn: [connection] },
    );
    return { connection, auth };
}

/** Annotations making Pulumi wait until VSO has synced the destination Secret. */
export function syncedWaitAnnotations(waitFor: string, timeoutSeconds: number): Record<string, string> {
    return { "pulumi.com/waitFor": waitFor, "pulumi.com/timeoutSeconds": String(timeoutSeconds) };
}
