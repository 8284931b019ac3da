/**
 * The project's shared folder of upstream data (CRDs, chart values) that the tests validate against:
 * `$VAULTKIT_SHARED_DIR`, else `<repo>/../shared`. The product does not need it (the render takes a
 * schema folder from the user: scripts/lib/schemas.ts); the tests do, and name it explicitly.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const SHARED_DIR = process.env.VAULTKIT_SHARED_DIR?.trim() ? path.resolve(process.env.VAULTKIT_SHARED_DIR) : path.resolve(__dirname, "..", "..", "..", "shared");

/**
 * True when the shared folder is there. When it is not: in CI (`CI=true`) or with
 * `VAULTKIT_SHARED_REQUIRED=1` this throws, so the tests that need it fail instead of skipping;
 * elsewhere it warns and returns false (a developer without the folder skips them, visibly).
 */
export function sharedAvailable(): boolean {
    if (fs.existsSync(path.join(SHARED_DIR, "crds"))) return true;
    const reason = `the shared upstream data is missing: no ${path.join(SHARED_DIR, "crds")} (set VAULTKIT_SHARED_DIR)`;
    if (process.env.CI === "true" || process.env.VAULTKIT_SHARED_REQUIRED === "1") {
        throw new Error(`${reason}; CI=true: the tests that validate against it fail rather than skip`);
    }
    console.warn(`[skipped] ${reason}`);
    return false;
}
