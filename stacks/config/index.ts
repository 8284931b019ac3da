/**
 * The stack's configuration: read once, validated into one typed object before any resource is
 * registered. Components never read config; they receive slices of `StackConfig` as args.
 *
 * Every key lives under the project namespace `vaultkit:` (see README "Configuration reference").
 * Each section's schema and cross-field rules live in the file named after it (`vault.ts`,
 * `kubernetesAuth.ts`, `database.ts`, `applications.ts`, `debugWorkloads.ts`, `operators.ts`);
 * `schema.ts` puts them together, `rules.ts` runs the rules, `errors.ts` words the problems.
 */
import { z } from "zod";
import type { DeliveryPattern } from "../../components/delivery/propagation";
import { CONFIG_NAMESPACE, ConfigError, type ConfigProblem, editDistance, keyOf, SECRET_KEYS } from "./errors";
import { vaultRunsInCluster } from "./kubernetesAuth";
import { type ConfigEnvironment, crossFieldProblems, crossFieldProblemsDespite } from "./rules";
import { type Parsed, platform, problemsFrom, rawConfigSchema } from "./schema";

export { adminRoleBinding, adminSyncServiceAccountName, connectionRoles, derivedDatabaseNames } from "./database";
export { debugServiceAccountName, debugWorkloadsEnabled } from "./debugWorkloads";
export { CONFIG_NAMESPACE, ConfigError, type ConfigProblem, editDistance } from "./errors";
export { vaultRunsInCluster } from "./kubernetesAuth";
export { namespaceName, objectName, parseDurationSeconds, pinnedImage, REFRESH_BOUNDS, ROTATION_PERIOD_BOUNDS, TOKEN_TTL_BOUNDS } from "./primitives";
export type { ConfigEnvironment } from "./rules";
export { rawConfigSchema } from "./schema";

/** The validated configuration of one stack. */
export interface StackConfig extends Omit<Parsed, "vaultToken" | "databaseAdminPassword" | "kubernetesTokenReviewerJwt" | "vault" | "kubernetesAuth" | "protect" | "retainOnDelete"> {
    /** Resolved: `protect` on what holds state (default: `production`). */
    protect: boolean;
    /** Resolved: `retainOnDelete` on the Vault mounts, auth method and admin secret (default: an existing Vault). */
    retainOnDelete: boolean;
    /** The stack name (`pulumi stack`), used in names and labels. */
    stackName: string;
    vault: Parsed["vault"] & {
        /** Where pods reach Vault (resolved). */
        inClusterAddress: string;
    };
    kubernetesAuth: Parsed["kubernetesAuth"] & {
        /** Whether Vault runs as a pod in this cluster (resolved: always for a deployed Vault). */
        vaultRunsInCluster: boolean;
    };
    /** Token for an existing Vault (from `vaultkit:vaultToken` or `VAULT_TOKEN`); never printed. */
    vaultToken?: string;
    /** Password of the Vault admin role in an existing database; never printed. */
    databaseAdminPassword?: string;
    /** Token-reviewer JWT for a Vault outside the cluster; never printed. */
    kubernetesTokenReviewerJwt?: string;
}

export type ApplicationConfig = StackConfig["applications"][number];
export type { DeliveryPattern };
export type Platform = z.output<typeof platform>;

/** Secret keys given as plain values: refused, since a plain value is stored readable in the stack file. */
function plaintextSecretProblems(raw: Record<string, unknown>, env: ConfigEnvironment): ConfigProblem[] {
    if (!env.isSecret) {
        return [];
    }
    return [...SECRET_KEYS]
        .filter((k) => raw[k] !== undefined && !env.isSecret!(k))
        .map((k) => ({
            key: keyOf([k]),
            expected: `expected a secret value: \`pulumi config set --secret ${CONFIG_NAMESPACE}:${k} <value>\` (a plain value is stored readable in Pulumi.<stack>.yaml, which is usually committed)`,
            given: "a plain value (not shown)",
        }));
}

/**
 * Validates raw config values (key without the `vaultkit:` prefix -> parsed value) into a
 * `StackConfig`. Throws a `ConfigError` listing every problem at once: the schema's, the cross-field
 * rules' (checked on what the schema accepted when it refused something) and plain-text secrets.
 */
export function parseStackConfig(stackName: string, raw: Record<string, unknown>, env: ConfigEnvironment = {}): StackConfig {
    const result = rawConfigSchema.safeParse(raw);
    const problems = result.success
        ? crossFieldProblems(result.data, raw, env)
        : [...problemsFrom(result.error, raw), ...crossFieldProblemsDespite(raw, env)];
    problems.push(...plaintextSecretProblems(raw, env));
    if (!result.success || problems.length > 0) {
        throw new ConfigError(problems);
    }
    const c = result.data;
    const inClusterAddress =
        c.vault.inClusterAddress ??
        (c.vault.mode === "deploy"
            ? `${c.vault.server === "ha" ? "https" : "http"}://${c.vault.releaseName}.${c.vault.namespace}.svc.cluster.local:8200`
            : c.vault.address!);
    const { vaultToken, databaseAdminPassword, kubernetesTokenReviewerJwt, ...rest } = c;
    return {
        ...rest,
        stackName,
        vault: { ...c.vault, inClusterAddress },
        kubernetesAuth: { ...c.kubernetesAuth, vaultRunsInCluster: vaultRunsInCluster(c) },
        protect: c.protect ?? c.production,
        retainOnDelete: c.retainOnDelete ?? c.vault.mode === "existing",
        ...(vaultToken ?? env.vaultToken ? { vaultToken: vaultToken ?? env.vaultToken } : {}),
        ...(databaseAdminPassword ? { databaseAdminPassword } : {}),
        ...(kubernetesTokenReviewerJwt ? { kubernetesTokenReviewerJwt } : {}),
    };
}

/**
 * Warnings about config the program will not read: keys in a namespace that looks like a misspelt
 * `vaultkit` (`vaultkt:`, `valutkit:`, `VaultKit:`), which Pulumi accepts and the program never sees.
 */
export function configWarnings(all: Record<string, string>): string[] {
    const warnings: string[] = [];
    for (const fullKey of Object.keys(all).sort()) {
        const [ns, key] = fullKey.split(":", 2);
        if (key !== undefined && ns !== CONFIG_NAMESPACE && editDistance(ns!.toLowerCase(), CONFIG_NAMESPACE) <= 2) {
            warnings.push(`config key '${fullKey}' is ignored: its namespace is '${ns}', not '${CONFIG_NAMESPACE}' (did you mean '${CONFIG_NAMESPACE}:${key}'?)`);
        }
    }
    return warnings;
}

/**
 * Turns Pulumi's flat config map (`vaultkit:key` -> JSON or plain string) into raw values.
 * Keys of other namespaces (`kubernetes:`, `vault:`) are left alone.
 */
export function rawConfigFromPulumi(all: Record<string, string>): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(all)) {
        const [ns, key] = fullKey.split(":", 2);
        if (ns !== CONFIG_NAMESPACE || key === undefined) {
            continue;
        }
        if (SECRET_KEYS.has(key)) {
            raw[key] = text;
            continue;
        }
        try {
            raw[key] = JSON.parse(text);
        } catch {
            raw[key] = text;
        }
    }
    return raw;
}
