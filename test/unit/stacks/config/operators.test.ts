/** stacks/config/operators.ts: `vaultkit:operators`: OLM catalog, CSV pins, install or not. */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../../stacks/config";
import { type Accepted, type Case, type ExactCase, itAcceptsEach, itRefusesEach, itRefusesEachExactly, itRefusesEachPlatformOwned, platformOwned, problemsOf, type Refusal, valid } from "./fixtures";

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

describe("operators, word for word", () => {
    it("fills the defaults: install from the certified catalog, approve automatically, no CSV pins", () => {
        expect(parseStackConfig("t", valid()).operators).toEqual({ stackgresCatalog: "certified-operators", installPlanApproval: "Automatic", createCsiOperatorGroup: true, install: true });
    });

    const ops = (o: Record<string, unknown>) => (r: Record<string, any>) => (r.operators = o);
    const exact: ExactCase[] = [
        ["stackgresCatalog", ops({ stackgresCatalog: "operatorhub" }), "vaultkit:operators.stackgresCatalog", "expected one of 'certified-operators', 'community-operators', 'redhat-marketplace'", '"operatorhub"'],
        ["installPlanApproval", ops({ installPlanApproval: "manual" }), "vaultkit:operators.installPlanApproval", "expected 'Automatic' or 'Manual'", '"manual"'],
        ["createCsiOperatorGroup", ops({ createCsiOperatorGroup: "no" }), "vaultkit:operators.createCsiOperatorGroup", "expected true or false", '"no"'],
        ["install", ops({ install: "no" }), "vaultkit:operators.install", "expected true or false", '"no"'],
        ["a VSO pin that is true", ops({ vaultSecretsOperatorCsv: true }), "vaultkit:operators.vaultSecretsOperatorCsv", "expected a CSV name like 'vault-secrets-operator.v1.4.1', or false for no pin", "true"],
        ["a StackGres pin that is true", ops({ stackgresCsv: true }), "vaultkit:operators.stackgresCsv", "expected a CSV name like 'vault-secrets-operator.v1.4.1', or false for no pin", "true"],
        ["a VSO pin without the 'v'", ops({ vaultSecretsOperatorCsv: "vault-secrets-operator.1.4.1" }), "vaultkit:operators.vaultSecretsOperatorCsv", "expected a CSV of the package, named 'vault-secrets-operator.v<version>'", '"vault-secrets-operator.1.4.1"'],
        ["a certified StackGres pin of the community package", ops({ stackgresCsv: "stackgres-community.v1.18.6" }), "vaultkit:operators.stackgresCsv", "expected a CSV of the package, named 'stackgres.v<version>'", '"stackgres-community.v1.18.6"'],
        ["a community StackGres pin of the certified package", ops({ stackgresCatalog: "community-operators", stackgresCsv: "stackgres.v1.18.6" }), "vaultkit:operators.stackgresCsv", "expected a CSV of the package, named 'stackgres-community.v<version>'", '"stackgres.v1.18.6"'],
    ];
    itRefusesEachExactly(exact);

    const accepted: Accepted[] = [
        ...(["certified-operators", "community-operators", "redhat-marketplace"].map((stackgresCatalog): Accepted => [`catalog ${stackgresCatalog}`, ops({ stackgresCatalog })])),
        ["Manual approval", ops({ installPlanApproval: "Manual" })],
        ["Automatic approval written out", ops({ installPlanApproval: "Automatic" })],
        ["pins of the right packages", ops({ vaultSecretsOperatorCsv: "vault-secrets-operator.v1.4.1", stackgresCsv: "stackgres.v1.18.6" })],
        ["a marketplace StackGres pin", ops({ stackgresCatalog: "redhat-marketplace", stackgresCsv: "stackgres.v1.18.6" })],
        ["no pins, said with false", ops({ vaultSecretsOperatorCsv: false, stackgresCsv: false })],
    ];
    itAcceptsEach(accepted);

    it("accepts a stack that installs no operators and pins nothing", () => {
        expect(parseStackConfig("t", platformOwned()).operators).toEqual({ stackgresCatalog: "certified-operators", installPlanApproval: "Automatic", createCsiOperatorGroup: true, install: false });
    });

    it("refuses every CSV pin, even false, when the platform team installs the operators", () => {
        const raw = platformOwned();
        raw.operators = { install: false, vaultSecretsOperatorCsv: false, stackgresCsv: "stackgres.v1.18.6" };
        const expected = "expected no CSV pin when operators.install is false (the platform team chose what is installed)";
        expect(problemsOf(raw)).toEqual([
            { key: "vaultkit:operators.vaultSecretsOperatorCsv", expected, given: "false" },
            { key: "vaultkit:operators.stackgresCsv", expected, given: '"stackgres.v1.18.6"' },
        ]);
    });

    it("keeps what is set", () => {
        const raw = valid();
        raw.operators = { stackgresCatalog: "redhat-marketplace", installPlanApproval: "Manual", createCsiOperatorGroup: false, vaultSecretsOperatorCsv: "vault-secrets-operator.v1.4.1", stackgresCsv: false };
        expect(parseStackConfig("t", raw).operators).toEqual({ ...raw.operators, install: true });
    });
});
