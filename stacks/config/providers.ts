/**
 * Pulumi provider config (`kubernetes:*`, `vault:*`) in the stack file, which this program never reads:
 * it builds its Kubernetes and Vault providers explicitly from `vaultkit:` keys.
 */
import type { CrossFieldRule } from "./rules";

/** What to set instead of provider config this program never reads. */
const INSTEAD_OF: Record<string, string> = {
    "kubernetes:context": "vaultkit:kubeContext",
    "kubernetes:kubeconfig": "the KUBECONFIG environment variable (and vaultkit:kubeContext)",
    "vault:address": "vaultkit:vault.address",
    "vault:token": "vaultkit:vaultToken (or VAULT_TOKEN)",
    "vault:caCertFile": "vaultkit:vault.caCertFile",
    "vault:skipTlsVerify": "vaultkit:vault.skipTlsVerify",
};

/**
 * Explicit providers ignore Pulumi's `kubernetes:*` / `vault:*` stack config: a `kubernetes:context`
 * there would silently deploy to kubectl's current context.
 */
export const otherNamespaceRules: CrossFieldRule = (_c, r) => {
    (r.env.otherConfigKeys ?? [])
        .filter((k) => k.startsWith("kubernetes:") || k.startsWith("vault:"))
        .sort()
        .forEach((k) =>
            r.push({
                key: k,
                expected: `expected ${INSTEAD_OF[k] ?? "a vaultkit: key"} instead: this program configures its ${k.split(":")[0]} provider explicitly, which ignores '${k}'`,
                given: "a value in the stack's config",
            }),
        );
};
