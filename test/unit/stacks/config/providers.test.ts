/** stacks/config/providers.ts: Pulumi provider config (`kubernetes:*`, `vault:*`) this program never reads. */
import { describe, expect, it } from "vitest";
import { type Case, itRefusesEach, problemsOf, valid } from "./fixtures";

const cases: Case[] = [
    ["kubernetes:context, which the explicit provider ignores", () => undefined, "kubernetes:context", /vaultkit:kubeContext instead/, { otherConfigKeys: ["kubernetes:context"] }],
    ["vault:token, which the explicit provider ignores", () => undefined, "vault:token", /vaultkit:vaultToken/, { otherConfigKeys: ["vault:token"] }],
];

describe("provider config the explicit providers ignore is refused", () => {
    itRefusesEach(cases);
});

describe("otherNamespaceRules", () => {
    const refused = (k: string, instead: string) => ({
        key: k,
        expected: `expected ${instead} instead: this program configures its ${k.split(":")[0]} provider explicitly, which ignores '${k}'`,
        given: "a value in the stack's config",
    });

    it("names what to set instead of each provider key it knows, sorted by key", () => {
        const keys = ["vault:token", "vault:skipTlsVerify", "kubernetes:kubeconfig", "vault:caCertFile", "vault:address", "kubernetes:context"];
        expect(problemsOf(valid(), { otherConfigKeys: keys })).toEqual([
            refused("kubernetes:context", "vaultkit:kubeContext"),
            refused("kubernetes:kubeconfig", "the KUBECONFIG environment variable (and vaultkit:kubeContext)"),
            refused("vault:address", "vaultkit:vault.address"),
            refused("vault:caCertFile", "vaultkit:vault.caCertFile"),
            refused("vault:skipTlsVerify", "vaultkit:vault.skipTlsVerify"),
            refused("vault:token", "vaultkit:vaultToken (or VAULT_TOKEN)"),
        ]);
    });

    it("points any other kubernetes: or vault: key at the vaultkit: keys", () => {
        expect(problemsOf(valid(), { otherConfigKeys: ["vault:namespace"] })).toEqual([refused("vault:namespace", "a vaultkit: key")]);
    });

    it("leaves keys of other namespaces alone", () => {
        const raw = valid();
        raw.vaultToken = "s.abc"; // a problem of the same pass (a token for a dev Vault), so that there is an error to read
        expect(problemsOf(raw, { otherConfigKeys: ["pulumi:tags", "aws:region", "kubernetesx:context", "vaultx:token"] }).map((p) => p.key)).toEqual(["vaultkit:vaultToken"]);
    });
});
