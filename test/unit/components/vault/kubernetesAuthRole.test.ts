/**
 * components/vault/kubernetesAuthRole.ts: what a Kubernetes auth role may bind, at both edges of each
 * check, and that an audience is only sent when one is given.
 */
import { describe, expect, it } from "vitest";
import { kubernetesAuthRoleInputs } from "../../../../components/vault/kubernetesAuthRole";

const spec = { name: "orders", serviceAccountNames: ["orders-sa"], namespaces: ["shop"], policies: ["orders-database-creds"], tokenTtlSeconds: 600 };

describe("kubernetesAuthRoleInputs", () => {
    it("sends no audience when none is given (Vault then checks none)", () => {
        expect(kubernetesAuthRoleInputs(spec)).toEqual({
            roleName: "orders",
            boundServiceAccountNames: ["orders-sa"],
            boundServiceAccountNamespaces: ["shop"],
            tokenPolicies: ["orders-database-creds"],
            tokenTtl: 600,
        });
        expect(kubernetesAuthRoleInputs({ ...spec, audience: "" })).not.toHaveProperty("audience");
    });

    it("refuses a role without a namespace even when it names a service account, and says which role", () => {
        expect(() => kubernetesAuthRoleInputs({ ...spec, namespaces: [] })).toThrow('kubernetes auth role "orders": bind at least one service account and one namespace');
        expect(() => kubernetesAuthRoleInputs({ ...spec, serviceAccountNames: [] })).toThrow('kubernetes auth role "orders": bind at least one service account and one namespace');
    });

    it("names the wildcard binding and the missing policy", () => {
        expect(() => kubernetesAuthRoleInputs({ ...spec, namespaces: ["shop", "team-*"] })).toThrow('kubernetes auth role "orders": wildcard bindings are not allowed, got "team-*"');
        expect(() => kubernetesAuthRoleInputs({ ...spec, policies: [] })).toThrow('kubernetes auth role "orders": attach at least one policy');
    });

    it("takes a TTL of 1 s and refuses 0, negative and fractional TTLs", () => {
        expect(kubernetesAuthRoleInputs({ ...spec, tokenTtlSeconds: 1 }).tokenTtl).toBe(1);
        expect(() => kubernetesAuthRoleInputs({ ...spec, tokenTtlSeconds: 0 })).toThrow('kubernetes auth role "orders": tokenTtlSeconds must be a positive whole number, got 0');
        expect(() => kubernetesAuthRoleInputs({ ...spec, tokenTtlSeconds: -60 })).toThrow(/got -60$/);
        expect(() => kubernetesAuthRoleInputs({ ...spec, tokenTtlSeconds: 1.5 })).toThrow(/got 1\.5$/);
    });
});

describe("kubernetes auth roles", () => {
    const seedRole = {
        name: "keycloak-role",
        serviceAccountNames: ["default", "keycloak-postgresql-patroni"],
        namespaces: ["rhbk"],
        policies: ["keycloak-postgresql-policy"],
        audience: "https://kubernetes.default.svc",
        tokenTtlSeconds: 86400,
    };

    it("maps the seed's keycloak-role", () => {
        expect(kubernetesAuthRoleInputs(seedRole)).toEqual({
            roleName: "keycloak-role",
            boundServiceAccountNames: ["default", "keycloak-postgresql-patroni"],
            boundServiceAccountNamespaces: ["rhbk"],
            tokenPolicies: ["keycloak-postgresql-policy"],
            audience: "https://kubernetes.default.svc",
            tokenTtl: 86400,
        });
    });

    it("refuses wildcard or empty bindings", () => {
        expect(() => kubernetesAuthRoleInputs({ ...seedRole, namespaces: ["*"] })).toThrow(/wildcard/);
        expect(() => kubernetesAuthRoleInputs({ ...seedRole, serviceAccountNames: ["app-*"] })).toThrow(/wildcard/);
        expect(() => kubernetesAuthRoleInputs({ ...seedRole, serviceAccountNames: [] })).toThrow(/at least one/);
        expect(() => kubernetesAuthRoleInputs({ ...seedRole, policies: [] })).toThrow(/at least one policy/);
        expect(() => kubernetesAuthRoleInputs({ ...seedRole, tokenTtlSeconds: 0 })).toThrow(/positive/);
    });
});
