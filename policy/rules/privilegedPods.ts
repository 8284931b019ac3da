import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf, kindOf, podSpecOf, WORKLOAD_TYPES } from "../lib/k8s";
import { arrayOf, getPath, isRecord, stringOf } from "../lib/values";

/** Config of the privileged-pods policy. */
export interface PrivilegedPodsConfig {
    /** Namespaces Vault runs in; the `*-csi-provider` DaemonSet there may be privileged. Default `["vault"]`. */
    vaultNamespaces?: string[];
    /** More DaemonSets allowed to be privileged, as `namespace/name`. Default: `kube-system/secrets-store-csi-driver`. Replaces the default when set. */
    allowedPrivilegedDaemonSets?: string[];
}

/**
 * Defaults. The one extra DaemonSet is the Secrets Store CSI driver that stacks/operators.ts
 * installs on plain Kubernetes (Chart v4, release `secrets-store-csi-driver` in `kube-system`): its
 * node plugin needs `privileged: true` for Bidirectional mount propagation, and the Vault CSI
 * provider cannot work without it. (On OpenShift the driver comes from OLM and is not a Pulumi resource.)
 */
export const PRIVILEGED_DEFAULTS = {
    vaultNamespaces: ["vault"],
    allowedPrivilegedDaemonSets: ["kube-system/secrets-store-csi-driver"],
} as const;

/** Capabilities that amount to privileged access. */
const PRIVILEGED_CAPABILITIES = new Set(["ALL", "SYS_ADMIN", "CAP_SYS_ADMIN"]);

/** The privilege-related settings a container asks for. */
export function containerPrivileges(container: Record<string, unknown>): string[] {
    const found: string[] = [];
    const sc = container["securityContext"];
    if (isRecord(sc)) {
        if (sc["privileged"] === true) {
            found.push("privileged: true");
        }
        if (sc["allowPrivilegeEscalation"] === true) {
            found.push("allowPrivilegeEscalation: true");
        }
        for (const cap of arrayOf(getPath(sc, ["capabilities", "add"]))) {
            if (typeof cap === "string" && PRIVILEGED_CAPABILITIES.has(cap.toUpperCase())) {
                found.push(`capabilities.add ${cap}`);
            }
        }
    }
    return found;
}

/** Whether the object (kind, namespace, name) is the Vault CSI provider or an allowed DaemonSet. */
export function isPrivilegeExempt(type: string, namespace: string | undefined, name: string | undefined, config: PrivilegedPodsConfig): boolean {
    if (kindOf(type) !== "DaemonSet" || namespace === undefined || name === undefined) {
        return false;
    }
    const vaultNamespaces = config.vaultNamespaces ?? [...PRIVILEGED_DEFAULTS.vaultNamespaces];
    if (vaultNamespaces.includes(namespace) && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?-csi-provider$/.test(name)) {
        return true;
    }
    const allowed: readonly string[] = config.allowedPrivilegedDaemonSets ?? PRIVILEGED_DEFAULTS.allowedPrivilegedDaemonSets;
    return allowed.includes(`${namespace}/${name}`);
}

/**
 * Only the Vault CSI provider may run privileged: it is a DaemonSet named `*-csi-provider` in the
 * Vault namespace, and it needs the hostPath socket of the Secrets Store CSI driver (on OpenShift,
 * the `privileged` SCC). Every other container: no `privileged: true`, no
 * `allowPrivilegeEscalation: true`, no `ALL`/`SYS_ADMIN` capabilities, and no `hostPID`/`hostIPC`
 * on the pod.
 */
export function validatePrivilegedPods(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
    if (!WORKLOAD_TYPES.includes(args.type)) {
        return;
    }
    const podSpec = podSpecOf(args.type, args.props);
    if (!podSpec) {
        return;
    }
    const findings: string[] = [];
    for (const key of ["hostPID", "hostIPC"]) {
        if (podSpec[key] === true) {
            findings.push(`pod ${key}: true`);
        }
    }
    for (const ref of containersOf(podSpec)) {
        for (const p of containerPrivileges(ref.container)) {
            findings.push(`${containerLabel(ref)} ${p}`);
        }
    }
    if (findings.length === 0) {
        return;
    }
    const namespace = stringOf(getPath(args.props, ["metadata", "namespace"]));
    const name = stringOf(getPath(args.props, ["metadata", "name"]));
    if (isPrivilegeExempt(args.type, namespace, name, args.getConfig<PrivilegedPodsConfig>())) {
        return;
    }
    const where = `${kindOf(args.type)} '${namespace ?? "?"}/${name ?? args.name}'`;
    for (const f of findings) {
        reportViolation(`${where} asks for ${f}: only the Vault CSI provider DaemonSet (<release>-csi-provider in the Vault namespace) may run privileged.`);
    }
}

export const privilegedPods: ResourceValidationPolicy = {
    name: "privileged-pods-only-vault-csi-provider",
    description: "Only the Vault CSI provider DaemonSet may run privileged; no other container may be privileged or allow privilege escalation.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: {
            vaultNamespaces: {
                type: "array",
                items: { type: "string" },
                default: [...PRIVILEGED_DEFAULTS.vaultNamespaces],
                description: "Namespaces where the <release>-csi-provider DaemonSet may be privileged.",
            },
            allowedPrivilegedDaemonSets: {
                type: "array",
                items: { type: "string", pattern: "^[a-z0-9-]+/[a-z0-9.-]+$" },
                default: [...PRIVILEGED_DEFAULTS.allowedPrivilegedDaemonSets],
                description: "More DaemonSets (namespace/name) allowed to run privileged (default: the Secrets Store CSI driver the kind/Kubernetes stacks install).",
            },
        },
    },
    remediationSteps: "Drop privileged/allowPrivilegeEscalation from the container's securityContext, or (for a CSI node plugin) add its namespace/name to allowedPrivilegedDaemonSets.",
    validateResource: validatePrivilegedPods,
};
