/**
 * How a config problem is reported: one `ConfigProblem` per key (the key, what was expected, what was
 * given), secret keys masked, and one `ConfigError` listing them all.
 */

/** The Pulumi config namespace of this project. */
export const CONFIG_NAMESPACE = "vaultkit";

/** Keys whose values are never printed, not even in error messages. */
export const SECRET_KEYS = new Set(["vaultToken", "databaseAdminPassword", "kubernetesTokenReviewerJwt"]);

/** One problem with one key. */
export interface ConfigProblem {
    /** Full key path, e.g. `vaultkit:database.namespace` or `vaultkit:applications[0].name`. */
    key: string;
    /** What was expected. */
    expected: string;
    /** What was given (masked for secret keys). */
    given: string;
}

/** Thrown before any resource is registered when the stack's config is invalid. */
export class ConfigError extends Error {
    constructor(public readonly problems: ConfigProblem[]) {
        super(
            `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.key}: ${p.expected}; given ${p.given}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** The full key of a path: `vaultkit:applications[0].name`. */
export function keyOf(path: ReadonlyArray<PropertyKey>): string {
    let out = CONFIG_NAMESPACE + ":";
    path.forEach((seg, i) => {
        if (typeof seg === "number") {
            out += `[${seg}]`;
        } else {
            out += (i === 0 ? "" : ".") + String(seg);
        }
    });
    return out;
}

/** What `given` says of a key that was not set. */
export const MISSING = "nothing (the key is missing)";

/** The value given at `path`, quoted and cut to 80 characters; `[secret]` for a secret key. */
export function describeGiven(raw: unknown, path: ReadonlyArray<PropertyKey>): string {
    if (path.length > 0 && SECRET_KEYS.has(String(path[0]))) {
        return "[secret]";
    }
    let v: unknown = raw;
    for (const seg of path) {
        if (v === null || typeof v !== "object") {
            v = undefined;
            break;
        }
        v = (v as Record<PropertyKey, unknown>)[seg];
    }
    if (v === undefined) {
        return MISSING;
    }
    const text = JSON.stringify(v);
    return text.length > 80 ? text.slice(0, 77) + "..." : text;
}

/** Edit distance (insertions, deletions, substitutions), for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const row = [i];
        for (let j = 1; j <= b.length; j++) {
            row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        prev = row;
    }
    return prev[b.length]!;
}

/** A key's value as the user wrote it (undefined when left to the default). */
export function rawValue(raw: Record<string, unknown>, path: string[]): unknown {
    let v: unknown = raw;
    for (const seg of path) {
        v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[seg] : undefined;
    }
    return v;
}
