/**
 * The OpenPGP public keys Vault encrypts its init output to: checked (and normalised) before they
 * reach config, a ConfigMap or Vault, so a secret key or an armored block never gets that far.
 */

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** OpenPGP packet tag of a packet's first octet (RFC 4880 §4.2), or undefined if it is not one. */
function packetTag(octet: number): number | undefined {
    if ((octet & 0x80) === 0) {
        return undefined;
    }
    return (octet & 0x40) !== 0 ? octet & 0x3f : (octet >> 2) & 0x0f;
}

/**
 * Validates one PGP public key given as base64 of the binary key (`gpg --export KEYID | base64 -w0`)
 * and returns it without whitespace (Vault uses a key file's content verbatim only when it decodes
 * as base64 as a whole, so no trailing newline may reach the file). Refuses armored keys, Keybase
 * references, anything that is not an OpenPGP public key, and, loudly, secret keys.
 */
export function normalizePgpPublicKey(key: string, what: string): string {
    if (typeof key !== "string" || key.trim() === "") {
        throw new Error(`${what}: expected a base64 PGP public key, got nothing`);
    }
    const compact = key.replace(/\s+/g, "");
    if (compact.startsWith("-----BEGIN")) {
        throw new Error(`${what}: expected the base64 of the binary key (gpg --export KEYID | base64 -w0), not an ASCII-armored block`);
    }
    if (compact.startsWith("keybase:")) {
        throw new Error(`${what}: Keybase look-ups are not supported; give the base64 public key (gpg --export KEYID | base64 -w0)`);
    }
    if (!BASE64.test(compact) || compact.length % 4 !== 0) {
        throw new Error(`${what}: expected base64 (A-Z, a-z, 0-9, '+', '/', '=' padding) of a PGP public key`);
    }
    const bytes = Buffer.from(compact, "base64");
    // The checks above leave at least four base64 characters, so at least one byte.
    const tag = packetTag(bytes[0]!);
    if (tag === 5 || tag === 7) {
        throw new Error(`${what}: this is a PGP SECRET key; never put a private key in config. Export the public key: gpg --export KEYID | base64 -w0`);
    }
    if (tag !== 6 || bytes.length < 64) {
        throw new Error(`${what}: not an OpenPGP public key (expected a public-key packet first; export it with gpg --export KEYID | base64 -w0)`);
    }
    return compact;
}
