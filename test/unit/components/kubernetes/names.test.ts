/** components/kubernetes/names.ts: the one DNS-label and the one DNS-subdomain rule. */
import { describe, expect, it } from "vitest";
import { isDnsLabel, isDnsSubdomain } from "../../../../components/kubernetes/names";

describe("Kubernetes names", () => {
    it("a DNS label: lower-case alphanumerics and '-', alphanumeric at both ends, at most 63 (or the given) characters", () => {
        for (const ok of ["a", "vault", "keycloak-postgresql", "0a", "a".repeat(63)]) expect(isDnsLabel(ok), ok).toBe(true);
        for (const bad of ["", "-a", "a-", "A", "a.b", "a_b", "a b", "a".repeat(64)]) expect(isDnsLabel(bad), bad).toBe(false);
        expect(isDnsLabel("a".repeat(41), 40)).toBe(false);
        expect(isDnsLabel("a".repeat(40), 40)).toBe(true);
    });

    it("a DNS subdomain: dot-separated labels, at most 253 characters", () => {
        for (const ok of ["vault-tls", "stackgres.v1.18.6", "sgclusters.stackgres.io", `${"a".repeat(63)}.${"b".repeat(63)}`]) expect(isDnsSubdomain(ok), ok).toBe(true);
        for (const bad of ["", ".a", "a.", "a..b", "A.b", "a_b", "a/b", "x".repeat(254)]) expect(isDnsSubdomain(bad), bad).toBe(false);
    });

    it("refuses anything that is not a string (a config value of the wrong type)", () => {
        expect(isDnsLabel(5 as unknown as string)).toBe(false);
        expect(isDnsSubdomain(undefined as unknown as string)).toBe(false);
    });
});
