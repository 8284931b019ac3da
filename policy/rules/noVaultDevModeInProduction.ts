import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf, kindOf, podSpecOf, WORKLOAD_TYPES } from "../lib/k8s";
import { PRODUCTION_CONFIG_SCHEMA, productionDecision, ProductionConfig } from "../lib/stack";
import { arrayOf, getPath, isRecord, JsonObject } from "../lib/values";

export const VAULT_SERVER_TYPE = "vaultkit:index:VaultServer";
export const HELM_CHART_TYPES: readonly string[] = ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v3:Release"];

/** Why a container runs `vault server -dev`, or `undefined`. */
export function devModeContainerProblem(container: JsonObject): string | undefined {
    const words = [...arrayOf(container["command"]), ...arrayOf(container["args"])].filter((w): w is string => typeof w === "string");
    const line = words.join(" ");
    if (/\bvault\b.*\bserver\b.*(^|\s)-dev(\s|=|$)/s.test(line) || /\bserver\s+-dev(\s|=|$)/.test(line)) {
        return "runs `vault server -dev`";
    }
    for (const env of arrayOf(container["env"])) {
        if (isRecord(env) && env["name"] === "VAULT_DEV_ROOT_TOKEN_ID") {
            return "sets VAULT_DEV_ROOT_TOKEN_ID (dev-mode root token)";
        }
    }
    return undefined;
}

/**
 * Rejects Vault dev mode (in-memory storage, one auto-unsealed node, a root token in the pod spec) in
 * production stacks. Checked at three levels so it holds however Vault is declared:
 * the `vaultkit:index:VaultServer` component's `mode` input, the vault Helm chart's
 * `server.dev.enabled` value, and any workload whose container runs `vault server -dev`
 * (which is what the chart renders in dev mode).
 */
export function validateNoVaultDevMode(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
    const isServer = args.type === VAULT_SERVER_TYPE;
    const isChart = HELM_CHART_TYPES.includes(args.type);
    const isWorkload = WORKLOAD_TYPES.includes(args.type);
    if (!isServer && !isChart && !isWorkload) {
        return;
    }
    const decision = productionDecision(args.urn, args.stackTags, args.getConfig<ProductionConfig>());
    if (!decision.production) {
        return;
    }
    const why = `dev mode keeps Vault's data in memory on one unsealed node with a root token; this stack is production (${decision.reason})`;
    if (isServer) {
        if (args.props["mode"] === "dev") {
            reportViolation(`VaultServer '${args.name}' has mode 'dev': use mode 'ha' — ${why}.`);
        }
        return;
    }
    if (isChart) {
        // `server.dev.enabled` is the vault chart's switch; no other chart in this project has it.
        if (getPath(args.props, ["values", "server", "dev", "enabled"]) === true) {
            reportViolation(`Helm chart '${args.name}' sets values.server.dev.enabled=true — ${why}.`);
        }
        return;
    }
    const podSpec = podSpecOf(args.type, args.props);
    if (!podSpec) {
        return;
    }
    for (const ref of containersOf(podSpec)) {
        const problem = devModeContainerProblem(ref.container);
        if (problem) {
            reportViolation(`${kindOf(args.type)} '${args.name}' ${containerLabel(ref)} ${problem} — ${why}.`);
        }
    }
}

export const noVaultDevModeInProduction: ResourceValidationPolicy = {
    name: "vault-no-dev-mode-in-production",
    description: "Vault must not run in dev mode (VaultServer mode 'dev', chart server.dev.enabled, `vault server -dev`) in a production stack.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: { properties: { ...PRODUCTION_CONFIG_SCHEMA } },
    remediationSteps: "Set `vaultkit:vault.server` to `ha` (Raft, TLS) for this stack, or mark the stack as non-production.",
    validateResource: validateNoVaultDevMode,
};
