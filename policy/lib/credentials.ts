/**
 * Heuristics for "this looks like a credential", used by the plaintext-credentials policy.
 * Deliberately conservative in what they call a credential *name* (a key such as `token-path` or
 * `secret-name` names where a credential lives, not the credential) and broad in what they call a
 * credential *value* (PEM private keys, Vault tokens, passwords inside URLs and DSNs, JWTs).
 */

/** Words that make a key name a credential name. */
const CREDENTIAL_WORDS = new Set([
    "password",
    "passwords",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
    "privatekey",
]);

/** Last words that make a key describe a credential's location or metadata, not its value. */
const DESCRIPTOR_WORDS = new Set([
    "path",
    "file",
    "filename",
    "dir",
    "directory",
    "name",
    "names",
    "ref",
    "url",
    "uri",
    "ttl",
    "mount",
    "role",
    "roles",
    "id",
    "kind",
    "type",
    "length",
    "policy",
    "env",
    "source",
]);

/** Splits `dbPassword`, `DB_PASSWORD`, `db-password.txt`, `tls.key` into lower-case words. */
export function keyWords(key: string): string[] {
    return key
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .map((w) => w.toLowerCase())
        .filter((w) => w !== "");
}

/**
 * True when a ConfigMap/Secret key names a credential: `password`, `db_password`, `apiKey`,
 * `vault-token`, `client_secret`, `tls.key`, `private-key`; false for `username`, `token-path`,
 * `secret-name`, `password-file`, `public-key`, `keycloak-url`.
 */
export function isCredentialKey(key: string): boolean {
    const words = keyWords(key);
    if (words.length === 0) {
        return false;
    }
    const last = words[words.length - 1]!;
    // A trailing file extension (`password.txt`, `tls.key` is handled as a key word) does not change the meaning.
    const meaningful = ["txt", "json", "yaml", "yml", "env", "conf", "pem"].includes(last) && words.length > 1 ? words.slice(0, -1) : words;
    const tail = meaningful[meaningful.length - 1]!;
    if (tail === "key") {
        const before = meaningful[meaningful.length - 2];
        return before !== "public";
    }
    if (DESCRIPTOR_WORDS.has(tail)) {
        return false;
    }
    return meaningful.some(isCredentialWord);
}

/** `password`, `pgpassword`, `vaulttoken`, `clientsecret`: credential words, also glued to a prefix (`PGPASSWORD`). */
function isCredentialWord(word: string): boolean {
    return CREDENTIAL_WORDS.has(word) || /(password|passwd|passphrase|token|credential)/.test(word) || /secret$/.test(word) || /(api|private)key$/.test(word);
}

/** A value that is a template or an indirection, not a credential itself. */
export function isReferenceValue(value: string): boolean {
    const v = value.trim();
    return (
        v === "" ||
        /^\{\{.*\}\}$/s.test(v) || // Go/Vault agent template
        /^\$\{[A-Za-z_][A-Za-z0-9_.:-]*\}$/.test(v) || // ${ENV_VAR}
        /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(v) || // $(ENV_VAR) (Kubernetes env expansion)
        /^\/[A-Za-z0-9._/-]+$/.test(v) // an absolute file path (a mounted secret)
    );
}

const TEMPLATE_PASSWORD = /^(\{\{.*\}\}|\$\{[^}]*\}|\$\([^)]*\)|\*+|<[^>]*>)$/;

/** Patterns of credential values, with a name for messages. */
const VALUE_PATTERNS: readonly { name: string; test: (v: string) => boolean }[] = [
    { name: "a PEM private key", test: (v) => /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(v) },
    { name: "a Vault token", test: (v) => /(^|[^A-Za-z0-9])hv[sbr]\.[A-Za-z0-9_-]{20,}/.test(v) || /^s\.[A-Za-z0-9]{24}$/.test(v.trim()) },
    { name: "a JSON Web Token", test: (v) => /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/.test(v) },
    { name: "an AWS access key id", test: (v) => /(^|[^A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}([^A-Z0-9]|$)/.test(v) },
    {
        name: "a URL with an embedded password",
        test: (v) => {
            for (const m of v.matchAll(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:@/]+:([^\s@/]+)@/g)) {
                if (!TEMPLATE_PASSWORD.test(m[1]!)) {
                    return true;
                }
            }
            return false;
        },
    },
    {
        name: "a connection string with a password",
        test: (v) => {
            for (const m of v.matchAll(/(?:^|[\s;?&])password\s*=\s*([^\s;&'"]+)/gi)) {
                if (!TEMPLATE_PASSWORD.test(m[1]!)) {
                    return true;
                }
            }
            return false;
        },
    },
];

/** What kind of credential a value looks like, or `undefined`. */
export function credentialValueKind(value: string): string | undefined {
    return VALUE_PATTERNS.find((p) => p.test(value))?.name;
}

/** Values that are defaults or placeholders, never real credentials (compared case-insensitively). */
export const WEAK_CREDENTIALS: ReadonlySet<string> = new Set([
    "root", // Vault dev mode's default root token (`vault server -dev`, chart `server.dev.devRootToken`)
    "password",
    "passw0rd",
    "changeme",
    "change-me",
    "changeit",
    "admin",
    "administrator",
    "secret",
    "postgres",
    "vault",
    "test",
    "example",
    "default",
    "letmein",
    "token",
    "123456",
    "12345678",
    "qwerty",
]);

/** Decodes a Kubernetes Secret `data` value (base64); `undefined` when it is not valid base64. */
export function decodeBase64(value: string): string | undefined {
    const compact = value.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
        return undefined;
    }
    return Buffer.from(compact, "base64").toString("utf8");
}
