/** stacks/config/debugWorkloads.ts: `vaultkit:debugWorkloads`, refused in production and where their Vault component is missing. */
import { describe } from "vitest";
import { inClusterVault, type Case, itRefusesEach } from "./fixtures";

const cases: Case[] = [
    ["debug workloads in production", (r) => ((r.production = true), (r.vault.server = "ha"), (r.debugWorkloads = { direct: true })), "vaultkit:debugWorkloads", /no debug workloads/, { vaultToken: "t" }],
    ["CSI debug pod with an existing Vault whose CSI provider nobody installs", (r) => (inClusterVault(r), (r.debugWorkloads = { csi: true })), "vaultkit:debugWorkloads.csi", /nothing here installs the Vault CSI provider/, { vaultToken: "t" }],
];

describe("bad debugWorkloads input fails with the key, what was expected and what was given", () => {
    itRefusesEach(cases);
});
