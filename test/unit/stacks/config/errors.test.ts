/** stacks/config/errors.ts: how a problem is worded: the key, what was expected, the value given (secrets masked). */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../../stacks/config";
import { valid, problemsOf } from "./fixtures";

describe("how a problem is reported", () => {
    it("quotes the given value", () => {
        const raw = valid();
        raw.platform = "openshfit";
        expect(problemsOf(raw)[0]).toEqual({ key: "vaultkit:platform", expected: "expected one of 'openshift', 'kubernetes'", given: '"openshfit"' });
    });

    it("says a missing key is missing", () => {
        const raw = valid();
        delete raw.platform;
        expect(problemsOf(raw)[0]!.given).toBe("nothing (the key is missing)");
    });

    it("never prints the Vault token", () => {
        const raw = valid();
        raw.vaultToken = 12345;
        const err = (() => {
            try {
                parseStackConfig("t", raw);
            } catch (e) {
                return e as Error;
            }
            throw new Error("expected an error");
        })();
        expect(err.message).toContain("vaultkit:vaultToken");
        expect(err.message).toContain("[secret]");
        expect(err.message).not.toContain("12345");
    });

    it("shows a given value of up to 80 characters whole and cuts a longer one to 77 and '...'", () => {
        const raw = valid();
        raw.vault.address = "a".repeat(78);
        expect(problemsOf(raw).find((p) => p.key === "vaultkit:vault.address")!.given).toBe(JSON.stringify("a".repeat(78)));
        raw.vault.address = "b".repeat(79);
        expect(problemsOf(raw).find((p) => p.key === "vaultkit:vault.address")!.given).toBe(`"${"b".repeat(76)}...`);
    });
});
