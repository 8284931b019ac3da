/** stacks/config/operators.ts: `vaultkit:operators`: OLM catalog, CSV pins, install or not. */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../../stacks/config";
import { valid, type Case, itRefusesEach, type Refusal, itRefusesEachPlatformOwned } from "./fixtures";

describe("valid operators config", () => {
    it("accepts OLM CSV pins of the right package, or false for none", () => {
        const raw = valid();
        raw.operators = { stackgresCatalog: "community-operators", stackgresCsv: "stackgres-community.v1.18.7", vaultSecretsOperatorCsv: false };
        const c = parseStackConfig("dev", raw);
        expect(c.operators).toMatchObject({ stackgresCsv: "stackgres-community.v1.18.7", vaultSecretsOperatorCsv: false });
        expect(parseStackConfig("dev", valid()).operators.vaultSecretsOperatorCsv).toBeUndefined();
    });
});

const cases: Case[] = [
    ["CSI OperatorGroup switch not a boolean", (r) => (r.operators = { createCsiOperatorGroup: "no" }), "vaultkit:operators.createCsiOperatorGroup", /true or false/],
    ["VSO CSV pin of another package", (r) => (r.operators = { vaultSecretsOperatorCsv: "stackgres.v1.18.6" }), "vaultkit:operators.vaultSecretsOperatorCsv", /'vault-secrets-operator\.v<version>'/],
    ["VSO CSV pin true instead of a name", (r) => (r.operators = { vaultSecretsOperatorCsv: true }), "vaultkit:operators.vaultSecretsOperatorCsv", /CSV name .* or false/],
    ["StackGres CSV pin of another catalog's package", (r) => (r.operators = { stackgresCatalog: "community-operators", stackgresCsv: "stackgres.v1.18.6" }), "vaultkit:operators.stackgresCsv", /'stackgres-community\.v<version>'/],
];

describe("bad operators input fails with the key, what was expected and what was given", () => {
    itRefusesEach(cases);
});

describe("operators.install", () => {
    const refusals: Refusal[] = [
            ["install that is not a boolean", (r) => (r.operators.install = "no"), "vaultkit:operators.install", /true or false/],
            ["a CSV pin for operators this stack does not install", (r) => (r.operators.vaultSecretsOperatorCsv = "vault-secrets-operator.v1.4.1"), "vaultkit:operators.vaultSecretsOperatorCsv", /no CSV pin when operators.install is false/],
    ];
    itRefusesEachPlatformOwned(refusals);
});
