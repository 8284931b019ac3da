import { describe, expect, it } from "vitest";
import { noVaultDevModeInProduction as policy } from "./policies";
import { devModeContainerProblem } from "./rules/noVaultDevModeInProduction";
import { productionDecision, stackNameFromUrn } from "./lib/stack";
import { preview, schemaDefaults, T, UNKNOWN, violations } from "./testing";

const devValues = { server: { dev: { enabled: true, devRootToken: "x" }, image: { tag: "2.0.4" } } };
const haValues = { server: { ha: { enabled: true, replicas: 3 }, image: { tag: "2.0.4" } } };

/** The StatefulSet vault-helm renders in dev mode (trimmed). */
function devStatefulSet(): Record<string, unknown> {
    return {
        metadata: { name: "vault", namespace: "vault" },
        spec: {
            template: {
                spec: {
                    containers: [
                        {
                            name: "vault",
                            image: "hashicorp/vault:2.0.4",
                            command: ["/bin/sh", "-ec"],
                            args: ["/usr/local/bin/docker-entrypoint.sh vault server -dev \n"],
                            env: [{ name: "VAULT_DEV_ROOT_TOKEN_ID", value: "abc" }, { name: "VAULT_DEV_LISTEN_ADDRESS", value: "[::]:8200" }],
                        },
                    ],
                },
            },
        },
    };
}

describe("stack helpers", () => {
    it("reads the stack name from a URN", () => {
        expect(stackNameFromUrn("urn:pulumi:prod::vaultkit::vaultkit:index:VaultServer::vault")).toBe("prod");
        expect(stackNameFromUrn("urn:pulumi:my.stack-1::p::t::n")).toBe("my.stack-1");
        expect(stackNameFromUrn("not-a-urn")).toBeUndefined();
    });

    it("decides production from config, then tags, then the stack name", () => {
        const urn = (s: string) => `urn:pulumi:${s}::vaultkit::t::n`;
        expect(productionDecision(urn("prod"), new Map(), {}).production).toBe(true);
        expect(productionDecision(urn("production"), new Map(), {}).production).toBe(true);
        expect(productionDecision(urn("dev"), new Map(), {}).production).toBe(false);
        expect(productionDecision(urn("live"), new Map(), { productionStacks: ["live"] }).production).toBe(true);
        expect(productionDecision(urn("prod"), new Map(), { productionStacks: ["live"] }).production).toBe(false);
        expect(productionDecision(urn("dev"), new Map([["vaultkit:production", "true"]]), {}).production).toBe(true);
        expect(productionDecision(urn("dev"), new Map([["vaultkit:production", "false"]]), {}).production).toBe(false);
        expect(productionDecision(urn("dev"), new Map([["tier", "TRUE"]]), { productionStackTag: "tier" }).production).toBe(true);
        expect(productionDecision(urn("prod"), new Map([["vaultkit:production", "true"]]), { production: false }).production).toBe(false);
        expect(productionDecision(urn("dev"), new Map(), { production: true })).toEqual({ production: true, reason: "policy config production=true" });
    });
});

