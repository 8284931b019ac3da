/**
 * components/vault/policies.ts: the exact HCL of the policies Vault is given, and the paths it refuses to
 * build (each named in the error, so a bad mount or role name is found without reading the code).
 */
import { describe, expect, it } from "vitest";
import { applicationPolicyHcl, kvReadPolicyRules, renderPolicyHcl, staticCredsReadPolicyRules } from "../../../../components/vault/policies";
import { expectInOrder } from "../../../support/order";

describe("renderPolicyHcl", () => {
    it("lists several capabilities of one rule, comma-separated", () => {
        expect(renderPolicyHcl([{ path: "kv/data/a", capabilities: ["read", "list"] }])).toBe('path "kv/data/a" {\n  capabilities = ["read", "list"]\n}\n');
    });

    it("separates rules by a blank line, in the order given", () => {
        expect(renderPolicyHcl([...kvReadPolicyRules("kv", "a"), ...staticCredsReadPolicyRules("db", "b")])).toBe(
            'path "kv/data/a" {\n  capabilities = ["read"]\n}\n\npath "db/static-creds/b" {\n  capabilities = ["read"]\n}\n',
        );
    });

    it("names the rule that has no capabilities", () => {
        expect(() => renderPolicyHcl([{ path: "kv/data/a", capabilities: ["read"] }, { path: "kv/data/b", capabilities: [] }])).toThrow(
            'policy rule on "kv/data/b" has no capabilities',
        );
        expect(() => renderPolicyHcl([])).toThrow("a policy needs at least one rule");
    });
});

describe("kvReadPolicyRules and staticCredsReadPolicyRules", () => {
    it("accept every character Vault allows in a path, and nested KV paths", () => {
        expect(kvReadPolicyRules("kv-v2", "team_a/app.config@v1+x=y")).toEqual([{ path: "kv-v2/data/team_a/app.config@v1+x=y", capabilities: ["read"] }]);
    });

    it("refuse a wildcard or blank at either end of a path, naming which argument it was", () => {
        expect(() => kvReadPolicyRules("kv-v2", "*/config")).toThrow('kv secret path must be a Vault path without wildcards or empty segments, got "*/config"');
        expect(() => kvReadPolicyRules("kv-v2", "config*")).toThrow('kv secret path must be a Vault path without wildcards or empty segments, got "config*"');
        expect(() => kvReadPolicyRules("kv*", "config")).toThrow('kv mount must be a Vault path without wildcards or empty segments, got "kv*"');
        expect(() => kvReadPolicyRules(" kv", "config")).toThrow(/^kv mount must be/);
        expect(() => staticCredsReadPolicyRules("*database", "app")).toThrow('database mount must be a Vault path without wildcards or empty segments, got "*database"');
        expect(() => staticCredsReadPolicyRules("database", "app+")).not.toThrow();
        expect(() => staticCredsReadPolicyRules("database", "+*")).toThrow('static role name must be a Vault path without wildcards or empty segments, got "+*"');
        expect(() => staticCredsReadPolicyRules("database", "")).toThrow(/^static role name must be a Vault path/);
    });
});

describe("applicationPolicyHcl", () => {
    it("reads exactly the static role's credentials, found by the static role's name", () => {
        expect(applicationPolicyHcl({ databaseMount: "db-mount", staticRoleName: "orders" })).toBe('path "db-mount/static-creds/orders" {\n  capabilities = ["read"]\n}\n');
    });
});

describe("policies", () => {
    it("renders the seed's KV read policy exactly", () => {
        expect(renderPolicyHcl(kvReadPolicyRules("kv-v2", "keycloak-postgresql/config"))).toBe(
            'path "kv-v2/data/keycloak-postgresql/config" {\n  capabilities = ["read"]\n}\n',
        );
    });

    it("grants read on one static role's creds (the policy the seed forgot)", () => {
        expect(staticCredsReadPolicyRules("database", "app")).toEqual([{ path: "database/static-creds/app", capabilities: ["read"] }]);
    });

    it("refuses wildcards, empty segments and nested role names", () => {
        expect(() => kvReadPolicyRules("kv-v2", "keycloak/*")).toThrow(/without wildcards/);
        expect(() => kvReadPolicyRules("kv-v2", "a//b")).toThrow(/empty segments/);
        expect(() => kvReadPolicyRules("kv-v2", "a/")).toThrow(/empty segments/);
        expect(() => staticCredsReadPolicyRules("database", "a/b")).toThrow(/must not contain '\/'/);
        expect(() => renderPolicyHcl([])).toThrow(/at least one rule/);
        expect(() => renderPolicyHcl([{ path: "x", capabilities: [] }])).toThrow(/no capabilities/);
    });

    it("renders several rules in order", () => {
        const hcl = renderPolicyHcl([...kvReadPolicyRules("kv", "a"), ...staticCredsReadPolicyRules("db", "b")]);
        expectInOrder(hcl, ['path "kv/data/a"', 'path "db/static-creds/b"'], "policy HCL");
    });
});
