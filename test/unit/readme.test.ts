/** The README states facts the code decides; these tests keep them equal. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PINNED } from "../../components/versions";
import { parseStackConfig, rawConfigSchema } from "../../stacks/config";
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

    it("shows the config error the program prints for its example", () => {
        const block = /```\n(error: stack 'prod': invalid stack configuration[\s\S]*?)\n```/.exec(readme)?.[1];
        expect(block, "the README's config error example").toBeDefined();
        let message = "";
        try {
            parseStackConfig(
                "prod",
                {
                    platform: "openshift",
                    production: true,
                    vault: { address: "https://vault.apps.example.com", server: "dev" },
                    vaultToken: "hvs.typed-into-the-stack-file",
                    applications: [{ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app", rotationPeriod: "10s" }],
                },
                { isSecret: () => false },
            );
        } catch (e) {
            message = `error: stack 'prod': ${(e as Error).message}`;
        }
        const lines = message.split("\n");
        const shown = block!.split("\n");
        expect(shown.length).toBe(lines.length);
        // "..." in the README elides part of a line
        shown.forEach((line, i) => expect(lines[i]).toMatch(new RegExp("^" + line.split("...").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$")));
    });

    it("names the pinned chart versions", () => {
        expect(readme).toContain(`| vault-helm chart | ${PINNED.vaultChart.version} (Vault ${PINNED.vaultChart.appVersion}`);
        expect(readme).toContain(`StackGres | ${PINNED.stackgres.version}`);
    });
});
