/**
 * The inputs of one Vault Kubernetes auth role, built as data: the admin role of the seed and
 * each application's role go through the same checks, so no role is ever bound to `*`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { checkedInput } from "../inputs";

/**
 * One role of the Kubernetes auth method. `S` and `N` are the types of its strings and TTL: plain in
 * data, `pulumi.Input` in a component's arguments ({@link VaultKubernetesAuthRoleArgs}).
 */
export interface KubernetesAuthRoleSpec<S = string, N = number> {
    /** Role name, e.g. `keycloak-role`. Plain: it names the child resource. */
    name: string;
    /** Service accounts allowed to log in (no wildcards). */
    serviceAccountNames: S[];
    /** Namespaces those service accounts live in (no wildcards). */
    namespaces: S[];
    /** Policies attached to tokens the role issues. */
    policies: S[];
    /** Expected `aud` of the service account token. Seed: `https://kubernetes.default.svc`. */
    audience?: S;
    /** Token TTL in seconds. Seed: 24h. */
    tokenTtlSeconds: N;
}

/** The fields of `vault.kubernetes.AuthBackendRole` for a {@link KubernetesAuthRoleSpec} of the same `S` and `N`. */
export interface KubernetesAuthRoleInputs<S = string, N = number> {
    roleName: string;
    boundServiceAccountNames: S[];
    boundServiceAccountNamespaces: S[];
    tokenPolicies: S[];
    audience?: S;
    tokenTtl: N;
}

/**
 * The fields `vault.kubernetes.AuthBackendRole` takes for a spec; throws on wildcards or empty
 * bindings. Plain values are checked now; an output when it resolves (components/inputs.ts).
 */
export function kubernetesAuthRoleInputs(spec: KubernetesAuthRoleSpec): KubernetesAuthRoleInputs;
export function kubernetesAuthRoleInputs(spec: KubernetesAuthRoleSpec<pulumi.Input<string>, pulumi.Input<number>>): KubernetesAuthRoleInputs<pulumi.Input<string>, pulumi.Input<number>>;
export function kubernetesAuthRoleInputs(spec: KubernetesAuthRoleSpec<pulumi.Input<string>, pulumi.Input<number>>): KubernetesAuthRoleInputs<pulumi.Input<string>, pulumi.Input<number>> {
    const where = `kubernetes auth role ${JSON.stringify(spec.name)}`;
    if (spec.serviceAccountNames.length === 0 || spec.namespaces.length === 0) {
        throw new Error(`${where}: bind at least one service account and one namespace`);
    }
    const binding = (value: pulumi.Input<string>) =>
        checkedInput(value, (v) => {
            if (v.includes("*")) {
                throw new Error(`${where}: wildcard bindings are not allowed, got ${JSON.stringify(v)}`);
            }
        });
    const boundServiceAccountNames = spec.serviceAccountNames.map(binding);
    const boundServiceAccountNamespaces = spec.namespaces.map(binding);
    if (spec.policies.length === 0) {
        throw new Error(`${where}: attach at least one policy`);
    }
    const tokenTtl = checkedInput(spec.tokenTtlSeconds, (ttl) => {
        if (!Number.isInteger(ttl) || ttl <= 0) {
            throw new Error(`${where}: tokenTtlSeconds must be a positive whole number, got ${ttl}`);
        }
    });
    return {
        roleName: spec.name,
        boundServiceAccountNames,
        boundServiceAccountNamespaces,
        tokenPolicies: [...spec.policies],
        ...(spec.audience ? { audience: spec.audience } : {}),
        tokenTtl,
    };
}
