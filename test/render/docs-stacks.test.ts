/**
 * The stack files the docs give readers (docs/Pulumi.example.yaml and every `<!-- stack-config -->`
 * block, test/support/docStacks.ts) render under the mock engine as the repository's stacks do:
 * valid against the pinned schemas, no secret leaked, no credential flagged by the render's check.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RenderResult } from "../../scripts/lib/render";
import { fromYaml } from "../../scripts/lib/yaml";
import { EXAMPLE_STACK_FILE, writeDocStacks } from "../support/docStacks";
import { findLeaks, REPO_ROOT, renderStack, tempDir } from "../support/render";
import { formatViolation, validateRendered } from "../support/schemas";

const tmp = tempDir("vaultkit-doc-stacks-");
afterAll(() => tmp.cleanup());
const stacks = [
    { stack: "example", file: EXAMPLE_STACK_FILE, where: "docs/Pulumi.example.yaml" },
    ...writeDocStacks(tmp.dir).map((s) => ({ stack: s.stack, file: s.file, where: `${s.block.file}:${s.block.line}` })),
];

describe.each(stacks)("$where", ({ stack, file }) => {
    let result: RenderResult;
    let violations: string[];

    beforeAll(async () => {
        result = await renderStack(stack, REPO_ROOT, file);
        violations = (await validateRendered(result.files)).violations.map(formatViolation);
    }, 180_000);

    it("renders and validates against the pinned upstream schemas with no violation", () => {
        expect([...result.files.keys()].filter((p) => p.startsWith("k8s/")).length).toBeGreaterThan(0);
        expect(violations).toEqual([]);
    });

    it("has no credential that reached the engine in plaintext, and leaks no injected secret", () => {
        expect(result.unmarkedSecrets).toEqual([]);
        expect(findLeaks(result.files, result.injectedSecrets)).toEqual([]);
    });

    it("shows every stack output name in the clear: none is mistaken for a credential", () => {
        const outputs = (fromYaml(result.files.get("index.yaml")!) as { outputs: Record<string, unknown> }).outputs;
        const masked = Object.entries(outputs).filter(([, v]) => v === "[secret]").map(([k]) => k);
        // The dev root token is the only secret output, and these stacks run HA Vault.
        expect(masked).toEqual([]);
    });
});

it("the HA doc's first `pulumi up` names the init Secret in the stack output vaultInitSecretName, and its bootstrap objects reference each other by their generated names", async () => {
    const ha = stacks.find((s) => s.where.startsWith("docs/ha-vault.md"))!;
    const result = await renderStack(ha.stack, REPO_ROOT, ha.file);
    const outputs = (fromYaml(result.files.get("index.yaml")!) as { outputs: Record<string, unknown> }).outputs;
    expect(outputs.vaultInitSecretName).toBe("vault-init-encrypted");
    // The render engine autonames as the provider does: references must meet the generated names.
    type Obj = { kind: string; metadata: { name: string }; [k: string]: any };
    const objects = [...result.files].filter(([p]) => p.startsWith("k8s/vault/")).map(([, text]) => fromYaml(text) as Obj);
    const only = (kind: string): Obj => {
        const found = objects.filter((o) => o.kind === kind && o.metadata.name.startsWith("vault-bootstrap-"));
        expect(found.map((o) => o.metadata.name), kind).toHaveLength(1);
        return found[0]!;
    };
    const [sa, role, binding, keys, job] = ["ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Job"].map(only) as [Obj, Obj, Obj, Obj, Obj];
    expect(sa.metadata.name).toMatch(/^vault-bootstrap-sa-[0-9a-f]{8}$/);
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: sa.metadata.name, namespace: "vault" }]);
    const pod = job.spec.template.spec;
    expect(pod.serviceAccountName).toBe(sa.metadata.name);
    expect(pod.volumes.find((v: { name: string }) => v.name === "pgp-keys").configMap.name).toBe(keys.metadata.name);
    expect(Object.keys(keys.data).sort()).toEqual(["root-token.public-key", "share-0.public-key", "share-1.public-key", "share-2.public-key"]);
}, 180_000);
