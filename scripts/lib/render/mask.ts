/**
 * Secrets never reach a rendered file: inputs that reached the engine as secrets become "[secret]",
 * a Kubernetes Secret keeps only its key names, and credential-looking fields are masked even when
 * they were not marked secret (each recorded as an `UnmarkedSecret`, so the leak gets fixed in the program).
 */
import { CapturedResource } from "../engine";
import { Plain, SECRET_PLACEHOLDER, UNKNOWN_PLACEHOLDER, Wire, containsUnknown, isPlaceholder, joinPath, reveal, unwrapWireSecrets } from "../wire";
import { Prepared, categorize, isObj } from "./prepared";

/** A credential that reached the engine in plaintext (masked in the output anyway). */
export interface UnmarkedSecret {
    resource: string;
    path: string;
    reason: string;
}

/** How a capture's values are made plain: repository paths rewritten, URNs named by id. */
export interface Revealer {
    /** `<repo>` for the checkout's path in strings. */
    rewrite(s: string): string;
    /** The render's id of a URN. */
    idOf(urn: string): string;
}

/** Credential-looking keys (camelCase, snake/kebab and plain words). */
const CREDENTIAL_KEY =
    /^(password|passwd|passphrase|secret|token|jwt|kubeconfig|privateKey|private_key|clientKey|client_key|clientSecret|client_secret)$|(Password|Passwd|Passphrase|Secret|Token|Jwt|PrivateKey|ClientKey|Kubeconfig)$|[-_.](password|passwd|passphrase|secret|token|jwt)$/;
/** Environment variable names that carry credentials. */
const CREDENTIAL_ENV = /(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|PRIVATE_KEY|API_KEY)/i;
/** `scheme://user:password@` with a real password (Vault's `{{password}}` template is fine). */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):([^@\s]+)@/i;

/** A registration's inputs made plain, its secret outputs and any credential masked. */
export function prepare(r: CapturedResource, v: Revealer, unmarked: UnmarkedSecret[]): Prepared {
    const id = v.idOf(r.urn);
    const category = categorize(r);
    const inputs: Record<string, Wire> = { ...r.inputs };
    const revealed = reveal(inputs, { rewriteString: v.rewrite, nameResource: (u) => v.idOf(u) });
    const value = (revealed.value ?? {}) as { [k: string]: Plain };
    // Outputs the SDK declares secret are masked in their input form too.
    for (const k of r.additionalSecretOutputs) {
        if (value[k] !== undefined && !isPlaceholder(value[k])) {
            value[k] = maskDeep(value[k]!);
        }
    }
    if (category === "kubernetes" && r.type.startsWith("kubernetes:core/v1:Secret")) {
        maskSecretData(r, value);
    }
    if (category !== "stack" && category !== "component") {
        maskCredentials(value, "", id, unmarked);
    }
    return { r, id, category, inputs: value, secretPaths: revealed.secretPaths.sort(), unknownPaths: revealed.unknownPaths.sort() };
}

/** A Kubernetes Secret: the SDK marks the whole map secret; keep the key names, mask every value. */
function maskSecretData(r: CapturedResource, value: { [k: string]: Plain }): void {
    for (const k of ["data", "stringData"]) {
        if (r.inputs[k] === undefined || value[k] === UNKNOWN_PLACEHOLDER) continue;
        const inner = unwrapWireSecrets(r.inputs[k]);
        if (isObj(inner)) {
            value[k] = Object.fromEntries(
                Object.entries(inner as Record<string, Wire>).map(([key, v]) => [key, containsUnknown(v) ? UNKNOWN_PLACEHOLDER : SECRET_PLACEHOLDER]),
            );
        } else if (!isPlaceholder(value[k])) {
            value[k] = SECRET_PLACEHOLDER;
        }
    }
}

/** Masks credential-looking strings in place, recording the ones that were not secret in `unmarked`. */
export function maskCredentials(node: Plain, path: string, id: string, unmarked: UnmarkedSecret[], key = ""): void {
    if (Array.isArray(node)) {
        node.forEach((x, i) => {
            if (typeof x === "string") {
                const masked = maskString(x, joinPath(path, i), id, key, unmarked);
                if (masked !== x) node[i] = masked;
            } else {
                maskCredentials(x, joinPath(path, i), id, unmarked, key);
            }
        });
        return;
    }
    if (!isObj(node)) return;
    // `{ name: PGPASSWORD, value: ... }` environment entries.
    if (typeof node.name === "string" && typeof node.value === "string" && CREDENTIAL_ENV.test(node.name) && !isPlaceholder(node.value) && node.value !== "") {
        unmarked.push({ resource: id, path: joinPath(path, "value"), reason: `environment variable ${node.name} holds a plaintext value` });
        node.value = SECRET_PLACEHOLDER;
    }
    for (const [k, v] of Object.entries(node)) {
        if (k === "annotations" || k === "labels") continue;
        const p = joinPath(path, k);
        if (typeof v === "string") {
            const masked = maskString(v, p, id, k, unmarked);
            if (masked !== v) node[k] = masked;
        } else {
            maskCredentials(v, p, id, unmarked, k);
        }
    }
}

function maskString(v: string, path: string, id: string, key: string, unmarked: UnmarkedSecret[]): string {
    // Flags (`skipChildToken: "true"`) are not credentials; provider config arrives as strings.
    if (isPlaceholder(v) || v === "" || v === "true" || v === "false") return v;
    if (CREDENTIAL_KEY.test(key)) {
        unmarked.push({ resource: id, path, reason: `credential field '${key}' was not marked secret` });
        return SECRET_PLACEHOLDER;
    }
    const m = URL_PASSWORD.exec(v);
    if (m && m[2] !== "{{password}}" && !m[2]!.startsWith("[")) {
        unmarked.push({ resource: id, path, reason: "URL with an embedded password was not marked secret" });
        return v.replace(URL_PASSWORD, `$1:${SECRET_PLACEHOLDER}@`);
    }
    return v;
}

/** Every leaf replaced by "[secret]" (keys kept). */
export function maskDeep(v: Plain): Plain {
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskDeep(x)]));
    if (Array.isArray(v)) return v.map(maskDeep);
    return v === UNKNOWN_PLACEHOLDER ? v : SECRET_PLACEHOLDER;
}
