/**
 * The inputs of one Vault Kubernetes auth role, built as data: the admin role of the seed and
 * each application's role go through the same checks, so no role is ever bound to `*`.
 */

/** One role of the Kubernetes auth method. */
export interface KubernetesAuthRoleSpec {
    /** Role name, e.g. `keycloak-role`. */
    name: string;
    /** Service accounts allowed to log in (no wildcards). */
    serviceAccountNames: string[];
    /** Namespaces those service accounts live in (no wildcards). */
    namespaces: string[];
    /** Policies attached to tokens the role issues. */
    policies: string[];
    /** Expected `aud` of the service account token. Seed: `https://kubernetes.default.svc`. */
    audience?: string;
    /** Token TTL in seconds. Seed: 24h. */
    tokenTtlSeconds: number;
}

/** The fields `vault.kubernetes.AuthBackendRole` takes for a spec; throws on wildcards or empty bindings. */
export function kubernetesAuthRoleInputs(spec: KubernetesAuthRoleSpec) {
    const where = `kubernetes auth role ${JSON.stringify(spec.name)}`;
    if (spec.serviceAccountNames.length === 0 || spec.namespaces.length === 0) {
        throw new Error(`${where}: bind at least one service account and one namespace`);
    }
    for (const v of [...spec.serviceAccountNames, ...spec.namespaces]) {
        if (v.includes("*")) {
            throw new Error(`${where}: wildcard bindings are not allowed, got ${JSON.stringify(v)}`);
        }
    }
    if (spec.policies.length === 0) {
        throw new Error(`${where}: attach at least one policy`);
    }
    if (!Number.isInteger(spec.tokenTtlSeconds) || spec.tokenTtlSeconds <= 0) {
        throw new Error(`${where}: tokenTtlSeconds must be a positive whole number, got ${spec.tokenTtlSeconds}`);
    }
    return {
        roleName: spec.name,
        boundServiceAccountNames: [...spec.serviceAccountNames],
        boundServiceAccountNamespaces: [...spec.namespaces],
        tokenPolicies: [...spec.policies],
        ...(spec.audience ? { audience: spec.audience } : {}),
        tokenTtl: spec.tokenTtlSeconds,
    };
}
