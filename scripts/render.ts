/**
 * Offline render of a stack: runs the program under Pulumi's mock engine (no cluster, no Pulumi
 * account, no Pulumi CLI) and writes every Kubernetes object, Helm chart and piece of Vault
 * configuration as reviewable files. See docs/rendering.md.
 *
 *   npm run render -- --stack dev [--out render/dev] [--validate]
 *   npm run render -- --all [--out-root render] [--validate]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { schemaFolder, type SchemaFolder } from "./lib/schemas";
import { discoverStacks } from "./lib/stacks";

/** This repository (scripts/..). */
const DEFAULT_REPO_ROOT = path.resolve(__dirname, "..");

interface Args {
    stacks: string[];
    all: boolean;
    out?: string;
    outRoot: string;
    repo: string;
    validate: boolean;
    schemas?: string;
    fromCluster: boolean;
    kubeContext?: string;
    kubeconfig?: string;
}

const USAGE = `usage: npm run render -- --stack <name> [--out <dir>] [--validate [--schemas <dir>]] [--repo <dir>]
       npm run render -- --all [--out-root <dir>] [--validate [--schemas <dir>]] [--repo <dir>]

  --stack <name>    render Pulumi.<name>.yaml (repeatable)
  --all             render every Pulumi.<stack>.yaml at the repo root
  --out <dir>       output directory for a single stack (default: render/<stack>)
  --out-root <dir>  parent directory for --all or several --stack (default: render)
  --validate        validate the rendered objects against the upstream schemas; exit 1 on violations
  --schemas <dir>   the schema folder (crds/, reference/) to validate with; default: $VAULTKIT_SCHEMAS_DIR,
                    ../shared, or what \`npm run fetch-schemas\` downloaded. Without one, only built-in
                    Kubernetes kinds are validated, and the output says what was skipped
  --schemas-from-cluster
                    validate custom resources against the CRDs a live cluster serves (read through the
                    kubeconfig; Helm values are then not validated) [--kube-context <name>] [--kubeconfig <file>]
  --repo <dir>      render the program in another checkout (default: this repository)`;

function parseArgs(argv: string[]): Args {
    const a: Args = { stacks: [], all: false, outRoot: "render", repo: DEFAULT_REPO_ROOT, validate: false, fromCluster: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new Error(`${arg} needs a value\n\n${USAGE}`);
            return v;
        };
        switch (arg) {
            case "--stack":
            case "-s":
                a.stacks.push(value());
                break;
            case "--all":
                a.all = true;
                break;
            case "--out":
                a.out = value();
                break;
            case "--out-root":
                a.outRoot = value();
                break;
            case "--repo":
                a.repo = path.resolve(value());
                break;
            case "--validate":
                a.validate = true;
                break;
            case "--schemas":
                a.schemas = value();
                break;
            case "--schemas-from-cluster":
                a.fromCluster = true;
                break;
            case "--kube-context":
                a.kubeContext = value();
                break;
            case "--kubeconfig":
                a.kubeconfig = value();
                break;
            case "--help":
            case "-h":
                console.log(USAGE);
                process.exit(0);
            default:
                throw new Error(`unknown argument ${arg}\n\n${USAGE}`);
        }
    }
    if (a.all) a.stacks = discoverStacks(a.repo);
    if (a.stacks.length === 0) throw new Error(a.all ? `no Pulumi.<stack>.yaml in ${a.repo}` : `--stack or --all is required\n\n${USAGE}`);
    if (a.out && a.stacks.length > 1) throw new Error("--out takes a single stack; use --out-root for several");
    if (a.fromCluster && (a.schemas || !a.validate)) throw new Error(`--schemas-from-cluster goes with --validate and instead of --schemas\n\n${USAGE}`);
    return a;
}

/** A temporary schema folder with the CRDs the cluster serves (removed when the process exits). */
async function clusterSchemaFolder(args: Args): Promise<SchemaFolder> {
    const { clusterAccess, crdsFromCluster } = await import("./lib/clusterSchemas");
    const access = clusterAccess(args.kubeconfig, args.kubeContext);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vaultkit-cluster-schemas-"));
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    const found = await crdsFromCluster(access, dir);
    console.error(`schemas: the CRDs ${found.server} serves (context ${access.context}): ${found.families.join(", ") || "none of the pinned families"}`);
    return { dir, source: `cluster ${found.server}`, fromCluster: true };
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    // The engine loads @pulumi/* (seconds); argument errors are reported before that.
    const { renderStack, writeTree } = await import("./lib/program");
    // Resolved before rendering: a --schemas folder that does not exist stops here.
    const schemas = args.fromCluster ? await clusterSchemaFolder(args) : args.validate ? schemaFolder(args.repo, args.schemas) : undefined;
    let failed = 0;
    for (const stack of args.stacks) {
        const out = path.resolve(args.out ?? path.join(args.outRoot, stack));
        try {
            const result = await renderStack(stack, args.repo);
            writeTree(result, out);
            const where = path.relative(process.cwd(), out) || ".";
            console.log(`rendered ${stack}: ${result.files.size} files -> ${where} (read ${path.join(where, "SUMMARY.md")} first)`);
            for (const w of result.configWarnings) console.error(`${stack}: warning: ${w}`);
            if (result.unmarkedSecrets.length > 0) {
                if (args.validate) failed++;
                console.error(`${stack}: ${result.unmarkedSecrets.length} credential(s) reached the engine in plaintext (masked in the output):`);
                for (const u of result.unmarkedSecrets) console.error(`  - ${u.resource} ${u.path}: ${u.reason}`);
            }
            if (args.validate) {
                // Loaded only when asked: it reads the pins of this checkout (components/versions.ts).
                const { formatViolation, validateTree } = await import("./lib/validate");
                const report = await validateTree(result.files, { sharedDir: schemas?.dir, fromCluster: schemas?.fromCluster, repoRoot: args.repo });
                for (const v of report.violations) console.error(`${stack}: ${formatViolation(v)}`);
                console.log(`validated ${stack}: ${report.checked.length} objects checked, ${report.violations.length} violation(s)`);
                if ((!schemas || schemas.fromCluster) && report.notValidated.length > 0) {
                    const what = [...new Set(report.notValidated.map((n) => n.reason.split(":")[0]!.replace(/^custom resource /, "").replace(/^chart values$/, "Helm values")))].sort();
                    console.error(
                        `${stack}: NOT validated (${schemas ? "not served by the cluster" : "no schema folder"}): ${report.notValidated.length} object(s): ${what.join(", ")}. ` +
                            "Turn it on with --schemas <dir> (a folder with crds/ and reference/), or run `npm run fetch-schemas` once on a machine with internet; see docs/rendering.md, \"Schemas\"",
                    );
                }
                if (report.violations.length > 0) failed++;
            }
        } catch (e) {
            failed++;
            console.error(`${stack}: ${e instanceof Error ? e.message : String(e)}`);
        }
    }
    return failed > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error(e instanceof Error ? e.message : String(e));
        process.exit(2);
    },
);
