import * as path from "node:path";
import { defineConfig } from "vitest/config";

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
                    fileParallelism: false,
                },
            },
        ],
    },
});
