import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { credentialValueKind, decodeBase64, isCredentialKey, isReferenceValue, WEAK_CREDENTIALS } from "../lib/credentials";
import { containerLabel, containersOf, kindOf, podSpecOf, WORKLOAD_TYPES } from "../lib/k8s";
import { arrayOf, isRecord, JsonObject, tryRead } from "../lib/values";

export const SECRET_TYPE = "kubernetes:core/v1:Secret";
export const CONFIG_MAP_TYPE = "kubernetes:core/v1:ConfigMap";

/** Config of the plaintext-credentials policy. */
export interface PlaintextCredentialsConfig {
    /** Shortest credential a Secret may hold under a credential-named key. Default 16. */
    minimumCredentialLength?: number;
    /** Also check container `env` values of workloads. Default true. */
    checkWorkloadEnv?: boolean;
}

export const PLAINTEXT_DEFAULTS = { minimumCredentialLength: 16, checkWorkloadEnv: true } as const;

/** One key/value of a data map; `value` is undefined when unknown during preview (computed elsewhere). */
interface Entry {
    field: string;
    key: string;
    known: boolean;
    value: string | undefined;
}

/** Reads `props[field]` as a map; values that are unknown in preview come back as `known: false`. */
function entriesOf(props: JsonObject, field: string, base64: boolean): Entry[] {
    const map = tryRead(() => props[field]);
    if (!map.known) {
        // The whole map is computed by another resource: every key is computed.
        return [{ field, key: "*", known: false, value: undefined }];
    }
    if (!isRecord(map.value)) {
        return [];
    }
    const out: Entry[] = [];
    for (const key of Object.keys(map.value)) {
        const read = tryRead(() => (map.value as JsonObject)[key]);
        if (!read.known) {
            out.push({ field, key, known: false, value: undefined });
            continue;
        }
        if (typeof read.value !== "string") {
            continue;
        }
        out.push({ field, key, known: true, value: base64 ? (decodeBase64(read.value) ?? read.value) : read.value });
    }
    return out;
}

/** Problems of one Kubernetes Secret entry. */
export function secretEntryProblem(entry: Entry, minimumLength: number): string | undefined {
    if (!entry.known || entry.value === undefined || !isCredentialKey(entry.key)) {
        return undefined; // computed by another resource (random password, Vault, config secret) or not a credential
    }
    const v = entry.value;
    if (v === "") {
        return undefined;
    }
    if (WEAK_CREDENTIALS.has(v.trim().toLowerCase())) {
        return `holds the well-known default/placeholder value for a credential`;
    }
    if (v.length < minimumLength) {
        return `holds a ${v.length}-character credential (minimum ${minimumLength}): it looks typed by hand; generate it (random.RandomPassword) or read it from a secret config value`;
    }
    return undefined;
}

/** Problems of one ConfigMap entry. */
export function configMapEntryProblem(entry: Entry): string | undefined {
    if (!entry.known) {
        return entry.key !== "*" && isCredentialKey(entry.key)
            ? "is a credential-named key whose value comes from another resource: credentials belong in a Secret (or Vault), ConfigMaps are stored and shown in plaintext"
            : undefined;
    }
    const v = entry.value ?? "";
    const kind = credentialValueKind(v);
    if (kind) {
        return `contains ${kind}: move it to a Secret or Vault`;
    }
    if (isCredentialKey(entry.key) && !isReferenceValue(v)) {
        return "is a credential-named key with a literal value: ConfigMaps are stored and shown in plaintext; use a Secret or Vault";
    }
    return undefined;
}

/** Problems of one container env var (`{ name, value }`). */
export function envVarProblem(env: JsonObject): string | undefined {
    const name = typeof env["name"] === "string" ? env["name"] : "";
    const read = tryRead(() => env["value"]);
    if (!read.known) {
        return isCredentialKey(name)
            ? "gets a computed credential as a literal env value (visible in the pod spec): use valueFrom.secretKeyRef or Vault"
            : undefined;
    }
    if (typeof read.value !== "string" || read.value === "") {
        return undefined;
    }
    const kind = credentialValueKind(read.value);
    if (kind) {
        return `contains ${kind} in the pod spec: use valueFrom.secretKeyRef or Vault`;
    }
    if (isCredentialKey(name) && !isReferenceValue(read.value)) {
        return "is a credential-named env var with a literal value (visible in the pod spec): use valueFrom.secretKeyRef or Vault";
    }
    return undefined;
}

/**
 * No plaintext credentials in Kubernetes objects:
 * - ConfigMaps: no credential-named keys with literal or computed values, no values that look like
 *   credentials (PEM private keys, Vault tokens, JWTs, AWS keys, passwords in URLs/DSNs).
 * - Secrets: credential-named keys must not hold default/placeholder values or short, hand-typed
 *   literals. (Secret `data`/`stringData` are always Pulumi secrets — @pulumi/kubernetes wraps them —
 *   but CrossGuard hands policies unwrapped values, so the literal-vs-generated question is answered
 *   by shape: a value unknown at preview was computed by another resource and passes.)
 * - Workloads: credential-named env vars must use `valueFrom`, and no env value may look like a credential.
 */
export function validateNoPlaintextCredentials(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
    const config = args.getConfig<PlaintextCredentialsConfig>();
    if (args.type === SECRET_TYPE) {
        const min = config.minimumCredentialLength ?? PLAINTEXT_DEFAULTS.minimumCredentialLength;
        for (const entry of [...entriesOf(args.props, "stringData", false), ...entriesOf(args.props, "data", true)]) {
            const problem = secretEntryProblem(entry, min);
            if (problem) {
                reportViolation(`Secret '${args.name}' ${entry.field}.${entry.key} ${problem}.`);
            }
        }
        return;
    }
    if (args.type === CONFIG_MAP_TYPE) {
        for (const entry of [...entriesOf(args.props, "data", false), ...entriesOf(args.props, "binaryData", true)]) {
            const problem = configMapEntryProblem(entry);
            if (problem) {
                reportViolation(`ConfigMap '${args.name}' ${entry.field}.${entry.key} ${problem}.`);
            }
        }
        return;
    }
    if (WORKLOAD_TYPES.includes(args.type) && (config.checkWorkloadEnv ?? PLAINTEXT_DEFAULTS.checkWorkloadEnv)) {
        const podSpec = podSpecOf(args.type, args.props);
        if (!podSpec) {
            return;
        }
        for (const ref of containersOf(podSpec)) {
            for (const env of arrayOf(ref.container["env"])) {
                if (!isRecord(env)) {
                    continue;
                }
                const problem = envVarProblem(env);
                if (problem) {
                    reportViolation(`${kindOf(args.type)} '${args.name}' ${containerLabel(ref)} env ${String(env["name"])} ${problem}.`);
                }
            }
        }
    }
}

export const noPlaintextCredentials: ResourceValidationPolicy = {
    name: "no-plaintext-credentials",
    description: "No credentials in ConfigMaps or literal pod env values, and no default or hand-typed credentials in Secrets.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: {
            minimumCredentialLength: {
                type: "integer",
                minimum: 1,
                default: PLAINTEXT_DEFAULTS.minimumCredentialLength,
                description: "Shortest value a Secret may hold under a credential-named key.",
            },
            checkWorkloadEnv: { type: "boolean", default: PLAINTEXT_DEFAULTS.checkWorkloadEnv, description: "Also check container env values." },
        },
    },
    remediationSteps: "Generate credentials with random.RandomPassword or keep them in Vault, and deliver them through a Secret (VSO), a CSI mount, the agent injector or the Vault API.",
    validateResource: validateNoPlaintextCredentials,
};
