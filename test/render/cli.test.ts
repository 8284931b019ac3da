/**
 * The command-line entry points: `npm run render` (scripts/render.ts), scripts/render-all.sh and
 * scripts/render-diff.sh, run as separate processes exactly as CI runs them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BOOKKEEPING_MARKER, DETAILS_MARKER } from "../../scripts/lib/summary";
import { discoverStacks, readTree, REPO_ROOT, renderStack, SHARED_DIR, tempDir, treeText } from "../support/render";
import { expectInOrder } from "../support/order";

const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}` };

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    const r = spawnSync(cmd, args, { cwd: opts.cwd ?? REPO_ROOT, env: { ...env, ...opts.env }, encoding: "utf8", timeout: 240_000 });
    return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

const stacks = discoverStacks(REPO_ROOT);

/** scripts/render-diff.sh's report split at its markers: summary, object files' diff, index.yaml diff. */
function sections(report: string): [string, string, string] {
    const [summary, rest = ""] = report.split(`${DETAILS_MARKER}\n`);
    const [details, bookkeeping = ""] = rest.split(`${BOOKKEEPING_MARKER}\n`);
    return [summary!, details!, bookkeeping];
}
let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
    tmp = tempDir();
});
afterAll(() => tmp.cleanup());

describe("npm run render -- --stack <name> --out <dir>", () => {
    it("writes the same bytes as the in-process render (deterministic across processes)", async () => {
        expect(stacks.length).toBeGreaterThan(0);
        const stack = stacks[0]!;
        const out = path.join(tmp.dir, "single");
        const r = run(TSX, ["scripts/render.ts", "--stack", stack, "--out", out, "--validate"]);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^rendered ${stack}: \\d+ files -> .*\\nvalidated ${stack}: \\d+ objects checked, 0 violation\\(s\\)\\n$`));
        const inProcess = await renderStack(stack);
        expect(treeText(readTree(out))).toBe(treeText(inProcess.files));
    });

    it("refuses to empty a directory that is not a previous render", () => {
        const out = path.join(tmp.dir, "precious");
        fs.mkdirSync(out);
        fs.writeFileSync(path.join(out, "notes.txt"), "keep me");
        const r = run(TSX, ["scripts/render.ts", "--stack", stacks[0]!, "--out", out]);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/refusing to overwrite .*precious: it is not empty and has no index\.yaml/);
        expect(fs.readFileSync(path.join(out, "notes.txt"), "utf8")).toBe("keep me");
    });

    it("rejects unknown stacks and arguments", () => {
        const missing = run(TSX, ["scripts/render.ts", "--stack", "no-such-stack", "--out", path.join(tmp.dir, "x")]);
        expect(missing.status).toBe(1);
        expect(missing.stderr).toMatch(/no stack file Pulumi\.no-such-stack\.yaml/);
        const bad = run(TSX, ["scripts/render.ts", "--stak", "dev"]);
        expect(bad.status).toBe(2);
        expect(bad.stderr).toMatch(/unknown argument --stak\n\nusage: npm run render/);
    });
});

describe("scripts/render-all.sh", () => {
    it("renders every stack to $RENDER_OUT/<stack>", () => {
        const out = path.join(tmp.dir, "all");
        const r = run("bash", ["scripts/render-all.sh"], { env: { RENDER_OUT: out } });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(fs.readdirSync(out).sort()).toEqual(stacks);
        for (const s of stacks) expect(fs.existsSync(path.join(out, s, "index.yaml"))).toBe(true);
        expect(treeText(readTree(path.join(out, stacks[0]!)))).toBe(treeText(readTree(path.join(tmp.dir, "single"))));
    });
});

describe("scripts/render-diff.sh <base-ref>", () => {
    it("prints a unified diff of the rendered trees of the base and the working tree, and exits 0", () => {
        // A throwaway repository holding a copy of this checkout: commit it, change one stack value.
        const repo = path.join(tmp.dir, "repo");
        const skipTop = new Set(["render", "bin", ".pulumi"]);
        fs.cpSync(REPO_ROOT, repo, {
            recursive: true,
            filter: (src) => {
                const parts = path.relative(REPO_ROOT, src).split(path.sep);
                return !skipTop.has(parts[0]!) && !parts.includes("node_modules") && !parts.includes(".git");
            },
        });
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(repo, "node_modules"));
        fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules\nrender/\n");
        const git = (...args: string[]) => run("git", ["-c", "user.name=render-test", "-c", "user.email=render-test@example.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: repo });
        expect(git("init", "-q").status).toBe(0);
        expect(git("add", "-A").status).toBe(0);
        expect(git("commit", "-q", "-m", "base").status).toBe(0);

        const stack = stacks[0]!;
        const stackFile = path.join(repo, `Pulumi.${stack}.yaml`);
        const original = fs.readFileSync(stackFile, "utf8");
        expect(original).toMatch(/volumeSize: \S+/);
        fs.writeFileSync(stackFile, original.replace(/volumeSize: \S+/, "volumeSize: 77Gi"));

        const r = run("bash", ["scripts/render-diff.sh", "HEAD"], { cwd: repo });
        expect(r.status).toBe(0);
        const [summary, details, bookkeeping] = sections(r.stdout);
        expect(summary).toMatch(/^## Render changes against HEAD \([0-9a-f]{12}\)\n\nNo stateful object is deleted or replaced\.\n/);
        expect(summary).toContain(`### ${stack}: 0 to create, 1 to update, 0 to replace, 0 to delete`);
        expect(details).toContain(`--- base/${stack}/k8s/`);
        expect(details).toMatch(/^\+ +size: 77Gi$/m);
        expect(r.stdout).not.toMatch(/\t\d{4}-\d\d-\d\d/); // no timestamps
        // Nothing else changed; index.yaml and SUMMARY.md are not among the object files; the worktree is gone.
        expect(details.split("\n").filter((l) => /^[+-][^+-]/.test(l))).toHaveLength(2);
        expect(details).not.toMatch(/^(---|\+\+\+) .*(index\.yaml|SUMMARY\.md)$/m);
        expect(bookkeeping.split("\n").filter((l) => /^(---|\+\+\+) /.test(l)).every((l) => l.endsWith("/index.yaml"))).toBe(true);
        expect(git("worktree", "list").stdout.trim().split("\n")).toHaveLength(1);

        // A one-line rename in prod (the finding that started the summary): the SGCluster's deletion heads the output.
        const prodFile = path.join(repo, "Pulumi.prod.yaml");
        const prod = fs.readFileSync(prodFile, "utf8");
        expect(prod).toMatch(/clusterName: keycloak-postgresql\n/);
        fs.writeFileSync(prodFile, prod.replace("clusterName: keycloak-postgresql\n", "clusterName: keycloak-pg\n"));
        const renamed = run("bash", ["scripts/render-diff.sh", "HEAD"], { cwd: repo });
        expect(renamed.status, renamed.stderr).toBe(0);
        const lines = renamed.stdout.split("\n");
        expect(lines[2]).toMatch(/^### ⚠ \d+ stateful object\(s\) deleted or replaced: data is lost unless it is moved first$/);
        // (delete, replace or "delete and create again", whichever way the program names it; protection noted)
        expect(lines[6]).toMatch(/^\| prod \| (delete|replace|delete and create again) \| SGCluster rhbk\/keycloak-postgresql\b.* \| a PostgreSQL cluster: its data and volumes go with it/);
        expect(renamed.stdout).toMatch(/^\| prod \| [a-z ]+ \| Mount kv-v2\b/m);
        expect(renamed.stdout).toMatch(/^\| [+±] \| SGCluster \| rhbk \| keycloak-pg(-[a-z]+)? \|$/m);
        expectInOrder(renamed.stdout, ["SGCluster rhbk/keycloak-postgresql", "\n--- base/"], "render-diff");
        // every Kubernetes file's diff before index.yaml's
        const lastK8sDiff = renamed.stdout.lastIndexOf("\n--- base/prod/k8s/");
        expect(lastK8sDiff, "no diff of a k8s/ file").toBeGreaterThanOrEqual(0);
        expectInOrder(renamed.stdout.slice(lastK8sDiff), ["\n--- base/prod/k8s/", "--- base/prod/index.yaml"], "render-diff");
        fs.writeFileSync(prodFile, prod);

        fs.writeFileSync(stackFile, original);
        const none = run("bash", ["scripts/render-diff.sh", "HEAD"], { cwd: repo });
        expect(none.status).toBe(0);
        expect(none.stdout).toMatch(/^render-diff: no rendered changes against HEAD/);
        expect(run("bash", ["scripts/render-diff.sh", "no-such-ref"], { cwd: repo }).status).toBe(2);
    }, 600_000);
});

describe("schemas: --validate without ../shared, and npm run fetch-schemas", () => {
    /** A checkout with nothing beside it (no ../shared), sharing this one's program and node_modules. */
    function bareCheckout(): string {
        const repo = path.join(tmp.dir, "bare", "repo");
        if (fs.existsSync(repo)) return repo;
        fs.mkdirSync(repo, { recursive: true });
        for (const f of ["stacks", "components", "node_modules", "scripts", "Pulumi.yaml", "Pulumi.kind.yaml", "package.json"]) fs.symlinkSync(path.join(REPO_ROOT, f), path.join(repo, f));
        return repo;
    }
    const noSchemaEnv = () => ({ VAULTKIT_SHARED_DIR: "", VAULTKIT_SCHEMAS_DIR: "", VAULTKIT_CACHE: path.join(tmp.dir, "empty-cache") });

    it("renders and validates the built-in kinds, and says plainly what it did not validate and how to turn it on", () => {
        const repo = bareCheckout();
        const r = run(TSX, ["scripts/render.ts", "--repo", repo, "--stack", "kind", "--out", path.join(tmp.dir, "bare-out"), "--validate"], { env: noSchemaEnv() });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^validated kind: \d+ objects checked, 0 violation\(s\)$/m);
        expect(r.stderr).toMatch(/^kind: NOT validated \(no schema folder\): \d+ object\(s\): Helm values, .*stackgres\.io\/v1 SGCluster.*\. Turn it on with --schemas <dir> .*npm run fetch-schemas/m);
    });

    it("fetches the pinned files with their sha256 checked, and --schemas validates against them", () => {
        const dest = path.join(tmp.dir, "fetched");
        const fetched = run(TSX, ["scripts/fetch-schemas.ts", "--from", SHARED_DIR, "--dest", dest]);
        expect(fetched.status, fetched.stderr).toBe(0);
        expect(fetched.stdout).toMatch(/^fetch-schemas: \d+ files, sha256 checked, in /);
        const r = run(TSX, ["scripts/render.ts", "--repo", bareCheckout(), "--stack", "kind", "--out", path.join(tmp.dir, "fetched-out"), "--validate", "--schemas", dest], { env: noSchemaEnv() });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toBe("");

        // A file that is not the pinned upstream one is refused, and nothing is written.
        const mirror = path.join(tmp.dir, "mirror");
        fs.cpSync(dest, mirror, { recursive: true });
        fs.appendFileSync(path.join(mirror, "crds", "olm", "operators.coreos.com_subscriptions.yaml"), "\n# changed\n");
        const bad = run(TSX, ["scripts/fetch-schemas.ts", "--from", mirror, "--dest", path.join(tmp.dir, "refused")]);
        expect(bad.status).toBe(1);
        expect(bad.stderr).toMatch(/crds\/olm\/operators\.coreos\.com_subscriptions\.yaml: sha256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
        expect(fs.existsSync(path.join(tmp.dir, "refused"))).toBe(false);
    });
});

