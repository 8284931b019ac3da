/**
 * The nested argument types every delivery component shares, one name per concept. The Vault
 * pair is named after the Vault Secrets Operator's own resources (VaultConnection, and VaultAuth's
 * `kubernetes` block). Nested, not `extends`: Pulumi's schema analyzer reads only an Args
 * interface's own members, while a nested interface becomes a `vaultkit:index:<Type>` schema type.
 *
 * Each component's Args still opens with `namespace`, `vault`, `login` (and `workload`, `container`)
 * under its own JSDoc, so those heads, and the class headers after them, repeat in shape: the types
 * are shared; the JSDoc says what each means for that component and which fields it requires.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ContainerResources } from "./workload";

/** Where Vault is, as the consumer reaches it (VSO's `VaultConnection`). */
export interface VaultConnection {
    /**
     * Vault's address, e.g. `http://vault.vault.svc.cluster.local:8200`. Required by SecretSync,
     * DynamicSecretSync, DirectVaultAccess and UserCredentialsApp; omitted, CsiSecretMount and
     * InjectedSecret use the address the Vault chart gave the CSI provider or the agent injector.
     */
    address?: pulumi.Input<string>;
    /**
     * Secret in the consumer's namespace holding Vault's CA certificate under `ca.crt` (https Vault
     * with a private CA). CsiSecretMount: the CSI provider runs beside Vault and verifies it with the
     * CA VaultServer mounted into it from its `clientCaSecretName`; setting this turns that on.
     */
    caSecretName?: pulumi.Input<string>;
    /** Skip TLS verification of Vault (labs only; VSO components and InjectedSecret). Defaults to false. */
    skipTlsVerify?: boolean;
}

/** How the consumer logs in with Vault's Kubernetes auth method (VSO's `VaultAuth` `kubernetes` block). */
export interface VaultKubernetesLogin {
    /** Vault Kubernetes auth role; it must bind the service account and namespace that log in. */
    role: pulumi.Input<string>;
    /** Mount of Vault's Kubernetes auth method. Defaults to `kubernetes`. */
    authMount?: pulumi.Input<string>;
    /**
     * Audience of the service account token; must match the role's `audience`. Omitted: the
     * cluster's default API audience. Required by DirectVaultAccess and UserCredentialsApp, whose
     * pods mount a token bound to it.
     */
    audience?: pulumi.Input<string>;
    /**
     * Service account the Vault Secrets Operator requests a token for (SecretSync and
     * DynamicSecretSync, where it is required). Workload components log in as their pod's
     * `workload.serviceAccountName` and refuse this field.
     */
    serviceAccountName?: pulumi.Input<string>;
    /**
     * Lifetime of the login token in seconds, at least 600 (the kubelet renews a projected one).
     * Defaults to 3600 in pods, to VSO's default in VaultAuth. CsiSecretMount refuses it (the CSI
     * driver requests the token).
     */
    tokenExpirationSeconds?: number;
}

/** The Deployment of a workload component and the service account its pod runs as. */
export interface WorkloadSpec {
    /** The pod's service account; Vault's auth role must bind it. */
    serviceAccountName: pulumi.Input<string>;
    /** Create `serviceAccountName` (false when it exists, e.g. `default`). Defaults to false. */
    createServiceAccount?: boolean;
    /** metadata.name of the Deployment. Defaults to the component name. */
    deploymentName?: pulumi.Input<string>;
    /** Fixed UID for plain Kubernetes with root-default images; leave unset on OpenShift. */
    runAsUser?: number;
    /** Extra labels on every object. */
    labels?: { [key: string]: string };
}

/** One container of a workload component. */
export interface ContainerSpec {
    /** Image, pinned to a tag or digest (never `:latest`). */
    image: pulumi.Input<string>;
    /** Command. Defaults to the component's own (sleeping, for a debug pod people `exec` into, or its generated loop). */
    command?: string[];
    /** Exec readiness check; the pod is Ready only while it succeeds. */
    readinessCommand?: string[];
    /** Seconds between readiness checks. Defaults to 30. */
    readinessPeriodSeconds?: number;
    /** Requests and limits. */
    resources?: ContainerResources;
}

/** The Kubernetes auth mount of a login: `kubernetes` unless given. */
export function loginAuthMount(login: VaultKubernetesLogin): pulumi.Input<string> {
    return login.authMount ?? "kubernetes";
}

/**
 * Refuses, before anything is registered, the fields of `given` a component cannot honour: each
 * key names the argument (e.g. `login.serviceAccountName`), the reason says why it does not apply.
 */
export function refuseUnsupported(component: string, given: Record<string, unknown>, reason: string): void {
    for (const [key, value] of Object.entries(given)) {
        if (value !== undefined) {
            throw new Error(`${component}: ${key} is not supported: ${reason}`);
        }
    }
}

/** Refuses a missing required field of a nested argument, naming it. */
export function requireField<T>(component: string, key: string, value: T | undefined, why: string): T {
    if (value === undefined) {
        throw new Error(`${component}: ${key} is required: ${why}`);
    }
    return value;
}

/**
 * Refuses a nested argument (`vault`, `login`, `workload`) given whole as one Output or Promise, as
 * another language may pass a secret or computed object. Its fields are read at construction (flags,
 * presence checks), and an Output's fields read as lifted Outputs: an absent field would look set.
 * The fields themselves may be outputs; the object must be plain.
 */
export function refuseWholeOutputs(component: string, nested: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(nested)) {
        if (pulumi.Output.isInstance(value) || value instanceof Promise) {
            throw new Error(
                `${component}: ${key} must be an object whose fields may be outputs, but was given as one Output ` +
                    `(a secret or computed object passed whole); pass its fields one by one, e.g. ${key}: { <field>: <output> }`,
            );
        }
    }
}
