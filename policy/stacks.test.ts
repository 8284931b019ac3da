/**
 * The policy pack against the real programs: every stack of this repository, and the consumer
 * example examples/second-team-app, is run under the mock engine (scripts/lib, the same capture the
 * offline render uses) and each registration is handed to every policy the way the policy server
 * would (secrets unwrapped, unknown values throwing on read). They must pass; mutated registrations
 * must not.
 */
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { capture, type Capture, type CapturedResource } from "../scripts/lib/engine";
import { captureStack } from "../scripts/lib/program";
import { loadStackFile } from "../scripts/lib/stacks";
import { unwrapWireSecrets } from "../scripts/lib/wire";
import { vaultkitPolicies } from "./policies";
import { isUnknownValueError } from "./lib/values";
import { preview, resourceArgs, T } from "./testing";

const STACKS = ["dev", "kind", "prod"] as const;
const captures = new Map<string, Capture>();

interface Finding {
    policy: string;
    urn: string;
    message: string;
}

/**
 * Runs every policy on every registration. A read of a value unknown at preview ends that policy's
 * check of that resource (the policy server reports it as advisory); those are returned as
 * `advisories`, so a test can assert that no policy passed only because it never saw a known value.
 */
async function evaluate(c: Capture, config: Record<string, Record<string, unknown>> = {}, resources: CapturedResource[] = c.resources): Promise<{ violations: Finding[]; advisories: Finding[] }> {
    const violations: Finding[] = [];
    const advisories: Finding[] = [];
    for (const r of resources) {
        for (const policy of vaultkitPolicies as ResourceValidationPolicy[]) {
            const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
            for (const validate of validations) {
                const args = { ...resourceArgs({ type: r.type, name: r.name, stack: c.stack, props: {}, config: config[policy.name] }), urn: r.urn, props: preview(unwrapWireSecrets(r.inputs) as Record<string, unknown>) };
                try {
                    await validate(args, (message) => violations.push({ policy: policy.name, urn: r.urn, message }));
                } catch (err) {
                    if (!isUnknownValueError(err)) {
                        throw err;
                    }
                    advisories.push({ policy: policy.name, urn: r.urn, message: String(err) });
                }
            }
        }
    }
    return { violations, advisories };
}

function ofType(c: Capture, type: string): CapturedResource[] {
    return c.resources.filter((r) => r.type === type);
}

const EXAMPLE_DIR = path.resolve(__dirname, "..", "examples", "second-team-app");
let example: Capture;

beforeAll(async () => {
    for (const stack of STACKS) {
        captures.set(stack, await captureStack(stack));
    }
}, 120_000);

