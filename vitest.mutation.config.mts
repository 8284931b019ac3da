import * as path from "node:path";
import { defineConfig } from "vitest/config";

// The unit tier alone, for mutation runs (stryker.config.mjs): the tests that run under Pulumi's mock
// engine, never a server. The same files and alias as the `unit` project in vitest.config.mts, but
// one flat config: Stryker's vitest runner drives a single config and adds its setup file to it.
// VAULTKIT_MUTATION_TESTS (comma-separated files) narrows a run to a module's own unit files. Use it instead
// of Stryker's --testFiles: with --testFiles, Stryker 10.1.1 switches a static mutant on only after the
// imports (stryker-js#6144), so a mutated module-level constant always survives.
const only = process.env.VAULTKIT_MUTATION_TESTS?.split(",").map((f) => f.trim()).filter((f) => f !== "");

export default defineConfig({
    resolve: { alias: [{ find: /^vaultkit$/, replacement: path.resolve("components/index.ts") }] },
    test: {
        include: only && only.length > 0 ? only : ["test/unit/**/*.test.ts", "policy/**/*.test.ts"],
        setupFiles: ["test/support/mutationCoverage.ts"],
        testTimeout: 20_000,
        // Instrumented code on a busy machine: a whole stack built in beforeAll can take longer than 10 s.
        hookTimeout: 60_000,
        reporters: ["default"],
    },
});
