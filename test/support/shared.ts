/**
 * The folder of upstream data (CRDs, chart values) that the tests validate against, found the way
 * the render finds its schema folder (scripts/lib/schemas.ts): `$VAULTKIT_SCHEMAS_DIR` or
 * `$VAULTKIT_SHARED_DIR`, else `<repo>/../shared` (the project's development setup), else what
 * `npm run fetch-schemas` downloaded into `${VAULTKIT_CACHE:-~/.cache/vaultkit}/schemas` (how CI and
 * a user without ../shared get it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { schemaFolder } from "../../scripts/lib/schemas";

const REPO = path.resolve(__dirname, "..", "..");

/** The schema folder; `<repo>/../shared` when none is there (sharedAvailable() then says so). */
export const SHARED_DIR = schemaFolder(REPO)?.dir ?? path.resolve(REPO, "..", "shared");

/**
 * True when the schema folder is there. When it is not: in CI (`CI=true`) or with
 * `VAULTKIT_SHARED_REQUIRED=1` this throws, so the tests that need it fail instead of skipping;
 * elsewhere it warns and returns false (a developer without the folder skips them, visibly).
 */
export function sharedAvailable(): boolean {
    if (fs.existsSync(path.join(SHARED_DIR, "crds"))) return true;
    const reason = `the upstream schemas are missing: no ${path.join(SHARED_DIR, "crds")} and nothing fetched (npm run fetch-schemas, or set VAULTKIT_SHARED_DIR)`;
    if (process.env.CI === "true" || process.env.VAULTKIT_SHARED_REQUIRED === "1") {
        throw new Error(`${reason}; CI=true: the tests that validate against it fail rather than skip`);
    }
    console.warn(`[skipped] ${reason}`);
    return false;
}
