/**
 * The VaultConnection + VaultAuth pair both VSO components create in the consuming namespace
 * (one per tenant, as the seed recommends for production rather than one shared connection in
 * the operator's namespace), and the synced secret object reading through them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DependsOn } from "../dependencies";
import { derivedInput } from "../inputs";
import { VaultConnection, VaultKubernetesLogin, loginAuthMount, requireField } from "./args";
import { VSO_API_VERSION, VSO_SYNCED_WAIT_FOR, vaultAuthSpec, vaultConnectionSpec } from "./vso";
import { workloadObjectLabels } from "./workloadResources";

/** The arguments both VSO components (SecretSync and DynamicSecretSync) share, under the same names. */
export interface VsoSecretArgs {
    namespace: pulumi.Input<string>;
    vault: VaultConnection;
    login: VaultKubernetesLogin;
    objectName?: pulumi.Input<string>;
    syncTimeoutSeconds?: number;
    labels?: { [key: string]: string };
}

/** metadata.name of a VSO component's three objects: `objectName`, else the component name. */
export function vsoObjectName(args: VsoSecretArgs, name: string): pulumi.Input<string> {
    return args.objectName ?? name;
}

/**
 * Refuses, before anything registers, a VSO component's args without the connection and login
 * fields the operator needs.
 */
export function assertVsoArgs(component: string, args: VsoSecretArgs): void {
    requireField(component, "vault.address", args.vault.address, "the operator has no default Vault address");
    requireField(component, "login.serviceAccountName", args.login.serviceAccountName, "the operator requests a token for it");
}

/**
 * `${name}-connection` and `${name}-auth` (VaultConnection and VaultAuth named `objectName`), then
 * `${name}-secret`: the `kind` object with `spec` (which reads through that VaultAuth, named
 * `objectName` too) whose destination Secret Pulumi waits for. All are children of `opts.parent`.
 */
export function createSyncedVsoSecret(
    name: string,
    args: VsoSecretArgs & { kind: "VaultStaticSecret" | "VaultDynamicSecret"; spec: pulumi.Input<Record<string, unknown>> },
    opts: { parent: pulumi.Resource; dependsOn?: DependsOn },
): k8s.apiextensions.CustomResource {
    const objectName = vsoObjectName(args, name);
    const labels = workloadObjectLabels(objectName, "vault-secrets-operator", args.labels);
    const metadata = { name: objectName, namespace: args.namespace, labels };
    const connection = new k8s.apiextensions.CustomResource(
        `${name}-connection`,
        {
            apiVersion: VSO_API_VERSION,
            kind: "VaultConnection",
            metadata,
            spec: derivedInput({ address: args.vault.address!, caSecretName: args.vault.caSecretName }, (v) =>
                vaultConnectionSpec(v.address, args.vault.skipTlsVerify ?? false, v.caSecretName),
            ),
        },
        { parent: opts.parent, dependsOn: opts.dependsOn },
    );
    const login = args.login;
    // The VaultAuth and the secret object read their namespace from the object before them, so a
    // Namespace Output reaches them through the chain connection -> auth -> secret.
    const auth = new k8s.apiextensions.CustomResource(
        `${name}-auth`,
        {
            apiVersion: VSO_API_VERSION,
            kind: "VaultAuth",
            metadata: { ...metadata, namespace: connection.metadata.namespace },
            spec: derivedInput(
                { objectName, mount: loginAuthMount(login), role: login.role, serviceAccount: login.serviceAccountName!, audience: login.audience },
                (a) =>
                    vaultAuthSpec({
                        vaultConnectionName: a.objectName,
                        mount: a.mount,
                        role: a.role,
                        serviceAccount: a.serviceAccount,
                        audiences: a.audience !== undefined ? [a.audience] : undefined,
                        tokenExpirationSeconds: login.tokenExpirationSeconds,
                    }),
            ),
        },
        { parent: opts.parent, dependsOn: [connection] },
    );
    return new k8s.apiextensions.CustomResource(
        `${name}-secret`,
        {
            apiVersion: VSO_API_VERSION,
            kind: args.kind,
            metadata: { ...metadata, namespace: auth.metadata.namespace, annotations: syncedWaitAnnotations(VSO_SYNCED_WAIT_FOR, args.syncTimeoutSeconds ?? 600) },
            spec: args.spec,
        },
        { parent: opts.parent, dependsOn: [auth] },
    );
}

/** Annotations making Pulumi wait until VSO has synced the destination Secret. */
export function syncedWaitAnnotations(waitFor: string, timeoutSeconds: number): Record<string, string> {
    return { "pulumi.com/waitFor": waitFor, "pulumi.com/timeoutSeconds": String(timeoutSeconds) };
}
