/**
 * Every stack of the repository (each Pulumi.<stack>.yaml at the root) renders offline, validates
 * against the upstream schemas of the versions the project pins, leaks no secret, and renders
 * byte-identically twice.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { RenderResult } from "../../scripts/lib/render";
import { fromYaml } from "../../scripts/lib/yaml";
import { discoverStacks, findLeaks, readTree, REPO_ROOT, renderStack, tempDir, treeText, writeTree } from "../support/render";
import { formatViolation, ValidationReport, validateRendered } from "../support/schemas";

const stacks = discoverStacks(REPO_ROOT);

it("the repository has stack files to render", () => {
    expect(stacks.length, "no Pulumi.<stack>.yaml at the repo root").toBeGreaterThan(0);
});

describe.each(stacks)("stack %s", (stack) => {
    let result: RenderResult;
    let tree: Map<string, string>;
    let report: ValidationReport;

    beforeAll(async () => {
        result = await renderStack(stack);
        const tmp = tempDir();
        try {
            writeTree(result, tmp.dir);
            tree = readTree(tmp.dir);
        } finally {
            tmp.cleanup();
        }
        report = await validateRendered(tree);
    }, 180_000);

    it("writes to disk exactly what it rendered", () => {
        expect([...tree.keys()]).toEqual([...result.files.keys()]);
        expect(treeText(tree)).toBe(treeText(result.files));
    });

    it("validates against the pinned upstream schemas with no violation", () => {
        expect(report.violations.map(formatViolation)).toEqual([]);
    });

    it("checks every Kubernetes object and every Helm chart (none skipped)", () => {
        const k8s = [...tree.keys()].filter((p) => p.startsWith("k8s/"));
        const helm = [...tree.keys()].filter((p) => p.startsWith("helm/"));
        expect(k8s.length).toBeGreaterThan(0);
        const checked = new Set(report.checked.map((c) => c.file));
        expect(k8s.filter((p) => !checked.has(p))).toEqual([]);
        const notValidated = new Set(report.notValidated.map((n) => n.file));
        expect(helm.filter((p) => !checked.has(p) && !notValidated.has(p))).toEqual([]);
        // The Vault chart always has reference data: it is never "not validated".
        for (const p of helm) {
            const doc = fromYaml(tree.get(p)!) as { chart: string };
            if (doc.chart.endsWith("vault")) expect(checked.has(p), p).toBe(true);
        }
    });

    it("contains no secret the mocks injected, in any encoding", () => {
        expect(result.injectedSecrets.length).toBeGreaterThan(0);
        expect(findLeaks(tree, result.injectedSecrets)).toEqual([]);
    });

    it("keeps a dev Vault's root token out of the chart's values: only its Secret holds it, masked", () => {
        const index = fromYaml(tree.get("index.yaml")!) as { resources: { id: string; file?: string; options?: { transforms?: string[] } }[] };
        const chart = index.resources.find((r) => r.id.startsWith("kubernetes:helm.sh/v4:Chart::") && r.file && (fromYaml(tree.get(r.file)!) as any).chart === "vault");
        if (!chart) return; // an existing Vault: no chart
        const values = (fromYaml(tree.get(chart.file!)!) as any).values;
        expect(chart.options?.transforms).toEqual(values.server.dev?.enabled ? ["injectorWebhookWithoutCaBundle", "devRootTokenFromSecret"] : ["injectorWebhookWithoutCaBundle"]);
        if (!values.server.dev?.enabled) return;
        expect(values.server.dev.devRootToken).toBe("");
        const secret = index.resources.find((r) => r.id === "kubernetes:core/v1:Secret::vault-dev-root-token")!;
        expect((fromYaml(tree.get(secret.file!)!) as any).stringData).toEqual({ token: "[secret]" });
    });

    it("has no credential that reached the engine in plaintext", () => {
        expect(result.unmarkedSecrets).toEqual([]);
    });

    it("lists every registration in index.yaml with its file", () => {
        const index = fromYaml(tree.get("index.yaml")!) as { stack: string; resources: { id: string; file?: string }[] };
        expect(index.stack).toBe(stack);
        const files = new Set(index.resources.map((r) => r.file).filter(Boolean));
        expect([...tree.keys()].filter((p) => p !== "index.yaml" && p !== "SUMMARY.md" && !files.has(p))).toEqual([]);
    });

    it("starts with SUMMARY.md, listing every stateful object", () => {
        expect([...tree.keys()][0]).toBe("SUMMARY.md");
        const summary = tree.get("SUMMARY.md")!;
        expect(summary).toMatch(new RegExp(`^# Render of stack \`${stack}\`: read this first\n`));
        for (const p of [...tree.keys()].filter((f) => /^k8s\/[^/]+\/sgcluster-/.test(f) || f.startsWith("vault/mounts/"))) {
            const name = p.startsWith("vault/") ? `Mount ${p.slice("vault/mounts/".length, -".yaml".length)}` : `SGCluster ${p.split("/")[1]}/`;
            expect(summary, p).toContain(`- ${name}`);
        }
    });

    it("renders byte-identically a second time", async () => {
        const again = await renderStack(stack);
        expect(treeText(again.files)).toBe(treeText(result.files));
    });
});
