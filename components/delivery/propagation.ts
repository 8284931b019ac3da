/**
 * How long after Vault rotates a static role's password each delivery pattern's pod sees the new
 * one, worst case, from the intervals this project configures. Sources (read in upstream code):
 *
 * - VSO `VaultDynamicSecret` with `allowStaticCreds`: after each sync VSO schedules the next read at
 *   the credentials' `ttl` + 0.5 s + jitter of at most 5 % of 3 s (`computePostSyncHorizon`), then
 *   rollout-restarts the targets. `refreshAfter` plays no part for static creds.
 * - Vault agent (consul-template `leaseCheckWait`): a lease-less secret carrying `rotation_period`
 *   is re-read at `ttl + 1` s; `template-static-secret-render-interval` applies only to secrets
 *   without that field (KV), so it does not change the delay for static creds.
 * - If Vault rotates a little late (its rotation queue ticks every few seconds), VSO and the agent
 *   see `ttl` 0 and re-read every second until the new password appears: the delays below count
 *   from the moment Vault actually rotated.
 * - Secrets Store CSI driver: re-mounts every `rotationPollInterval` (driver default 2m) when
 *   `enableSecretRotation` is on; the file changes in place, no restart.
 * - Direct access / user-credentials fetcher: re-reads every fetch interval; file changes in place.
 *
 * A manual `rotate-role` is different: VSO and the agent only look again when the old TTL ends, so
 * the delay can reach a full rotation period; the polling patterns are unaffected.
 */

/** How an application's password reaches its pod; `applications[].delivery` in the stack config. */
export const DELIVERY_PATTERNS = ["sync", "csi", "injector", "direct"] as const;
export type DeliveryPattern = (typeof DELIVERY_PATTERNS)[number];

/** VSO reads static creds at most this long after their TTL ends (0.5 s + 0.15 s jitter, rounded up). */
export const VSO_STATIC_CREDS_SLACK_SECONDS = 1;

/** The Vault agent re-reads a rotating secret at `ttl + 1` s; `ttl` is whole seconds, so up to 2 s. */
export const AGENT_ROTATING_SECRET_SLACK_SECONDS = 2;

/** The intervals that decide how fast a rotation travels, in seconds. */
export interface PropagationIntervals {
    /** Time a rollout restart needs until the new pod runs (image pulled, init done, Ready). Sync only. */
    rolloutRestartSeconds: number;
    /** Secrets Store CSI driver `rotationPollInterval`. */
    csiRotationPollIntervalSeconds: number;
    /** How often the direct-access / user-credentials fetcher re-reads Vault. */
    fetchIntervalSeconds: number;
    /** The static role's rotation period; needed for manual rotations with `sync` and `injector`. */
    rotationPeriodSeconds?: number;
}

/** What triggered the rotation. */
export type RotationTrigger = "scheduled" | "manual";

/**
 * Worst-case seconds from a Vault rotation until the pod can read the new password.
 * `scheduled`: Vault's own rotation at the end of `rotation_period`. `manual`: `rotate-role`.
 */
export function propagationDelaySeconds(pattern: DeliveryPattern, intervals: PropagationIntervals, trigger: RotationTrigger = "scheduled"): number {
    for (const [k, v] of Object.entries(intervals)) {
        if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
            throw new Error(`${k} must be a non-negative number of seconds, got ${v}`);
        }
    }
    // VSO and the agent schedule their next read at the TTL they last saw: a manual rotation is
    // noticed only when that TTL ends, up to a full rotation period later.
    const untilOldTtlEnds = (): number => {
        if (trigger === "scheduled") {
            return 0;
        }
        if (intervals.rotationPeriodSeconds === undefined) {
            throw new Error(`a manual rotation with pattern '${pattern}' is seen when the previous TTL ends: give rotationPeriodSeconds`);
        }
        return intervals.rotationPeriodSeconds;
    };
    switch (pattern) {
        case "sync":
            return untilOldTtlEnds() + VSO_STATIC_CREDS_SLACK_SECONDS + intervals.rolloutRestartSeconds;
        case "injector":
            return untilOldTtlEnds() + AGENT_ROTATING_SECRET_SLACK_SECONDS;
        case "csi":
            return intervals.csiRotationPollIntervalSeconds;
        case "direct":
            return intervals.fetchIntervalSeconds;
        default: {
            const never: never = pattern;
            throw new Error(`unknown delivery pattern ${JSON.stringify(never)}`);
        }
    }
}
