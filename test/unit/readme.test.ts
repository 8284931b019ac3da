/** The README states facts the code decides; these tests keep them equal. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PINNED } from "../../components/versions";
import { rawConfigSchema } from "../../stacks/config";
import { deliveryPropagationTable } from "../../stacks/delivery";

const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");

describe("README", () => {
    it("states the propagation delays the code derives", () => {
        const table = deliveryPropagationTable();
        for (const [pattern, seconds] of Object.entries(table)) {
            const row = readme.split("\n").find((l) => l.startsWith(`| \`${pattern}\` |`) && l.includes("delay") === false && /\| \d+ s \|$/.test(l));
            expect(row, `README row for ${pattern}`).toBeDefined();
            expect(row!.endsWith(`| ${seconds} s |`), `${pattern}: README says ${row!.split("|").slice(-2, -1)[0]!.trim()}, code says ${seconds} s`).toBe(true);
        }
    });

    it("documents every top-level config key", () => {
        for (const key of Object.keys(rawConfigSchema.shape)) {
            expect(readme, key).toMatch(new RegExp("\\| `" + key + "[`.[]"));
        }
    });

    it("names the pinned chart versions", () => {
        expect(readme).toContain(`| vault-helm chart | ${PINNED.vaultChart.version} (Vault ${PINNED.vaultChart.appVersion}`);
        expect(readme).toContain(`StackGres | ${PINNED.stackgres.version}`);
    });
});
