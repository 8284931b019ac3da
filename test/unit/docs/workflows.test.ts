/**
 * The GitHub workflows run what `.ci/run` runs: every test tier, with the upstream schemas fetched the
 * way a user fetches them, and every action pinned to a commit. A workflow that drops a tier (say, back
 * to `npm run test:unit` alone) fails here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
/** Lines that are not comments. */
const code = (text: string) => text.split("\n").filter((l) => !/^\s*#/.test(l) && l.trim() !== "");

const TIERS_WORKFLOW = "./.github/workflows/tiers.yml";
/** The workflows that must run every tier (the reusable one above). */
const CALLERS = ["pull-request.yml", "deploy.yml", "drift.yml"];

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    "continue-on-error"?: unknown;
}
interface Job {
    uses?: string;
    if?: string;
    needs?: string | string[];
    steps?: Step[];
    container?: { image: string } | string;
    "continue-on-error"?: unknown;
}
interface Workflow {
    on: Record<string, unknown>;
    jobs: Record<string, Job>;
}
const workflow = (file: string) => parse(read(`.github/workflows/${file}`)) as Workflow;
const needsOf = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

/** Every job `name` waits for, directly or through other jobs. */
function upstream(wf: Workflow, name: string, seen = new Set<string>()): Set<string> {
    for (const n of needsOf(wf.jobs[name]!)) {
        if (!seen.has(n)) {
            seen.add(n);
            upstream(wf, n, seen);
        }
    }
    return seen;
}

describe(".ci/run", () => {
    const ci = code(read(".ci/run"));

    it("ends with npm test, which runs every tier: unit + render, real-server, kube, e2e", () => {
        expect(ci.at(-1)!.trim()).toBe("npm test");
        const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
        expect(pkg.scripts.test).toMatch(/&& bash scripts\/test-all\.sh$/);
        const all = code(read("scripts/test-all.sh")).map((l) => l.trim());
        for (const tier of ["npx vitest run --project unit --project render", "bash scripts/test-integration.sh", "bash scripts/test-kube.sh", "bash scripts/test-e2e.sh"]) {
            expect(all, tier).toContain(tier);
        }
    });

    it("fetches the upstream schemas when there is no ../shared, and renders every stack with --validate", () => {
        const text = ci.join("\n");
        expect(text).toMatch(/if \[ -z "\$\{VAULTKIT_SCHEMAS_DIR:-\}\$\{VAULTKIT_SHARED_DIR:-\}" \] && \[ ! -d \.\.\/shared\/crds \]; then\n\s+npm run fetch-schemas -- --also test\/support\/schemas-compat-manifest\.json\n/);
        expect(text).toMatch(/bash scripts\/render-all\.sh --validate\n/);
    });
});

describe(".github/workflows/tiers.yml", () => {
    const wf = workflow("tiers.yml");
    const jobs = Object.values(wf.jobs);

    it("is a reusable workflow whose job runs .ci/run, unconditionally and without continue-on-error", () => {
        expect(Object.keys(wf.on)).toEqual(["workflow_call"]);
        const runners = jobs.filter((j) => (j.steps ?? []).some((s) => s.run?.trim() === "bash .ci/run"));
        expect(runners).toHaveLength(1);
        const job = runners[0]!;
        expect(job["continue-on-error"]).toBeUndefined();
        const step = job.steps!.find((s) => s.run?.trim() === "bash .ci/run")!;
        expect(step.if).toBeUndefined();
        expect(step["continue-on-error"]).toBeUndefined();
    });

    it("runs on Debian 12 with Go 1.26 and Node 22 as .ci/run and the build scripts expect", () => {
        const job = jobs[0]!;
        expect(job.container).toEqual({ image: expect.stringMatching(/^debian:12\.\d+$/) });
        const go = job.steps!.find((s) => s.uses?.startsWith("actions/setup-go@"))!;
        expect(String(go.with!["go-version"])).toMatch(/^1\.26\.\d+$/);
        const node = job.steps!.find((s) => s.uses?.startsWith("actions/setup-node@"))!;
        expect(read(".ci/run")).toContain(`NODE22_VERSION=${String(node.with!["node-version"])}\n`);
    });
});

describe("the workflows that call it", () => {
    it.each(CALLERS)("%s runs every tier through tiers.yml", (file) => {
        const wf = workflow(file);
        const callers = Object.entries(wf.jobs).filter(([, j]) => j.uses === TIERS_WORKFLOW);
        expect(callers.map(([name]) => name)).toEqual(["tiers"]);
        expect(callers[0]![1]["continue-on-error"]).toBeUndefined();
    });

    it("deploy.yml runs no `pulumi up` before every tier passed", () => {
        const wf = workflow("deploy.yml");
        const ups = Object.entries(wf.jobs).filter(([, j]) => (j.steps ?? []).some((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up"));
        expect(ups.map(([name]) => name).sort()).toEqual(["up", "up-production"]);
        for (const [name, job] of ups) {
            expect(upstream(wf, name).has("tiers"), name).toBe(true);
            // always() runs a job whatever its needs did: then the condition must ask for the tiers itself.
            if (String(job.if ?? "").includes("always()")) expect(job.if, name).toContain("needs.tiers.result == 'success'");
        }
    });
});

describe("every workflow job that runs unit tests", () => {
    const files = fs.readdirSync(path.join(ROOT, ".github/workflows"));

    it.each(files)("%s: fetches the upstream schemas first (CI=true fails the tests that need them otherwise)", (file) => {
        for (const [name, job] of Object.entries(workflow(file).jobs)) {
            const runs = (job.steps ?? []).map((s) => s.run ?? "");
            const tests = runs.findIndex((r) => /npm run test:(unit|mutation)|npx vitest/.test(r));
            if (tests < 0) continue;
            const fetch = runs.findIndex((r) => r.includes("npm run fetch-schemas -- --also test/support/schemas-compat-manifest.json"));
            expect(fetch, `${file}: job ${name} runs unit tests without fetching the schemas`).toBeGreaterThanOrEqual(0);
            expect(fetch, `${file}: job ${name} fetches the schemas after its tests`).toBeLessThan(tests);
        }
    });
});

describe("action pins", () => {
    const files = [
        ...fs.readdirSync(path.join(ROOT, ".github/workflows")).map((f) => `.github/workflows/${f}`),
        ...fs.readdirSync(path.join(ROOT, ".github/actions")).map((d) => `.github/actions/${d}/action.yml`),
    ];

    it.each(files)("%s pins every action to a commit, with the release it is in a comment", (file) => {
        const uses = read(file)
            .split("\n")
            .map((l) => /^\s*(?:-\s+)?uses:\s*(\S+)(?:\s+#\s*(.*))?$/.exec(l))
            .filter((m): m is RegExpExecArray => m !== null && !m[1]!.startsWith("./"));
        for (const m of uses) {
            expect(m[1], file).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
            expect(m[2], `${file}: ${m[1]}`).toMatch(/^v\d+\.\d+\.\d+$/);
        }
    });
});
