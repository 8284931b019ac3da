/**
 * Where `npm run render -- --validate` gets its schemas (the pinned upstream CRDs and Helm chart
 * values, in a folder with crds/ and reference/). The repository does not ship them; see
 * docs/rendering.md, "Schemas".
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Where scripts/fetch-schemas.ts writes by default, and where the render looks last. */
export function defaultSchemaCache(): string {
    return path.join(process.env.VAULTKIT_CACHE || path.join(os.homedir(), ".cache", "vaultkit"), "schemas");
}

/** A schema folder and how it was found. */
export interface SchemaFolder {
    dir: string;
    /** e.g. "--schemas", "$VAULTKIT_SCHEMAS_DIR", "../shared next to the checkout". */
    source: string;
    /** The folder holds a cluster's served CRDs (no chart values; families it does not serve are absent). */
    fromCluster?: boolean;
}

/**
 * The schema folder, in this order: `explicit` (--schemas), `$VAULTKIT_SCHEMAS_DIR` (or the older
 * `$VAULTKIT_SHARED_DIR`), `<repo>/../shared` (the project's development setup), the fetch cache.
 * A folder named explicitly must exist; undefined when none is found.
 */
export function schemaFolder(repoRoot: string, explicit?: string): SchemaFolder | undefined {
    const named: [string | undefined, string][] = [
        [explicit, "--schemas"],
        [process.env.VAULTKIT_SCHEMAS_DIR, "$VAULTKIT_SCHEMAS_DIR"],
        [process.env.VAULTKIT_SHARED_DIR, "$VAULTKIT_SHARED_DIR"],
    ];
    for (const [dir, source] of named) {
        if (dir === undefined || dir.trim() === "") continue;
        const abs = path.resolve(dir);
        if (!fs.existsSync(path.join(abs, "crds"))) {
            throw new Error(`${source} ${abs}: no crds/ folder there (a schema folder has crds/ and reference/: npm run fetch-schemas -- --dest ${abs})`);
        }
        return { dir: abs, source, ...(fs.existsSync(path.join(abs, "crds", "FROM-CLUSTER.md")) ? { fromCluster: true } : {}) };
    }
    const beside = path.resolve(repoRoot, "..", "shared");
    if (fs.existsSync(path.join(beside, "crds"))) return { dir: beside, source: "../shared next to the checkout" };
    const cache = defaultSchemaCache();
    if (fs.existsSync(path.join(cache, "crds"))) return { dir: cache, source: `${cache} (npm run fetch-schemas)` };
    return undefined;
}
