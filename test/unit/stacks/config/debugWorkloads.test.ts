/** stacks/config/debugWorkloads.ts: `vaultkit:debugWorkloads`, refused in production and where their Vault component is missing. */
import { describe, expect, it } from "vitest";
import { debugServiceAccountName, debugWorkloadsEnabled, parseStackConfig } from "../../../../stacks/config";
import { type Accepted, type Case, type ExactCase, inClusterVault, itAcceptsEach, itRefusesEach, itRefusesEachExactly, valid } from "./fixtures";

const cases: Case[] = [
    ["debug workloads in production", (r) => ((r.production = true), (r.vault.server = "ha"), (r.debugWorkloads = { direct: true })), "vaultkit:debugWorkloads", /no debug workloads/, { vaultToken: "t" }],
    ["CSI debug pod with an existing Vault whose CSI provider nobody installs", (r) => (inClusterVault(r), (r.debugWorkloads = { csi: true })), "vaultkit:debugWorkloads.csi", /nothing here installs the Vault CSI provider/, { vaultToken: "t" }],
];

describe("bad debugWorkloads input fails with the key, what was expected and what was given", () => {
    itRefusesEach(cases);
});

describe("debugWorkloads, word for word", () => {
    it("fills the defaults: all off, the pinned debug image", () => {
        expect(parseStackConfig("t", valid()).debugWorkloads).toEqual({ csi: false, injector: false, direct: false, image: "registry.access.redhat.com/ubi9/ubi:9.4" });
    });

    const exact: ExactCase[] = [
        ...(["csi", "injector", "direct"].map((k): ExactCase => [`${k} not a boolean`, (r) => (r.debugWorkloads = { [k]: "yes" }), `vaultkit:debugWorkloads.${k}`, "expected true or false", '"yes"'])),
        [
            "the CSI debug pod with the CSI provider off",
            (r) => ((r.vault.csiProvider = false), (r.debugWorkloads = { csi: true, injector: true })),
            "vaultkit:debugWorkloads.csi",
            "expected the csi debug workload only where its Vault component is enabled (vault.csiProvider is false)",
            "true",
        ],
        [
            "the injector debug pod with the injector off",
            (r) => ((r.vault.injector = false), (r.debugWorkloads = { csi: true, injector: true })),
            "vaultkit:debugWorkloads.injector",
            "expected the injector debug workload only where its Vault component is enabled (vault.injector is false)",
            "true",
        ],
        [
            "the injector debug pod with an existing Vault whose injector nobody installs",
            (r) => (inClusterVault(r), (r.debugWorkloads = { injector: true })),
            "vaultkit:debugWorkloads.injector",
            "expected the injector debug workload only where its Vault component runs in the cluster: with vault.mode 'existing' nothing here installs the Vault agent injector " +
                "(only a Vault deployed from its chart does), so the pods would never get their secret; set vault.injector true if it is installed",
            "true",
            { vaultToken: "t" },
        ],
        ...(["csi", "injector", "direct"].map(
            (k): ExactCase => [
                `the ${k} debug pod in production`,
                (r) => ((r.production = true), (r.vault.server = "ha"), (r.vault.caSecretName = "ca"), (r.vault.sealConfig = 'seal "transit" {}'), (r.debugWorkloads = { [k]: true })),
                "vaultkit:debugWorkloads",
                "expected no debug workloads in a stack marked production (they hold the database admin credentials, readable by anyone with pods/exec in their namespace)",
                JSON.stringify({ [k]: true }),
                { vaultToken: "t" },
            ],
        )),
    ];
    itRefusesEachExactly(exact);

    const accepted: Accepted[] = [
        ["all three debug pods outside production", (r) => (r.debugWorkloads = { csi: true, injector: true, direct: true, namespace: "debug" })],
        ["the CSI debug pod off while the CSI provider is off", (r) => ((r.vault.csiProvider = false), (r.debugWorkloads = { injector: true }))],
        ["the injector debug pod off while the injector is off", (r) => ((r.vault.injector = false), (r.debugWorkloads = { csi: true, direct: true }))],
        ["debug pods all off in production", (r) => ((r.production = true), (r.vault.server = "ha"), (r.vault.caSecretName = "ca"), (r.vault.sealConfig = 'seal "transit" {}'), (r.debugWorkloads = { csi: false })), { vaultToken: "t" }],
    ];
    itAcceptsEach(accepted);

    it("names the debug service account after the cluster and says whether any debug pod is on", () => {
        expect(debugServiceAccountName("pg")).toBe("pg-vault-debug");
        expect(debugWorkloadsEnabled({ csi: false, injector: false, direct: false })).toBe(false);
        expect(debugWorkloadsEnabled({ csi: true, injector: false, direct: false })).toBe(true);
        expect(debugWorkloadsEnabled({ csi: false, injector: true, direct: false })).toBe(true);
        expect(debugWorkloadsEnabled({ csi: false, injector: false, direct: true })).toBe(true);
    });
});
