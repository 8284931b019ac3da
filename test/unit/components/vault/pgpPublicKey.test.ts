/** components/vault/pgpPublicKey.ts: only OpenPGP public keys, as Vault reads them, reach config and the bootstrap. */
import { describe, expect, it } from "vitest";
import { normalizePgpPublicKey } from "../../../../components/vault/pgpPublicKey";
import { fakeKey, KEY_B, REAL_PUBLIC_KEY, SECRET_KEY } from "../../../support/pgpKeys";

describe("PGP public keys", () => {
    it("accepts a gpg-exported public key and strips the whitespace `base64` wraps it with", () => {
        const wrapped = REAL_PUBLIC_KEY.replace(/(.{76})/g, "$1\n") + "\n";
        expect(normalizePgpPublicKey(wrapped, "k")).toBe(REAL_PUBLIC_KEY);
        expect(normalizePgpPublicKey(KEY_B, "k")).toBe(KEY_B);
    });

    it("refuses secret keys, armored blocks, Keybase names and non-PGP base64", () => {
        expect(() => normalizePgpPublicKey(SECRET_KEY, "k")).toThrow(/SECRET key/);
        expect(() => normalizePgpPublicKey("-----BEGIN PGP PUBLIC KEY BLOCK-----\nabc\n-----END PGP PUBLIC KEY BLOCK-----", "k")).toThrow(/armored/);
        expect(() => normalizePgpPublicKey("keybase:alice", "k")).toThrow(/Keybase/);
        expect(() => normalizePgpPublicKey("not base64!", "k")).toThrow(/base64/);
        expect(() => normalizePgpPublicKey(Buffer.alloc(200, 0x41).toString("base64"), "k")).toThrow(/not an OpenPGP public key/);
        expect(() => normalizePgpPublicKey("", "k")).toThrow(/got nothing/);
    });

    it("names the key and says what was wrong, in exact words", () => {
        const base64 = "k: expected base64 (A-Z, a-z, 0-9, '+', '/', '=' padding) of a PGP public key";
        const notPublic = "k: not an OpenPGP public key (expected a public-key packet first; export it with gpg --export KEYID | base64 -w0)";
        expect(() => normalizePgpPublicKey(" \n\t", "k")).toThrow(new Error("k: expected a base64 PGP public key, got nothing"));
        // A key that is no string at all (from a program in another language, or YAML's `null`).
        expect(() => normalizePgpPublicKey(null as unknown as string, "k")).toThrow(new Error("k: expected a base64 PGP public key, got nothing"));
        // Characters outside base64, at the start, in the middle or at the end, in a length base64 allows (a multiple of 4).
        for (const bad of ["!AAA", "AA!A", "AAA!", "not base64!!"]) {
            expect(() => normalizePgpPublicKey(bad, "k")).toThrow(new Error(base64));
        }
        // Base64 characters in a length no encoder produces.
        expect(() => normalizePgpPublicKey("AAAAA", "k")).toThrow(new Error(base64));
        expect(() => normalizePgpPublicKey(SECRET_KEY, "k")).toThrow(new Error("k: this is a PGP SECRET key; never put a private key in config. Export the public key: gpg --export KEYID | base64 -w0"));
        expect(() => normalizePgpPublicKey(Buffer.alloc(200, 0x41).toString("base64"), "k")).toThrow(new Error(notPublic));
    });

    it("refuses a secret subkey packet (tag 7) as loudly as a secret key", () => {
        // New-format header 0xc7: tag 7, secret subkey.
        expect(() => normalizePgpPublicKey(fakeKey(0xc7, 5), "k")).toThrow(/this is a PGP SECRET key/);
        // Old-format header 0x9d: tag 7 in bits 5-2.
        expect(() => normalizePgpPublicKey(fakeKey(0x9d, 6), "k")).toThrow(/this is a PGP SECRET key/);
    });

    it("reads the packet tag only from a packet header (bit 7 set)", () => {
        // 0x18 has bit 7 clear, so it is no packet header, though bits 5-2 read 6 (public key).
        expect(() => normalizePgpPublicKey(fakeKey(0x18, 7), "k")).toThrow(/not an OpenPGP public key/);
    });

    it("accepts a public-key packet of 64 bytes and refuses one of 63, too short to hold a key", () => {
        const packet = (length: number) => Buffer.from(Buffer.from(fakeKey(0x99, 8), "base64").subarray(0, length)).toString("base64");
        expect(normalizePgpPublicKey(packet(64), "k")).toBe(packet(64));
        expect(() => normalizePgpPublicKey(packet(63), "k")).toThrow(/not an OpenPGP public key/);
    });
});
