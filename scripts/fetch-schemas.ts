/**
 * Fetches the upstream CRDs and Helm chart values that `npm run render -- --validate` checks against,
 * at the versions components/versions.ts pins, into a schema folder (crds/, reference/), checking
 * each file's sha256 against scripts/lib/schemas-manifest.json. Needs internet (GitHub), once.
 *
 *   npm run fetch-schemas                       # -> ${VAULTKIT_CACHE:-~/.cache/vaultkit}/schemas, where the render finds it
 *   npm run fetch-schemas -- --dest <dir>       # elsewhere; then `npm run render -- --validate --schemas <dir>`
 *   npm run fetch-schemas -- --from <dir>       # copy from a local mirror instead of downloading (same checks)
 *   npm run fetch-schemas -- --also <manifest>  # plus another manifest's files (CI: the tests' compatibility copies)
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseOptions } from "./lib/args";
import { defaultSchemaCache } from "./lib/schemas";

const MANIFEST = path.join(__dirname, "lib", "schemas-manifest.json");

const USAGE = `usage: npm run fetch-schemas [-- --dest <dir>] [-- --from <dir>] [-- --also <manifest>]

Downloads the pinned upstream CRDs and chart values (scripts/lib/schemas-manifest.json: URL and
sha256 of each file) into a schema folder for \`npm run render -- --validate\`.

  --dest <dir>  where to write (default: \${VAULTKIT_CACHE:-~/.cache/vaultkit}/schemas, which the
                render uses when no --schemas is given and there is no ../shared)
  --from <dir>  copy from a folder with the same layout instead of downloading (e.g. a mirror)
  --also <manifest>
                a second manifest of the same form whose files land in the same folder; CI adds
                test/support/schemas-compat-manifest.json, the older and newer versions the tests
                check compatibility against (the render does not use them)`;

interface ManifestFile {
    path: string;
    url: string;
    sha256: string;
}

async function main(argv: string[]): Promise<void> {
    const options = parseOptions(argv, USAGE, ["dest", "from", "also"] as const);
    const dest = path.resolve(options.dest ?? defaultSchemaCache());
    const from = options.from && path.resolve(options.from);
    const read = (manifest: string) => (JSON.parse(fs.readFileSync(manifest, "utf8")) as { files: ManifestFile[] }).files;
    const files = [...read(MANIFEST), ...(options.also ? read(path.resolve(options.also)) : [])];
    // Everything lands in a temporary folder first: a failed or tampered download leaves no half folder.
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const staging = fs.mkdtempSync(path.join(path.dirname(dest), ".schemas-"));
    try {
        for (const f of files) {
            let data: Buffer;
            if (from) {
                data = fs.readFileSync(path.join(from, f.path));
            } else {
                const res = await fetch(f.url);
                if (!res.ok) throw new Error(`${f.url}: HTTP ${res.status}`);
                data = Buffer.from(await res.arrayBuffer());
            }
            const sha = createHash("sha256").update(data).digest("hex");
            if (sha !== f.sha256) throw new Error(`${f.path}: sha256 ${sha}, expected ${f.sha256} (from ${from ? path.join(from, f.path) : f.url})`);
            fs.mkdirSync(path.dirname(path.join(staging, f.path)), { recursive: true });
            fs.writeFileSync(path.join(staging, f.path), data);
            process.stderr.write(".");
        }
        process.stderr.write("\n");
        fs.rmSync(dest, { recursive: true, force: true });
        fs.renameSync(staging, dest);
    } catch (e) {
        fs.rmSync(staging, { recursive: true, force: true });
        throw e;
    }
    console.log(`fetch-schemas: ${files.length} files, sha256 checked, in ${dest}`);
}

main(process.argv.slice(2)).catch((e) => {
    console.error(`fetch-schemas: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
});
