/**
 * The report scripts/render-diff.sh prints for two render roots (each `<root>/<stack>/…` as
 * `npm run render -- --all` writes them): the review summary first (scripts/lib/summary.ts), then
 * the unified diff of the object files, then the index.yaml bookkeeping diff last. The sections are
 * separated by HTML comment lines, which .github/scripts/render-diff-markdown.sh splits on.
 *
 *   tsx scripts/render-diff-report.ts --base <dir> --head <dir> [--title <text>]
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseOptions } from "./lib/args";
import { readTree } from "./lib/program";
import { BOOKKEEPING_MARKER, DETAILS_MARKER, diffRenders, formatDiffSummary } from "./lib/summary";

const USAGE = `usage: tsx scripts/render-diff-report.ts --base <dir> --head <dir> [--title <text>]

Prints what changed between two render roots (<dir>/<stack>/..., as \`npm run render -- --all\`
writes them): the review summary, the diff of the object files, and the index.yaml diff last.
scripts/render-diff.sh runs it; run that instead to compare a git ref with the working tree.`;

function trees(root: string): Map<string, Map<string, string>> {
    if (!fs.existsSync(root)) return new Map();
    return new Map(
        fs
            .readdirSync(root, { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => [e.name, readTree(path.join(root, e.name))]),
    );
}

/** `diff -uN <args>` run in `cwd`, without the timestamps in the file headers (stable PR comments). */
function diff(args: string[], cwd: string): string {
    const r = spawnSync("diff", ["-uN", ...args], { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0 && r.status !== 1) throw new Error(`diff failed: ${r.stderr}`);
    return r.stdout.replace(/^((?:---|\+\+\+) [^\t\n]*)\t.*$/gm, "$1");
}

function main(argv: string[]): void {
    const { base, head, title = "Render changes" } = parseOptions(argv, USAGE, ["base", "head", "title"] as const);
    if (!base || !head) throw new Error(`--base and --head are required\n\n${USAGE}`);
    const [before, after] = [trees(base), trees(head)];
    // Paths in the diff read `<base dir name>/<stack>/…`, relative to the parent of --base.
    const cwd = path.dirname(path.resolve(base));
    const [b, h] = [path.relative(cwd, path.resolve(base)), path.relative(cwd, path.resolve(head))];
    const out = [formatDiffSummary(diffRenders(before, after), title), DETAILS_MARKER, diff(["-r", "-x", "index.yaml", "-x", "SUMMARY.md", b, h], cwd), BOOKKEEPING_MARKER];
    for (const stack of [...new Set([...before.keys(), ...after.keys()])].sort()) {
        out.push(diff([path.join(b, stack, "index.yaml"), path.join(h, stack, "index.yaml")], cwd));
    }
    process.stdout.write(out.join("\n").replace(/\n*$/, "\n"));
}

try {
    main(process.argv.slice(2));
} catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
}
