/**
 * Builds a whole stack from its `Pulumi.<stack>.yaml` under the recording mock engine, the way
 * `pulumi up` would run the program, but with no CLI, backend or cluster.
 */
import * as path from "node:path";
import { loadStackFile } from "../../scripts/lib/stacks";
import { Registration, registrations, settle, setupMocks } from "./mocks";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Builds the stack and waits for every registration; returns the stack's outputs. */
export async function buildStackUnderMocks(stack: string, env: { vaultToken?: string } = {}) {
    await setupMocks({ stack });
    const { parseStackConfig, rawConfigFromPulumi } = await import("../../stacks/config");
    const { buildStack } = await import("../../stacks");
    const file = loadStackFile(REPO_ROOT, stack);
    const config = parseStackConfig(stack, rawConfigFromPulumi(file.config), env);
    const outputs = buildStack(config);
    await settle();
    return { config, outputs };
}

/** `type name namespace` of every resource the program declares (providers left out), sorted. */
export function inventory(): string[] {
    return registrations
        .filter((r) => !r.type.startsWith("pulumi:providers:") && !r.type.startsWith("vaultkit:index:"))
        .map((r) => `${r.type} ${r.name} ${r.inputs.metadata?.namespace ?? r.inputs.namespace ?? "-"}`)
        .sort();
}

/** Every path inside `value` at which `needle` occurs as (part of) a string. */
export function pathsContaining(value: unknown, needle: string, prefix = ""): string[] {
    if (typeof value === "string") {
        return value.includes(needle) ? [prefix] : [];
    }
    if (value === null || typeof value !== "object") {
        return [];
    }
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => pathsContaining(v, needle, prefix ? `${prefix}.${k}` : k));
}

/** True when `p` is a secret path or lies inside one. */
export function coveredBySecret(r: Registration, p: string): boolean {
    return r.secretPaths.some((s) => p === s || p.startsWith(`${s}.`));
}
