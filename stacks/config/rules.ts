/**
 * The cross-field rules: each section's file holds its own (a `CrossFieldRule`), and this file runs
 * them in one order, on the parsed config or, when the schema refused something, on a copy with the
 * refused values taken out.
 */
import { connectionRoleRules, deliveryRules, identityRules } from "./applications";
import { databaseRules, productionAdminAccountRules } from "./database";
import { debugWorkloadComponentRules, productionDebugRules } from "./debugWorkloads";
import { CONFIG_NAMESPACE, type ConfigProblem, describeGiven, keyOf } from "./errors";
import { kubernetesAuthRules } from "./kubernetesAuth";
import { operatorPinRules } from "./operators";
import { otherNamespaceRules } from "./providers";
import { type Parsed, rawConfigSchema } from "./schema";
import { existingVaultMountRules, haVaultRules, vaultAccessRules, vaultExposureRules, vaultServerRules, vaultTlsRules } from "./vault";

/** What the environment may add to config. */
export interface ConfigEnvironment {
    /** `VAULT_TOKEN`, used for an existing Vault when `vaultkit:vaultToken` is not set. */
    vaultToken?: string;
    /**
     * Whether a key (without the `vaultkit:` prefix) was set as a secret (`--secret`); when given,
     * a secret key set in plain text is refused.
     */
    isSecret?: (key: string) => boolean;
    /** `VAULT_SKIP_VERIFY`, which the Vault provider reads; refused in production. */
    vaultSkipVerify?: string;
    /** Reads a file relative to the project directory (checks `vault.caCertFile`); unset: not checked. */
    readFile?: (path: string) => string;
    /** The stack's config keys outside `vaultkit:` (e.g. `kubernetes:context`), which this program's explicit providers never read. */
    otherConfigKeys?: string[];
}

/** What a cross-field rule reads besides the parsed config, and how it reports. */
export interface RuleContext {
    /** The input as given (the repaired copy when the schema refused something). */
    raw: Record<string, unknown>;
    env: ConfigEnvironment;
    /** Reports a problem on the key at `path`, with the value given there. */
    add(path: PropertyKey[], expected: string): void;
    /** Reports a problem whose key or given value is not simply the config's (a missing secret, an environment variable). */
    push(problem: ConfigProblem): void;
}

/** A rule between keys the schema checks one by one; it reports through `r`. */
export type CrossFieldRule = (c: Parsed, r: RuleContext) => void;

/** Every cross-field rule, in the order their problems are listed. */
const CROSS_FIELD_RULES: CrossFieldRule[] = [
    vaultServerRules,
    operatorPinRules,
    vaultAccessRules,
    haVaultRules,
    kubernetesAuthRules,
    vaultExposureRules,
    databaseRules,
    vaultTlsRules,
    identityRules,
    otherNamespaceRules,
    connectionRoleRules,
    deliveryRules,
    debugWorkloadComponentRules,
    productionAdminAccountRules,
    existingVaultMountRules,
    productionDebugRules,
];

/** The problems every cross-field rule finds in `c` (parsed from `raw`). */
export function crossFieldProblems(c: Parsed, raw: Record<string, unknown>, env: ConfigEnvironment): ConfigProblem[] {
    const p: ConfigProblem[] = [];
    const context: RuleContext = {
        raw,
        env,
        add: (path, expected) => p.push({ key: keyOf(path), expected, given: describeGiven(raw, path) }),
        push: (problem) => p.push(problem),
    };
    for (const rule of CROSS_FIELD_RULES) {
        rule(c, context);
    }
    return p;
}

/**
 * For the cross-field rules when the schema found problems: a copy of the input with each offending
 * value taken out (so its default applies), repeated until the schema accepts it. A required key
 * that is missing takes its parent out with it (an application without a namespace leaves the list).
 * Returns the parsed copy, the keys taken out, and for each list the original index of every element
 * left, so problems found in the copy name the user's own indexes; undefined when nothing is left
 * to check (a required top-level key such as platform is invalid).
 */
