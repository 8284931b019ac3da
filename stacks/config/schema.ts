/**
 * The whole `vaultkit:*` schema: the top-level keys and one key per section (each section's schema
 * lives in its own file), and how the schema's issues become `ConfigProblem`s.
 */
import { z } from "zod";
import { applicationsSchema, externalApplicationsSchema } from "./applications";
import { databaseSchema } from "./database";
import { debugWorkloadsSchema } from "./debugWorkloads";
import { CONFIG_NAMESPACE, type ConfigProblem, describeGiven, editDistance, keyOf, MISSING } from "./errors";
import { kubernetesAuthSchema } from "./kubernetesAuth";
import { operatorsSchema } from "./operators";
import { pinnedImage } from "./primitives";
import { vaultSchema } from "./vault";

/** `vaultkit:platform`. */
export const platform = z.enum(["openshift", "kubernetes"], {
    error: "expected one of 'openshift', 'kubernetes'",
});

/** The raw (pre-default) shape of all `vaultkit:*` keys. */
export const rawConfigSchema = z.strictObject({
    platform: platform,
    production: z.boolean({ error: "expected true or false" }).default(false),
    /** Pulumi `protect` on what holds state (KV admin credentials, mounts, auth method, SGCluster). Default: `production`. */
    protect: z.boolean({ error: "expected true or false" }).optional(),
    /** `retainOnDelete` on the Vault mounts, auth method and admin secret. Default: true with an existing Vault (it is not this stack's). */
    retainOnDelete: z.boolean({ error: "expected true or false" }).optional(),
    kubeContext: z.string().min(1).optional(),
    /**
     * Pinned image with `sh` and `kubectl` for the Jobs that wait for operators, approve pinned
     * InstallPlans and check StackGres scripts (and the HA bootstrap, unless
     * `vault.bootstrap.kubectlImage`). Default per platform: components/versions.ts `kubectlImages`.
     */
    kubectlImage: pinnedImage.optional(),
    vault: vaultSchema,
    vaultToken: z.string().min(1, { error: "expected a non-empty token" }).optional(),
    /** Vault outside the cluster: a token-reviewer service account token for Kubernetes auth. */
    kubernetesTokenReviewerJwt: z.string().min(20, { error: "expected a service account token (a JWT)" }).optional(),
    /** Existing database: the password of `database.vaultAdminRole` (StackGres mode generates it). */
    databaseAdminPassword: z.string().min(16, { error: "expected a password of at least 16 characters" }).optional(),
    kubernetesAuth: kubernetesAuthSchema,
    database: databaseSchema,
    applications: applicationsSchema,
    /** Applications another stack declares on this stack's database connection (see `externalApplicationsSchema`). */
    externalApplications: externalApplicationsSchema,
    debugWorkloads: debugWorkloadsSchema,
    operators: operatorsSchema,
});

/** The schema's output, before the resolution `parseStackConfig` adds. */
export type Parsed = z.output<typeof rawConfigSchema>;


/** The object keys the schema allows at `path` (empty when `path` is not an object). */
function keysAllowedAt(path: ReadonlyArray<PropertyKey>): string[] {
    type Def = { type: string; innerType?: Node; in?: Node; element?: Node; shape?: Record<string, Node> };
    type Node = { _zod: { def: Def } };
    const unwrap = (n: Node | undefined): Node | undefined => {
        while (n && ["default", "prefault", "optional", "nullable", "readonly", "pipe"].includes(n._zod.def.type)) {
            n = n._zod.def.type === "pipe" ? n._zod.def.in : n._zod.def.innerType;
        }
        return n;
    };
    let node = unwrap(rawConfigSchema as unknown as Node);
    for (const seg of path) {
        const def = node?._zod.def;
        node = unwrap(typeof seg === "number" ? (def?.type === "array" ? def.element : undefined) : def?.type === "object" ? def.shape?.[String(seg)] : undefined);
    }
    const def = node?._zod.def;
    return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

/** What to say about a key the schema does not know: a `--path` hint or the nearest known key. */
function unknownKeyHint(path: ReadonlyArray<PropertyKey>, key: string): string {
    const known = keysAllowedAt(path);
    const head = key.split(/[.[]/, 1)[0]!;
    if (path.length === 0 && head !== key && known.includes(head)) {
        return `expected a key inside '${head}': '${key}' was set as one flat key; use \`pulumi config set --path ${CONFIG_NAMESPACE}:${key} <value>\` (or nest it under ${CONFIG_NAMESPACE}:${head} in the stack file)`;
    }
    const nearest = known
        .map((k) => ({ k, d: editDistance(k.toLowerCase(), key.toLowerCase()) }))
        .filter(({ d }) => d <= Math.max(2, Math.floor(key.length / 4)))
        .sort((a, b) => a.d - b.d)[0];
    return nearest
        ? `no such key; did you mean '${nearest.k}'? (the README's configuration reference lists every key)`
        : "no such key (check the spelling against the README's configuration reference)";
}

/** The schema's issues as problems: the key, the message (a missing required key says so) and the value given. */
export function problemsFrom(error: z.ZodError, raw: unknown): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const issue of error.issues) {
        if (issue.code === "unrecognized_keys") {
            for (const k of issue.keys) {
                problems.push({ key: keyOf([...issue.path, k]), expected: unknownKeyHint(issue.path, k), given: describeGiven(raw, [...issue.path, k]) });
            }
            continue;
        }
        const given = describeGiven(raw, issue.path);
        // A required key that is absent: say so, rather than "expected a string".
        const expected = issue.code === "invalid_type" && given === MISSING ? `a value is required here (${issue.message})` : issue.message;
        problems.push({ key: keyOf(issue.path), expected, given });
    }
    return problems;
}
