import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, show, stringOf } from "../lib/values";

export const STATIC_ROLE_TYPE = "vault:database/secretBackendStaticRole:SecretBackendStaticRole";
const GENERIC_ENDPOINT_TYPE = "vault:generic/endpoint:Endpoint";

/** Config of the rotation-period policy. */
export interface RotationPeriodConfig {
    /** Shortest allowed rotation period in seconds. Default 60. */
    minimumSeconds?: number;
    /** Longest allowed rotation period in seconds. Default 365 days. */
    maximumSeconds?: number;
}

export const ROTATION_DEFAULTS = { minimumSeconds: 60, maximumSeconds: 365 * 86400 } as const;

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Vault duration (`86400`, `"86400"`, `"24h"`, `"1h30m"`, `"90s"`) in seconds; `undefined` when unparseable.
 *
 * Not imported from stacks/config/primitives.ts (`parseDurationSeconds`): the pack is published from `policy/`
 * alone with only `policy/package.json`'s dependencies (docs/policy.md), and that module pulls in
 * zod and the component library. Numbers are also read differently: any finite number is a period here
 * (a fractional or negative one is checked against the bounds), where the config parser refuses it.
 */
export function durationSeconds(value: unknown): number | undefined {
    if (typeof value === "number") {
        return Number.isFinite(value) ? value : undefined;
    }
    if (typeof value !== "string") {
        return undefined;
    }
    const s = value.trim();
    if (/^[0-9]+$/.test(s)) {
        return Number(s);
    }
    if (!/^([0-9]+[smhd])+$/.test(s)) {
        return undefined;
    }
    let total = 0;
    for (const m of s.matchAll(/([0-9]+)([smhd])/g)) {
        total += Number(m[1]) * UNIT[m[2]!]!;
    }
    return total;
}

function human(seconds: number): string {
    if (seconds % 86400 === 0) {
        return `${seconds / 86400}d`;
    }
    if (seconds % 3600 === 0) {
        return `${seconds / 3600}h`;
    }
    if (seconds % 60 === 0) {
        return `${seconds / 60}m`;
    }
    return `${seconds}s`;
}

/** Problems with one static role's rotation settings. */
export function rotationProblems(rotationPeriod: unknown, rotationSchedule: unknown, config: RotationPeriodConfig): string[] {
    const min = config.minimumSeconds ?? ROTATION_DEFAULTS.minimumSeconds;
    const max = config.maximumSeconds ?? ROTATION_DEFAULTS.maximumSeconds;
    const hasSchedule = typeof rotationSchedule === "string" && rotationSchedule.trim() !== "";
    if (rotationPeriod === undefined || rotationPeriod === null || rotationPeriod === 0) {
        // Vault requires one of the two; a cron schedule is bounded by its own syntax, not checked here.
        return hasSchedule ? [] : ["has neither rotationPeriod nor rotationSchedule, so its password never rotates"];
    }
    const seconds = durationSeconds(rotationPeriod);
    if (seconds === undefined) {
        return [`has rotationPeriod ${show(rotationPeriod)}, expected whole seconds`];
    }
    if (seconds < min) {
        return [`rotates every ${human(seconds)} (${seconds}s), below the minimum of ${human(min)} (${min}s): applications cannot keep up with passwords that change that often`];
    }
    if (seconds > max) {
        return [`rotates every ${human(seconds)} (${seconds}s), above the maximum of ${human(max)} (${max}s): a leaked password would stay valid too long`];
    }
    return [];
}

/**
 * Static role rotation periods must lie within [minimumSeconds, maximumSeconds] (default 60 s to
 * 365 d). Covers `vault.database.SecretBackendStaticRole` and generic endpoints writing
 * `<mount>/static-roles/<name>`.
 */
export function validateStaticRoleRotationPeriod(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
    const config = args.getConfig<RotationPeriodConfig>();
    if (args.type === STATIC_ROLE_TYPE) {
        for (const p of rotationProblems(args.props["rotationPeriod"], args.props["rotationSchedule"], config)) {
            reportViolation(`Static role '${args.name}' ${p}.`);
        }
        return;
    }
    if (args.type === GENERIC_ENDPOINT_TYPE) {
        const path = stringOf(args.props["path"]) ?? "";
        if (!/(^|\/)static-roles\/[^/]+$/.test(path)) {
            return;
        }
        let data: unknown;
        try {
            data = JSON.parse(stringOf(args.props["dataJson"]) ?? "");
        } catch {
            return;
        }
        if (isRecord(data)) {
            for (const p of rotationProblems(data["rotation_period"], data["rotation_schedule"], config)) {
                reportViolation(`Static role endpoint '${args.name}' (${path}) ${p}.`);
            }
        }
    }
}

export const staticRoleRotationPeriod: ResourceValidationPolicy = {
    name: "vault-static-role-rotation-period-bounds",
    description: "Vault database static roles must rotate their password within the configured bounds (default 60 s to 365 d).",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: {
        properties: {
            minimumSeconds: { type: "integer", minimum: 5, default: ROTATION_DEFAULTS.minimumSeconds, description: "Shortest allowed rotation period, seconds." },
            maximumSeconds: { type: "integer", minimum: 5, default: ROTATION_DEFAULTS.maximumSeconds, description: "Longest allowed rotation period, seconds." },
        },
    },
    remediationSteps: "Set the application's `rotationPeriod` in stack config (e.g. `24h`) within the bounds.",
    validateResource: validateStaticRoleRotationPeriod,
};
