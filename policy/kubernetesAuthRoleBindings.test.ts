import { describe, expect, it } from "vitest";
import { kubernetesAuthRoleBindings as policy } from "./policies";
import { T, violations } from "./testing";

const role = (names: unknown, namespaces: unknown, extra: Record<string, unknown> = {}) => ({
    backend: "kubernetes",
    roleName: "keycloak-role",
    tokenPolicies: ["keycloak-postgresql-policy"],
    ...(names === undefined ? {} : { boundServiceAccountNames: names }),
    ...(namespaces === undefined ? {} : { boundServiceAccountNamespaces: namespaces }),
    ...extra,
});

describe("vault-kubernetes-auth-role-explicit-bindings", () => {
    it("is mandatory", () => {
        expect(policy.enforcementLevel).toBe("mandatory");
    });

    it("accepts explicit service accounts and namespaces (the seed's keycloak-role)", async () => {
        expect(await violations(policy, { type: T.authRole, props: role(["default", "keycloak-postgresql-patroni"], ["rhbk"]) })).toEqual([]);
    });

    it("rejects '*' in service accounts and in namespaces", async () => {
        const v = await violations(policy, { type: T.authRole, props: role(["*"], ["*"]) });
        expect(v).toEqual([
            expect.stringMatching(/'keycloak-role' binds boundServiceAccountNames to '\*': any service account/),
            expect.stringMatching(/binds boundServiceAccountNamespaces to '\*': any namespace/),
        ]);
        expect(await violations(policy, { type: T.authRole, props: role(["app"], ["team-*"]) })).toHaveLength(1);
    });

    it("rejects empty and missing bindings", async () => {
        expect(await violations(policy, { type: T.authRole, props: role([], ["rhbk"]) })).toEqual([expect.stringMatching(/empty boundServiceAccountNames/)]);
        expect(await violations(policy, { type: T.authRole, props: role(["app"], undefined) })).toEqual([expect.stringMatching(/has no boundServiceAccountNamespaces/)]);
        expect(await violations(policy, { type: T.authRole, props: role(["app"], [""]) })).toEqual([expect.stringMatching(/invalid boundServiceAccountNamespaces entry/)]);
    });

    it("rejects a namespace label selector", async () => {
        const v = await violations(policy, { type: T.authRole, props: role(["app"], undefined, { boundServiceAccountNamespaceSelector: '{"matchLabels":{"team":"b"}}' }) });
        expect(v).toEqual([expect.stringMatching(/label selector/), expect.stringMatching(/has no boundServiceAccountNamespaces/)]);
    });

    it("ignores other types", async () => {
        expect(await violations(policy, { type: T.connection, props: { boundServiceAccountNames: ["*"] } })).toEqual([]);
    });
});
