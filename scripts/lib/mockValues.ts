/** Deterministic stand-ins for values only a real deployment produces. */
import { createHash } from "crypto";

/** A deterministic hex digest. */
export function digest(text: string, length = 16): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** A recognisable, deterministic mock secret (letters and digits only). */
export function mockSecretValue(seed: string, length = 32): string {
    let s = "vkmocksecret" + digest(seed, 64);
    while (s.length < length) {
        s += digest(s, 64);
    }
    return s.slice(0, Math.max(length, 1));
}
