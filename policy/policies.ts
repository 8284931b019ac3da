/**
 * The vaultkit policy pack's policies, importable without starting the policy server (tests and
 * other packs import this module; `index.ts` serves it).
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { databaseConnectionAllowedRoles } from "./rules/databaseConnectionAllowedRoles";
import { kubernetesAuthRoleBindings } from "./rules/kubernetesAuthRoleBindings";
import { noPlaintextCredentials } from "./rules/noPlaintextCredentials";
import { noVaultDevModeInProduction } from "./rules/noVaultDevModeInProduction";
import { pinnedImages } from "./rules/pinnedImages";
import { privilegedPods } from "./rules/privilegedPods";
import { staticRoleRotationPeriod } from "./rules/staticRoleRotationPeriod";

export { databaseConnectionAllowedRoles, kubernetesAuthRoleBindings, noPlaintextCredentials, noVaultDevModeInProduction, pinnedImages, privilegedPods, staticRoleRotationPeriod };

/** The pack's name (`pulumi preview --policy-pack policy` reports violations under it). */
export const POLICY_PACK_NAME = "vaultkit";

/** Every policy of the pack, in the order docs/policy.md lists them. */
export const vaultkitPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    noVaultDevModeInProduction,
    databaseConnectionAllowedRoles,
    staticRoleRotationPeriod,
    kubernetesAuthRoleBindings,
    noPlaintextCredentials,
    privilegedPods,
    pinnedImages,
];
