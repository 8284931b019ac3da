/**
 * The VaultConnection + VaultAuth pair both VSO components create in the consuming namespace
 * (one per tenant, as the seed recommends for production rather than one shared connection in
 * the operator's namespace), and the synced secret object reading through them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { VSO_API_VERSION, VSO_SYNCED_WAIT_FOR, vaultAuthSpec, vaultConnectionSpec } from "./vso";
import { workloadLabels } from "./workload";

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

/**
 * The arguments both VSO components (SecretSync and DynamicSecretSync) share, under the same
 * names and with the same meaning in each component's args interface.
 */
export type VsoComponentArgs = Omit<VsoAuthSettings, "objectName" | "labels" | "authMount"> & {
    /** Defaults to `kubernetes`. */
    authMount?: string;
    /** metadata.name of the VSO objects. Defaults to the component name. */
    objectName?: string;
    /** How long `pulumi up` waits for the first sync. Defaults to 600 seconds. */
    syncTimeoutSeconds?: number;
    /** Extra labels on every object. */
    labels?: { [key: string]: string };
};

/** The {@link VsoAuthSettings} of a VSO component's args. */
export function vsoAuthSettings(args: VsoComponentArgs, objectName: string, labels: Record<string, string>): VsoAuthSettings {
    return {
        namespace: args.namespace,
        objectName,
        labels,
        vaultAddress: args.vaultAddress,
        skipTlsVerify: args.skipTlsVerify,
        vaultCaSecretName: args.vaultCaSecretName,
        authMount: args.authMount ?? "kubernetes",
        authRole: args.authRole,
        serviceAccountName: args.serviceAccountName,
        audiences: args.audiences,
    };
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

/**
 * The VaultConnection and VaultAuth of `args`, then `${name}-secret`: the `kind` object (same
 * metadata.name, reading through that VaultAuth) whose destination Secret Pulumi waits for. `spec`
 * receives the VaultAuth's name.
 */
export function createSyncedVsoSecret(
    parent: pulumi.ComponentResource,
    name: string,
    args: VsoComponentArgs,
    kind: "VaultStaticSecret" | "VaultDynamicSecret",
    spec: (vaultAuthName: string) => Record<string, unknown>,
    dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined,
): k8s.apiextensions.CustomResource {
    const objectName = args.objectName ?? name;
    const labels = workloadLabels(objectName, "vault-secrets-operator", args.labels);
    const { auth } = createVsoAuth(parent, name, vsoAuthSettings(args, objectName, labels), dependsOn);
    return new k8s.apiextensions.CustomResource(
        `${name}-secret`,
        {
            apiVersion: VSO_API_VERSION,
            kind,
            metadata: {
                name: objectName,
                namespace: args.namespace,
                labels,
                annotations: syncedWaitAnnotations(VSO_SYNCED_WAIT_FOR, args.syncTimeoutSeconds ?? 600),
            },
            spec: spec(objectName),
        },
        { parent, dependsOn: [auth] },
    );
}

/** Annotations making Pulumi wait until VSO has synced the destination Secret. */
export function syncedWaitAnnotations(waitFor: string, timeoutSeconds: number): Record<string, string> {
    return { "pulumi.com/waitFor": waitFor, "pulumi.com/timeoutSeconds": String(timeoutSeconds) };
}
