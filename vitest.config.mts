import * as path from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The e2e tier runs two files at a time, longest first (the classic longest-processing-time rule), so it
 * takes about as long as kubernetes-faults instead of the sum of all files. Vitest's own order (cached
 * durations, else file size) knows nothing on a fresh clone. Seconds measured warm at 5b95b24 (CI log);
 * a file not listed counts as 60 s.
 */
const E2E_SECONDS: Record<string, number> = {
    "kubernetes-faults": 326,
    "kubernetes-half": 80,
    "multi-language": 72,
    "package": 30,
    "engine-smoke": 12,
    "config-error": 4,
};
class LongestFileFirst extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
        const seconds = (f: TestSpecification) => E2E_SECONDS[path.basename(f.moduleId, ".test.ts")] ?? 60;
        return [...(await super.sort(files))].sort((a, b) => seconds(b) - seconds(a));
    }
}

// Five tiers. `unit` and `render` run under Pulumi's mock engine (one forked process per file,
// so each file's mocks and config stay its own). `integration` talks to a real Vault-API server and
// PostgreSQL servers started by scripts/test-integration.sh; `kube` talks to a real kube-apiserver
// (+ controller-manager, etcd) and its own Vault-API server and PostgreSQL, started by
// scripts/test-kube.sh; `e2e` drives a real Pulumi engine (built from the Go module proxy) through the
// Automation API against those servers.
// scripts/test-all.sh sets VAULTKIT_REPORT_DIR to add up every tier's results into one closing line.
const reportDir = process.env.VAULTKIT_REPORT_DIR;

export default defineConfig({
    test: {
        pool: "forks",
        reporters: reportDir ? ["default", ["json", { outputFile: `${reportDir}/vitest-${process.pid}-${Date.now()}.json` }]] : ["default"],
        projects: [
            {
                // examples/second-team-app imports `vaultkit` as a consumer does (policy/stacks.test.ts runs it);
                // in this checkout that is the component barrel.
                resolve: { alias: [{ find: /^vaultkit$/, replacement: path.resolve("components/index.ts") }] },
                test: {
                    name: "unit",
                    include: ["test/unit/**/*.test.ts", "policy/**/*.test.ts"],
                    // Runner limits, not timing assertions: a cold CI compiles Go beside this tier, where building
                    // a whole stack in a beforeAll took over vitest's default 10 s.
                    testTimeout: 20_000,
                    hookTimeout: 60_000,
                },
            },
            {
                test: {
                    name: "render",
                    include: ["test/render/**/*.test.ts"],
                    testTimeout: 60_000,
                },
            },
            {
                test: {
                    name: "integration",
                    include: ["test/integration/**/*.test.ts"],
                    testTimeout: 120_000,
                    hookTimeout: 120_000,
                    fileParallelism: false,
                },
            },
            {
                test: {
                    name: "kube",
                    include: ["test/kube/**/*.test.ts"],
                    testTimeout: 120_000,
                    hookTimeout: 300_000,
                    fileParallelism: false,
                },
            },
            {
                test: {
                    name: "e2e",
                    include: ["test/e2e/**/*.test.ts"],
                    testTimeout: 900_000,
                    hookTimeout: 900_000,
                    // Each file has its own Pulumi backend, PULUMI_HOME, stack name, kube-apiserver (free ports) and
                    // Vault mount names, so two can run at once; the tier is mostly waiting on servers.
                    fileParallelism: true,
                    maxWorkers: 2,
                    sequence: { sequencer: LongestFileFirst },
                },
            },
        ],
    },
});
