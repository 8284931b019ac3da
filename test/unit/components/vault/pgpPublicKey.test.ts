/** components/vault/pgpPublicKey.ts: only OpenPGP public keys, as Vault reads them, reach config and the bootstrap. */
import { describe, expect, it } from "vitest";
import { normalizePgpPublicKey } from "../../../../components/vault/pgpPublicKey";
import { KEY_B, REAL_PUBLIC_KEY, SECRET_KEY } from "../../../support/pgpKeys";

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

});
