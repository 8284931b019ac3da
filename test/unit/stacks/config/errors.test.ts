/** stacks/config/errors.ts: how a problem is worded: the key, what was expected, the value given (secrets masked). */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../../stacks/config";
import { CONFIG_NAMESPACE, ConfigError, describeGiven, editDistance, keyOf, MISSING, rawValue, SECRET_KEYS } from "../../../../stacks/config/errors";
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

describe("ConfigError", () => {
    it("counts its problems in the message and lists one per line", () => {
        const one = new ConfigError([{ key: "vaultkit:platform", expected: "expected one of 'openshift', 'kubernetes'", given: '"aws"' }]);
        expect(one.name).toBe("ConfigError");
        expect(one.message).toBe("invalid stack configuration (1 problem):\n  - vaultkit:platform: expected one of 'openshift', 'kubernetes'; given \"aws\"");
        const two = new ConfigError([
            { key: "vaultkit:a", expected: "expected x", given: "1" },
            { key: "vaultkit:b", expected: "expected y", given: "2" },
        ]);
        expect(two.message).toBe("invalid stack configuration (2 problems):\n  - vaultkit:a: expected x; given 1\n  - vaultkit:b: expected y; given 2");
        expect(new ConfigError([]).message).toBe("invalid stack configuration (0 problems):\n");
    });
});

describe("keyOf", () => {
    it("prefixes the namespace, joins names with '.' and writes indexes in brackets", () => {
        expect(CONFIG_NAMESPACE).toBe("vaultkit");
        expect(keyOf(["platform"])).toBe("vaultkit:platform");
        expect(keyOf(["applications", 0, "name"])).toBe("vaultkit:applications[0].name");
        expect(keyOf(["vault", "bootstrap", "pgpKeys", 2])).toBe("vaultkit:vault.bootstrap.pgpKeys[2]");
        expect(keyOf([])).toBe("vaultkit:");
    });
});

describe("describeGiven", () => {
    const raw = { vault: { address: "x", n: null }, list: [1, "two"], vaultToken: "hvs.secret", databaseAdminPassword: "p".repeat(20), kubernetesTokenReviewerJwt: "jwt" };

    it("masks every secret key, and only those", () => {
        expect(SECRET_KEYS).toEqual(new Set(["vaultToken", "databaseAdminPassword", "kubernetesTokenReviewerJwt"]));
        for (const k of SECRET_KEYS) {
            expect(describeGiven(raw, [k])).toBe("[secret]");
        }
        expect(describeGiven(raw, ["vault", "address"])).toBe('"x"');
    });

    it("quotes the value at the path as JSON, the whole input for an empty path", () => {
        expect(describeGiven(raw, ["list", 1])).toBe('"two"');
        expect(describeGiven(raw, ["list"])).toBe('[1,"two"]');
        expect(describeGiven(raw, ["vault", "n"])).toBe("null");
        expect(describeGiven({ a: 1 }, [])).toBe('{"a":1}');
    });

    it("says the key is missing below a missing, null or non-object value", () => {
        expect(MISSING).toBe("nothing (the key is missing)");
        expect(describeGiven(raw, ["kubernetesAuth", "mount"])).toBe(MISSING);
        expect(describeGiven(raw, ["vault", "n", "x"])).toBe(MISSING);
        // a string has a length, but it is not a config key
        expect(describeGiven(raw, ["vault", "address", "length"])).toBe(MISSING);
    });
});

describe("rawValue", () => {
    it("reads the value at the path as the user wrote it, undefined below a missing, null or non-object value", () => {
        const raw = { vault: { injector: true, n: null, address: "x" } };
        expect(rawValue(raw, ["vault", "injector"])).toBe(true);
        expect(rawValue(raw, ["vault"])).toEqual({ injector: true, n: null, address: "x" });
        expect(rawValue(raw, ["kubernetesAuth", "mount"])).toBeUndefined();
        expect(rawValue(raw, ["vault", "n", "x"])).toBeUndefined();
        expect(rawValue(raw, ["vault", "address", "length"])).toBeUndefined();
    });
});

describe("editDistance", () => {
    it("counts insertions, deletions and substitutions", () => {
        expect(editDistance("", "")).toBe(0);
        expect(editDistance("", "abc")).toBe(3);
        expect(editDistance("abc", "")).toBe(3);
        expect(editDistance("vaultkit", "vaultkit")).toBe(0);
        expect(editDistance("vaultkt", "vaultkit")).toBe(1);
        expect(editDistance("valutkit", "vaultkit")).toBe(2);
        expect(editDistance("kitten", "sitting")).toBe(3);
        expect(editDistance("ab", "ba")).toBe(2);
    });
});
