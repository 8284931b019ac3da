/**
 * Pulumi's wire format (what the engine receives in a RegisterResourceRequest) and the turning of
 * it into reviewable, secret-free plain data.
 *
 * A value that reached the engine as a secret becomes `"[secret]"`; a value the engine could not
 * know before deployment (the unknown sentinel) becomes `"[unknown until deployment]"`.
 */

/** The signature key Pulumi uses to mark special objects on the wire. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
export const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
export const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
/** The string the engine uses for a value that is unknown during a preview. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What a secret looks like in rendered output. */
export const SECRET_PLACEHOLDER = "[secret]";
/** What a value unknown before deployment looks like in rendered output. */
export const UNKNOWN_PLACEHOLDER = "[unknown until deployment]";

/** True for the two placeholders (validators skip findings on them: the real value is not known here). */
export function isPlaceholder(v: unknown): boolean {
    return v === SECRET_PLACEHOLDER || v === UNKNOWN_PLACEHOLDER;
}

/** JSON-like data as rendered. */
export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/** A JSON value as `Struct.toJavaScript()` gives it. */
export type Wire = unknown;

function isObject(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** True when `v` is a secret-marked wire value. */
export function isWireSecret(v: Wire): v is { value: Wire } {
    return isObject(v) && v[SIG_KEY] === SECRET_SIG;
}

/** The wire value with secret markers removed (for code that needs the inner value, e.g. KV key names). */
export function unwrapWireSecrets(v: Wire): Wire {
    if (Array.isArray(v)) {
        return v.map(unwrapWireSecrets);
    }
    if (!isObject(v)) {
        return v;
    }
    if (v[SIG_KEY] === SECRET_SIG) {
        return unwrapWireSecrets(v.value);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapWireSecrets(x)]));
}

/** True when the wire value is or contains the unknown sentinel. */
export function containsUnknown(v: Wire): boolean {
    if (v === UNKNOWN_VALUE) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(containsUnknown);
    }
    if (isObject(v)) {
        return Object.values(v).some(containsUnknown);
    }
    return false;
}

/** Appends a key or index to a dotted path (`a.b[0].c`). */
export function joinPath(prefix: string, key: string | number): string {
    if (typeof key === "number") {
        return `${prefix}[${key}]`;
    }
    const k = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? key : JSON.stringify(key);
    return prefix ? `${prefix}.${k}` : k;
}

/** The result of revealing a wire value. */
export interface Revealed {
    value: Plain | undefined;
    /** Paths that reached the engine as secrets (now `"[secret]"`). */
    secretPaths: string[];
    /** Paths that were unknown before deployment. */
    unknownPaths: string[];
}

/** Options for {@link reveal}. */
export interface RevealOptions {
    /** Rewrites strings (e.g. absolute paths of the checkout into `<repo>`). */
    rewriteString?: (s: string) => string;
    /** Names a resource reference (URN) in rendered output. */
    nameResource?: (urn: string) => string;
}

/**
 * Turns a wire value into plain data: secrets -> `"[secret]"`, unknowns -> `"[unknown until
 * deployment]"`, resource references -> `"[resource <type>::<name>]"`, assets -> a short description.
 */
export function reveal(v: Wire, opts: RevealOptions = {}, prefix = ""): Revealed {
    const out: Revealed = { value: undefined, secretPaths: [], unknownPaths: [] };
    out.value = walk(v, prefix, out, opts);
    return out;
}

function walk(v: Wire, path: string, acc: Revealed, opts: RevealOptions): Plain | undefined {
    if (v === undefined) {
        return undefined;
    }
    if (v === null || typeof v === "boolean" || typeof v === "number") {
        return v as Plain;
    }
    if (typeof v === "string") {
        if (v === UNKNOWN_VALUE) {
            acc.unknownPaths.push(path);
            return UNKNOWN_PLACEHOLDER;
        }
        return opts.rewriteString ? opts.rewriteString(v) : v;
    }
    if (Array.isArray(v)) {
        return v.map((x, i) => walk(x, joinPath(path, i), acc, opts) ?? null);
    }
    if (!isObject(v)) {
        return String(v);
    }
    const sig = v[SIG_KEY];
    if (sig === SECRET_SIG) {
        acc.secretPaths.push(path);
        return SECRET_PLACEHOLDER;
    }
    if (sig === RESOURCE_SIG) {
        const urn = String(v.urn ?? "");
        return `[resource ${opts.nameResource ? opts.nameResource(urn) : urn}]`;
    }
    if (sig === OUTPUT_SIG) {
        if (v.secret === true) {
            acc.secretPaths.push(path);
            return SECRET_PLACEHOLDER;
        }
        if (!("value" in v)) {
            acc.unknownPaths.push(path);
            return UNKNOWN_PLACEHOLDER;
        }
        return walk(v.value, path, acc, opts);
    }
    if (sig === ASSET_SIG || sig === ARCHIVE_SIG) {
        const what = sig === ASSET_SIG ? "asset" : "archive";
        if (typeof v.path === "string") {
            return `[${what} file ${opts.rewriteString ? opts.rewriteString(v.path) : v.path}]`;
        }
        if (typeof v.uri === "string") {
            return `[${what} ${v.uri}]`;
        }
        if (typeof v.text === "string") {
            return `[${what} text]\n${v.text}`;
        }
        if (isObject(v.assets)) {
            return { [`[${what}]`]: walk(v.assets, path, acc, opts) ?? null };
        }
        return `[${what}]`;
    }
    const obj: { [key: string]: Plain } = {};
    for (const [k, x] of Object.entries(v)) {
        const w = walk(x, joinPath(path, k), acc, opts);
        if (w !== undefined) {
            obj[k] = w;
        }
    }
    return obj;
}