function withoutInvalid(raw: Record<string, unknown>): { data: Parsed; copy: Record<string, unknown>; removed: string[]; kept: Map<string, number[]> } | undefined {
    const copy = structuredClone(raw);
    const removed: string[] = [];
    const kept = new Map<string, number[]>();
    const at = (path: ReadonlyArray<PropertyKey>): unknown => path.reduce<unknown>((v, seg) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[seg] : undefined), copy);
    const originalKey = (path: ReadonlyArray<PropertyKey>): string =>
        keyOf(path.map((seg, i) => (typeof seg === "number" ? (kept.get(keyOf(path.slice(0, i)))?.[seg] ?? seg) : seg)));
    for (let round = 0; round < 50; round++) {
        const result = rawConfigSchema.safeParse(copy);
        if (result.success) {
            return { data: result.data, copy, removed, kept };
        }
        const paths = new Map<string, PropertyKey[]>();
        for (const issue of result.error.issues) {
            const found = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [[...issue.path]];
            for (let p of found) {
                while (p.length > 0 && at(p) === undefined) p = p.slice(0, -1); // missing: take the parent
                if (p.length === 0) return undefined;
                paths.set(keyOf(p), p);
            }
        }
        // Keys first, then list elements from the highest index down, so every path stays valid.
        const index = (p: PropertyKey[]) => (typeof p.at(-1) === "number" ? (p.at(-1) as number) : Number.MAX_SAFE_INTEGER);
        const ordered = [...paths.values()].sort((a, b) => index(b) - index(a));
        for (const p of ordered) {
            removed.push(originalKey(p));
            const parent = at(p.slice(0, -1)) as Record<PropertyKey, unknown> | unknown[];
            const last = p.at(-1)!;
            if (Array.isArray(parent) && typeof last === "number") {
                const listKey = keyOf(p.slice(0, -1));
                const indexes = kept.get(listKey) ?? parent.map((_, i) => i);
                indexes.splice(last, 1);
                kept.set(listKey, indexes);
                parent.splice(last, 1);
            } else {
                delete (parent as Record<PropertyKey, unknown>)[last];
            }
        }
    }
    return undefined;
}

/** Keys whose value decides which cross-field rules apply; when one is invalid, those rules are not run. */
const SELECTOR_KEYS = ["production", "vault", "vault.mode", "vault.server", "database", "database.mode"].map((k) => `${CONFIG_NAMESPACE}:${k}`);

/**
 * The cross-field problems of input the schema refused, checked on `withoutInvalid`'s copy: problems on
 * (or naming) a key that was taken out are left to the schema's own message.
 */
export function crossFieldProblemsDespite(raw: Record<string, unknown>, env: ConfigEnvironment): ConfigProblem[] {
    const repaired = withoutInvalid(raw);
    if (!repaired || repaired.removed.some((k) => SELECTOR_KEYS.includes(k))) {
        return [];
    }
    const related = (a: string, b: string) => a === b || a.startsWith(b + ".") || a.startsWith(b + "[") || b.startsWith(a + ".") || b.startsWith(a + "[");
    const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return crossFieldProblems(repaired.data, repaired.copy, env)
        .map((p) => {
            let { key, expected } = p;
            for (const [listKey, indexes] of repaired.kept) {
                const short = listKey.slice(CONFIG_NAMESPACE.length + 1);
                const renumber = (text: string, pattern: RegExp) => text.replace(pattern, (_m, pre: string, i: string) => `${pre}[${indexes[Number(i)] ?? i}]`);
                key = renumber(key, new RegExp(`^(${escape(listKey)})\\[(\\d+)\\]`));
                expected = renumber(expected, new RegExp(`(\\b${escape(short)})\\[(\\d+)\\]`, "g"));
            }
            return { ...p, key, expected };
        })
        .filter((p) => !repaired.removed.some((r) => related(p.key, r) || new RegExp(`\\b${escape(r.slice(CONFIG_NAMESPACE.length + 1))}(?![\\w\\[.])`).test(p.expected)));
}
