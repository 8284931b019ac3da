/** stacks/config/schema.ts: the whole schema (top-level keys) and how its issues become problems: unknown keys, missing required keys. */
import { describe, expect, it } from "vitest";
import { valid, problemsOf, type Case, itRefusesEach } from "./fixtures";

const cases: Case[] = [
    ["missing platform", (r) => delete r.platform, "vaultkit:platform", /one of 'openshift', 'kubernetes'/],
    ["unknown platform", (r) => (r.platform = "openshfit"), "vaultkit:platform", /one of 'openshift', 'kubernetes'/],
    ["production not a boolean", (r) => (r.production = "yes"), "vaultkit:production", /true or false/],
    ["kubectl image unpinned", (r) => (r.kubectlImage = "registry.k8s.io/kubectl"), "vaultkit:kubectlImage", /pinned to a tag or digest/],
    ["misspelled top-level key", (r) => (r.aplications = []), "vaultkit:aplications", /no such key/],
    ["misspelled nested key", (r) => (r.vault.adress = "x"), "vaultkit:vault.adress", /no such key/],
];

describe("bad top-level input fails with the key, what was expected and what was given", () => {
    itRefusesEach(cases);
});

describe("unknown and missing keys", () => {
    it("suggests the nearest key for a misspelt one", () => {
        const raw = valid();
        raw.applications[0].rotationPeriode = "24h";
        raw.vault.adress = "https://x";
        raw.aplications = [];
        const problems = problemsOf(raw);
        expect(problems.find((p) => p.key === "vaultkit:applications[0].rotationPeriode")!.expected).toMatch(/did you mean 'rotationPeriod'\?/);
        expect(problems.find((p) => p.key === "vaultkit:vault.adress")!.expected).toMatch(/did you mean 'address'\?/);
        expect(problems.find((p) => p.key === "vaultkit:aplications")!.expected).toMatch(/did you mean 'applications'\?/);
        raw.zzzzzz = 1;
        expect(problemsOf(raw).find((p) => p.key === "vaultkit:zzzzzz")!.expected).toBe("no such key (check the spelling against the README's configuration reference)");
    });

    it("says how to set a nested key that was set as one flat key (without --path)", () => {
        const raw = valid();
        raw["database.instances"] = 3;
        const p = problemsOf(raw).find((x) => x.key === "vaultkit:database.instances")!;
        expect(p.expected).toContain("`pulumi config set --path vaultkit:database.instances <value>`");
        expect(p.given).toBe("3");
    });

    it("says a missing required key is required", () => {
        const raw = valid();
        delete raw.applications[0].namespace;
        expect(problemsOf(raw)[0]).toEqual({ key: "vaultkit:applications[0].namespace", expected: "a value is required here (expected a string)", given: "nothing (the key is missing)" });
    });

    it("suggests the nearest of several close keys, wherever it stands in the schema", () => {
        const raw = valid();
        raw.vault.bootstrapOnl = true;
        raw.database = { slMode: "require" };
        const problems = problemsOf(raw);
        expect(problems.find((p) => p.key === "vaultkit:vault.bootstrapOnl")!.expected).toBe(
            "no such key; did you mean 'bootstrapOnly'? (the README's configuration reference lists every key)",
        );
        expect(problems.find((p) => p.key === "vaultkit:database.slMode")!.expected).toBe("no such key; did you mean 'sslMode'? (the README's configuration reference lists every key)");
    });
});