describe("the policy pack on this repository's stacks", () => {
    it.each(STACKS)("stack %s passes every policy", async (stack) => {
        const { violations, advisories } = await evaluate(captures.get(stack)!);
        expect(violations).toEqual([]);
        // Every value is known in these captures: no policy passed by stopping at an unknown one.
        expect(advisories).toEqual([]);
    });

    it.each(STACKS)("stack %s registers what the policies examine", (stack) => {
        const c = captures.get(stack)!;
        for (const type of [T.connection, T.staticRole, T.authRole, T.deployment]) {
            expect(ofType(c, type).length, `${stack}: ${type}`).toBeGreaterThan(0);
        }
        expect(ofType(c, T.vaultServer)).toHaveLength(1);
        expect(ofType(c, T.chartV4).some((r) => unwrapWireSecrets(r.inputs["chart"]) === "vault")).toBe(true);
    });

    it("the dev stack's dev-mode Vault is rejected once the stack counts as production", async () => {
        const c = captures.get("dev")!;
        const { violations, advisories } = await evaluate(c, { "vault-no-dev-mode-in-production": { production: true } });
        expect(advisories).toEqual([]);
        const devMode = violations.filter((v) => v.policy === "vault-no-dev-mode-in-production");
        expect(devMode.map((v) => v.message)).toEqual(
            expect.arrayContaining([expect.stringMatching(/VaultServer '.*' has mode 'dev'/), expect.stringMatching(/sets values.server.dev.enabled=true/)]),
        );
        expect(violations.filter((v) => v.policy !== "vault-no-dev-mode-in-production")).toEqual([]);
    });

    it("the prod stack's HA Vault passes the dev-mode policy as production", async () => {
        const c = captures.get("prod")!;
        expect(ofType(c, T.vaultServer)[0]!.inputs["mode"]).toBe("ha");
        const { violations, advisories } = await evaluate(c, { "vault-no-dev-mode-in-production": { production: true } });
        expect(advisories).toEqual([]);
        expect(violations).toEqual([]);
    });

    it("mutated registrations of the prod stack are rejected", async () => {
        const c = captures.get("prod")!;
        const mutate = (type: string, change: (inputs: Record<string, unknown>) => void): CapturedResource => {
            const original = ofType(c, type)[0]!;
            const inputs = structuredClone(unwrapWireSecrets(original.inputs)) as Record<string, unknown>;
            change(inputs);
            return { ...original, inputs: inputs as CapturedResource["inputs"] };
        };
        const mutated = [
            mutate(T.connection, (i) => (i["allowedRoles"] = ["*"])),
            mutate(T.staticRole, (i) => (i["rotationPeriod"] = 30)),
            mutate(T.authRole, (i) => (i["boundServiceAccountNamespaces"] = ["*"])),
            mutate(T.deployment, (i) => {
                const containers = (i as any).spec.template.spec.containers as Record<string, unknown>[];
                containers[0]!["image"] = "busybox:latest";
                containers[0]!["securityContext"] = { privileged: true };
            }),
        ];
        const { violations, advisories } = await evaluate(c, {}, mutated);
        expect(advisories).toEqual([]);
        expect([...new Set(violations.map((v) => v.policy))].sort()).toEqual([
            "pinned-images",
            "privileged-pods-only-vault-csi-provider",
            "vault-database-connection-explicit-allowed-roles",
            "vault-kubernetes-auth-role-explicit-bindings",
            "vault-static-role-rotation-period-bounds",
        ]);
    });
});

describe("the policy pack on the second-team example", () => {
    beforeAll(async () => {
        // The example is a program module: importing it registers its resources.
        const file = loadStackFile(EXAMPLE_DIR, "team-b");
        example = await capture({
            project: file.project,
            stack: file.stack,
            config: file.config,
            secretConfigKeys: file.secretKeys,
            program: () => import(path.join(EXAMPLE_DIR, "index.ts")),
        });
    }, 60_000);

    it("registers a static role, a policy and an auth role on the existing Vault, and an injected Deployment", () => {
        const role = ofType(example, T.staticRole);
        expect(role).toHaveLength(1);
        expect(unwrapWireSecrets(role[0]!.inputs)).toMatchObject({ backend: "database", dbName: "keycloak-postgresql", name: "team-b-orders", username: "team_b_orders", rotationPeriod: 43200 });
        const auth = ofType(example, T.authRole);
        expect(auth).toHaveLength(1);
        expect(unwrapWireSecrets(auth[0]!.inputs)).toMatchObject({ boundServiceAccountNames: ["orders"], boundServiceAccountNamespaces: ["team-b"], backend: "kubernetes" });
        expect(ofType(example, "vault:index/policy:Policy")).toHaveLength(1);
        // Nothing of the platform is recreated: no mounts, connections, charts.
        for (const type of [T.mount, T.connection, T.chartV4, T.vaultServer]) {
            expect(ofType(example, type)).toEqual([]);
        }
        const provider = ofType(example, "pulumi:providers:vault");
        expect(provider.map((p) => unwrapWireSecrets(p.inputs["address"]))).toEqual(["https://vault.apps.lab.example.com"]);
        const deployment = ofType(example, T.deployment);
        expect(deployment).toHaveLength(1);
        const annotations = (unwrapWireSecrets(deployment[0]!.inputs) as any).spec.template.metadata.annotations as Record<string, string>;
        expect(annotations["vault.hashicorp.com/role"]).toBe("team-b-orders");
        expect(annotations["vault.hashicorp.com/agent-inject-secret-db-password"]).toBe("database/static-creds/team-b-orders");
    });

    it("passes every policy", async () => {
        const { violations, advisories } = await evaluate(example);
        expect(advisories).toEqual([]);
        expect(violations).toEqual([]);
    });
});
