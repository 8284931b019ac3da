// Mutation testing (`npm run test:mutation`): see docs/testing.md, "Mutation testing".
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
    testRunner: "vitest",
    vitest: { configFile: "vitest.mutation.config.mts", related: false },
    coverageAnalysis: "perTest",
    mutate: ["components/**/*.ts", "stacks/**/*.ts"],
    concurrency: 1,
    // Stryker's default (5 s over the dry run) times out sound mutants on a loaded machine, and a timeout
    // counts as detected: the margin is wide so only a real hang (a loop that never ends) times out.
    timeoutMS: 20_000,
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: "reports/mutation/mutation.html" },
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    tempDirName: ".stryker-tmp",
    // Sandboxes of runs with another --tempDirName (two runs at once) are not copied into each other.
    ignorePatterns: ["/.stryker-tmp*"],
    cleanTempDir: "always",
};
