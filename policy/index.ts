/**
 * The vaultkit CrossGuard policy pack. Run it with
 *   pulumi preview --policy-pack policy
 * (see docs/policy.md). The policies themselves live in ./rules and are listed in ./policies.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, vaultkitPolicies } from "./policies";

new PolicyPack(POLICY_PACK_NAME, {
    description: "Guardrails for the vaultkit Vault/Kubernetes/StackGres graph: no dev-mode Vault in production, least-privilege database and Kubernetes auth bindings, bounded rotation, no plaintext credentials, no privileged pods, pinned images.",
    enforcementLevel: "mandatory",
    policies: vaultkitPolicies,
});