describe("vault-no-dev-mode-in-production", () => {
    it("is mandatory and declares its config with defaults", () => {
        expect(policy.enforcementLevel).toBe("mandatory");
        expect(schemaDefaults(policy)).toEqual({ productionStacks: ["prod", "production"], productionStackTag: "vaultkit:production" });
    });

    it("rejects VaultServer mode 'dev' in the prod stack", async () => {
        const v = await violations(policy, { type: T.vaultServer, name: "vault", stack: "prod", props: { mode: "dev", namespace: "vault" } });
        expect(v).toHaveLength(1);
        expect(v[0]).toMatch(/VaultServer 'vault' has mode 'dev'.*stack 'prod' is listed in productionStacks/);
    });

    it("allows VaultServer mode 'ha' in prod and mode 'dev' in dev/kind", async () => {
        expect(await violations(policy, { type: T.vaultServer, stack: "prod", props: { mode: "ha" } })).toEqual([]);
        expect(await violations(policy, { type: T.vaultServer, stack: "dev", props: { mode: "dev" } })).toEqual([]);
        expect(await violations(policy, { type: T.vaultServer, stack: "kind", props: { mode: "dev" } })).toEqual([]);
    });

    it("honours the production stack tag and the config override", async () => {
        const tagged = await violations(policy, { type: T.vaultServer, stack: "staging", stackTags: { "vaultkit:production": "true" }, props: { mode: "dev" } });
        expect(tagged).toHaveLength(1);
        expect(tagged[0]).toContain("stack tag vaultkit:production=true");
        expect(await violations(policy, { type: T.vaultServer, stack: "staging", config: { production: true }, props: { mode: "dev" } })).toHaveLength(1);
        expect(await violations(policy, { type: T.vaultServer, stack: "prod", config: { production: false }, props: { mode: "dev" } })).toEqual([]);
    });

    it("rejects vault chart values server.dev.enabled=true (Chart v4 and Release v3) in prod only", async () => {
        for (const type of [T.chartV4, T.releaseV3]) {
            const v = await violations(policy, { type, name: "vault-chart", stack: "prod", props: { chart: "vault", version: "0.34.1", values: devValues } });
            expect(v).toEqual([expect.stringMatching(/Helm chart 'vault-chart' sets values.server.dev.enabled=true/)]);
        }
        expect(await violations(policy, { type: T.chartV4, stack: "prod", props: { chart: "vault", values: haValues } })).toEqual([]);
        expect(await violations(policy, { type: T.chartV4, stack: "dev", props: { chart: "vault", values: devValues } })).toEqual([]);
    });

    it("rejects the dev-mode server StatefulSet the chart renders, and hand-written `vault server -dev` Deployments", async () => {
        const v = await violations(policy, { type: T.statefulSet, name: "vault", stack: "prod", props: devStatefulSet() });
        expect(v).toEqual([expect.stringMatching(/StatefulSet 'vault' containers\[0\] \(vault\) runs `vault server -dev`/)]);
        const dep = { spec: { template: { spec: { containers: [{ name: "bao", image: "openbao/openbao:2.1.0", command: ["bao", "server", "-dev"] }] } } } };
        expect(await violations(policy, { type: T.deployment, stack: "prod", props: dep })).toHaveLength(1);
        expect(await violations(policy, { type: T.statefulSet, stack: "dev", props: devStatefulSet() })).toEqual([]);
    });

    it("does not flag an HA server StatefulSet or unrelated resources", async () => {
        const ha = {
            spec: { template: { spec: { containers: [{ name: "vault", image: "hashicorp/vault:2.0.4", args: ["vault server -config=/tmp/storageconfig.hcl"], env: [{ name: "VAULT_ADDR", value: "https://127.0.0.1:8200" }] }] } } },
        };
        expect(await violations(policy, { type: T.statefulSet, stack: "prod", props: ha })).toEqual([]);
        expect(await violations(policy, { type: T.configMap, stack: "prod", props: { data: { mode: "dev" } } })).toEqual([]);
    });

    it("recognises dev mode by env var alone and ignores `-dev-` look-alikes", () => {
        expect(devModeContainerProblem({ env: [{ name: "VAULT_DEV_ROOT_TOKEN_ID", value: "t" }] })).toMatch(/VAULT_DEV_ROOT_TOKEN_ID/);
        expect(devModeContainerProblem({ args: ["vault server -config=/vault/config -dev-listen-address=x"] })).toBeUndefined();
        expect(devModeContainerProblem({ command: ["vault", "server", "-dev"] })).toBe("runs `vault server -dev`");
    });

    it("lets an unknown chart value surface as a preview error (the server turns it into an advisory)", async () => {
        const props = preview({ chart: "vault", values: UNKNOWN.object });
        await expect(violations(policy, { type: T.chartV4, stack: "prod", props })).rejects.toThrow(/can't be known during preview/);
    });
});
