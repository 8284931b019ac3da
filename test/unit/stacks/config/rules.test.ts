/** stacks/config/rules.ts: the cross-field rules run together with the schema's, on what the schema accepted when it refused something. */
import { describe, expect, it } from "vitest";
import { haBootstrap, valid, problemsOf } from "./fixtures";

describe("cross-field rules beside schema problems", () => {
    it("lists schema and cross-field problems together (the README's example)", () => {
        const raw = valid();
        raw.production = true;
        raw.applications[0].rotationPeriod = "10s";
        expect(problemsOf(raw).map((p) => p.key)).toEqual(["vaultkit:applications[0].rotationPeriod", "vaultkit:vault.server"]);
    });

    it("names the user's own list indexes when an invalid application is left out of the cross-field rules", () => {
        const raw = valid();
        delete raw.applications[0].namespace;
        raw.applications.push({ name: "two", namespace: "rhbk", serviceAccount: "two", databaseRole: "two" });
        raw.applications.push({ name: "two", namespace: "rhbk", serviceAccount: "three", databaseRole: "three", rotationPeriod: "1s" });
        raw.applications.push({ name: "four", namespace: "rhbk", serviceAccount: "four", databaseRole: "postgres" });
        const problems = problemsOf(raw);
        expect(problems.map((p) => p.key)).toEqual([
            "vaultkit:applications[0].namespace",
            "vaultkit:applications[2].rotationPeriod",
            "vaultkit:applications[2].name",
            "vaultkit:applications[3].databaseRole",
        ]);
        expect(problems[2]!.expected).toContain("already used by applications[1]");
        expect(problems[2]!.given).toBe('"two"');
    });

    it("leaves cross-field rules about an invalid key to the schema's message", () => {
        const raw = valid();
        haBootstrap(raw);
        raw.vault.bootstrap.threshold = "two";
        // bootstrap is taken out for the cross-field rules; "bootstrapOnly needs bootstrap" would be noise
        expect(problemsOf(raw, { vaultToken: "t" }).map((p) => p.key)).toEqual(["vaultkit:vault.bootstrap.threshold"]);
    });

    it("runs no cross-field rule when a key that selects them is invalid", () => {
        const raw = valid();
        raw.production = true;
        raw.vault.server = "standalone";
        raw.vaultToken = "s.x";
        expect(problemsOf(raw).map((p) => p.key)).toEqual(["vaultkit:vault.server"]);
    });

    it("lists every problem at once", () => {
        const raw = valid();
        raw.platform = "aws";
        raw.vault.namespace = "UPPER";
        raw.applications[0].rotationPeriod = "1s";
        const keys = problemsOf(raw).map((p) => p.key);
        expect(keys).toEqual(["vaultkit:platform", "vaultkit:vault.namespace", "vaultkit:applications[0].rotationPeriod"]);
    });
});
