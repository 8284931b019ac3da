/**
 * scripts/lib/summary.ts: what a reviewer reads first, from small rendered trees written here the
 * way the renderer writes them (index.yaml plus one file per object). The prod rename on real
 * renders is in test/render/cli.test.ts; the PR comment's layout (.github/scripts/render-diff-markdown.sh)
 * is checked at the end.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BOOKKEEPING_MARKER, DETAILS_MARKER, diffRenders, formatDiffSummary, renderedObjects, renderSummary } from "../../../../scripts/lib/summary";
import { toYaml } from "../../../../scripts/lib/yaml";
import { expectInOrder } from "../../../support/order";

interface Obj {
    id: string;
    category: string;
    file: string;
    doc?: Record<string, unknown>;
    hcl?: string;
    options?: Record<string, unknown>;
}

/** A rendered tree: index.yaml listing the objects, one file each. */
function tree(stack: string, objects: Obj[], review: Record<string, unknown> = {}): Map<string, string> {
    const files = new Map<string, string>();
    for (const o of objects) files.set(o.file, `# ${o.id}\n${o.hcl ?? toYaml(o.doc ?? {})}`);
    const resources = objects.map((o) => ({ category: o.category, file: o.file, id: o.id, ...(o.options ? { options: o.options } : {}) }));
    files.set("index.yaml", `# index\n${toYaml({ stack, review, resources }, { keepTopOrder: true })}`);
    return files;
}

const k8s = (type: string, name: string, apiVersion: string, kind: string, namespace: string | undefined, spec: Record<string, unknown> = {}, file = `k8s/${namespace ?? "_cluster"}/${kind.toLowerCase()}-${name}.yaml`): Obj => ({
    id: `kubernetes:${type}::${name}-res`,
    category: "kubernetes",
    file,
    doc: { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec },
});
const sgcluster = (name: string, instances = 1, options?: Record<string, unknown>): Obj => ({
    ...k8s("stackgres.io/v1:SGCluster", "db", "stackgres.io/v1", "SGCluster", "rhbk", { instances }, "k8s/rhbk/sgcluster.yaml"),
    doc: { apiVersion: "stackgres.io/v1", kind: "SGCluster", metadata: { name, namespace: "rhbk" }, spec: { instances } },
    ...(options ? { options } : {}),
});
const mount = (resName: string, p: string): Obj => ({ id: `vault:index/mount:Mount::${resName}`, category: "vault", file: `vault/mounts/${p}.yaml`, doc: { path: p, type: "kv" } });
const policy = (name: string, hcl: string): Obj => ({ id: `vault:index/policy:Policy::${name}-res`, category: "vault", file: `vault/policies/${name}.hcl`, hcl });
const role = (name: string, sa: string): Obj => ({
    id: `vault:kubernetes/authBackendRole:AuthBackendRole::${name}-role`,
    category: "vault",
    file: `vault/auth/kubernetes/roles/${name}.yaml`,
    doc: { backend: "kubernetes", roleName: name, boundServiceAccountNames: [sa] },
});
const password = (name: string, length = 32): Obj => ({ id: `random:index/randomPassword:RandomPassword::${name}`, category: "other", file: `other/random/RandomPassword-${name}.yaml`, doc: { length } });

describe("renderedObjects", () => {
    it("names each object by kind, namespace and name, and says which ones hold data", () => {
        const objects = renderedObjects(
            tree("t", [
                sgcluster("keycloak-postgresql", 1, { protect: true }),
                k8s("core/v1:Namespace", "rhbk", "v1", "Namespace", undefined),
                k8s("apps/v1:StatefulSet", "cache", "apps/v1", "StatefulSet", "rhbk", { volumeClaimTemplates: [{ metadata: { name: "data" } }] }),
                k8s("apps/v1:Deployment", "app", "apps/v1", "Deployment", "rhbk"),
                { id: "kubernetes:helm.sh/v4:Chart::vault-chart", category: "helm", file: "helm/vault-chart.yaml", doc: { chart: "vault", version: "0.34.1", releaseName: "vault", namespace: "vault", values: { server: { dataStorage: { enabled: true }, auditStorage: { enabled: false } } } } },
                mount("admin-kv", "kv-v2"),
                { id: "vault:index/authBackend:AuthBackend::k8s-auth", category: "vault", file: "vault/auth/kubernetes/backend.yaml", doc: { path: "kubernetes", type: "kubernetes" } },
                role("app", "app"),
                policy("app-creds", 'path "database/static-creds/app" {}\n'),
                password("superuser", 32),
            ]),
        );
        const byId = new Map(objects.map((o) => [o.id, o]));
        expect(byId.get("kubernetes:stackgres.io/v1:SGCluster::db-res")).toMatchObject({ kind: "SGCluster", namespace: "rhbk", name: "keycloak-postgresql", protect: true, stateful: expect.stringContaining("PostgreSQL") });
        expect(byId.get("kubernetes:core/v1:Namespace::rhbk-res")).toMatchObject({ kind: "Namespace", namespace: "-", stateful: expect.stringContaining("everything in it") });
        expect(byId.get("kubernetes:apps/v1:StatefulSet::cache-res")!.stateful).toBe("persistent storage (volumeClaimTemplates)");
        expect(byId.get("kubernetes:apps/v1:Deployment::app-res")!.stateful).toBeUndefined();
        expect(byId.get("kubernetes:helm.sh/v4:Chart::vault-chart")).toMatchObject({ kind: "helm chart", namespace: "vault", name: "vault (vault 0.34.1)", stateful: "a Helm release with persistent storage (values server.dataStorage)" });
        expect(byId.get("vault:index/mount:Mount::admin-kv")).toMatchObject({ kind: "Mount", name: "kv-v2", vault: "secrets engines", stateful: expect.stringContaining("under kv-v2/") });
        expect(byId.get("vault:index/authBackend:AuthBackend::k8s-auth")).toMatchObject({ vault: "auth methods", stateful: expect.stringContaining("auth/kubernetes/") });
        expect(byId.get("vault:kubernetes/authBackendRole:AuthBackendRole::app-role")).toMatchObject({ name: "kubernetes/app", vault: "auth roles" });
        expect(byId.get("vault:kubernetes/authBackendRole:AuthBackendRole::app-role")!.stateful).toBeUndefined();
        expect(byId.get("vault:index/policy:Policy::app-creds-res")).toMatchObject({ name: "app-creds", vault: "policies" });
        expect(byId.get("random:index/randomPassword:RandomPassword::superuser")!.stateful).toMatch(/generated credential/);
    });
});

describe("renderSummary (SUMMARY.md)", () => {
    it("starts with the stateful objects, then kinds by namespace, Vault, images and privileges", () => {
        const md = renderSummary(
            tree("prod", [sgcluster("keycloak-postgresql", 3, { retainOnDelete: true }), k8s("apps/v1:Deployment", "app", "apps/v1", "Deployment", "rhbk"), mount("admin-kv", "kv-v2"), role("app", "app")], {
                images: { "docker.io/library/postgres:16.1": ["k8s/rhbk/deployment-app.yaml"] },
                elevatedPrivileges: [{ file: "helm/vault-chart.yaml", path: "values.csi.daemonSet.securityContext.container.privileged", setting: "privileged: true" }],
            }),
        );
        const headings = md.split("\n").filter((l) => l.startsWith("#"));
        expect(headings).toEqual([
            "# Render of stack `prod`: read this first",
            "## Stateful objects (deleting or replacing one loses data)",
            "## Objects by kind and namespace",
            "## Vault",
            "## Images",
            "## Elevated privileges",
        ]);
        expect(md).toContain("- SGCluster rhbk/keycloak-postgresql: a PostgreSQL cluster: its data and volumes go with it (retainOnDelete: left in place, only forgotten by Pulumi)");
        expect(md).toContain("- Mount kv-v2: a secrets engine: everything stored under kv-v2/ goes with it");
        expect(md).toContain("| Deployment | rhbk | 1 | app |");
        expect(md).toContain("- auth roles: `kubernetes/app`");
        expect(md).toContain("- `docker.io/library/postgres:16.1`");
        expect(md).toContain("- helm/vault-chart.yaml: `values.csi.daemonSet.securityContext.container.privileged` (privileged: true)");
    });
});

describe("diffRenders and formatDiffSummary", () => {
    /** The same small prod stack around a given SGCluster. */
    const prodWith = (cluster: Obj) => tree("prod", [cluster, k8s("apps/v1:Deployment", "app", "apps/v1", "Deployment", "rhbk"), mount("admin-kv", "kv-v2"), policy("app-creds", "a\n"), role("app", "app"), password("superuser")]);
    const base = prodWith(sgcluster("keycloak-postgresql"));

    it("flags a stateful object deleted by a rename first, above everything else", () => {
        const head = tree("prod", [
            // clusterName renamed: a new SGCluster resource, the old one deleted
            { ...sgcluster("keycloak-pg"), id: "kubernetes:stackgres.io/v1:SGCluster::db2-res", file: "k8s/rhbk/sgcluster-2.yaml" },
            k8s("apps/v1:Deployment", "app", "apps/v1", "Deployment", "rhbk", { replicas: 2 }),
            // the same mount path under a new Pulumi name: deleted and created again
            mount("admin-kv-2", "kv-v2"),
            policy("app-creds", "b\n"),
            role("app", "other-sa"),
            password("superuser2"),
        ]);
        const diffs = diffRenders(new Map([["prod", base], ["dev", base]]), new Map([["prod", head], ["dev", base]]));
        expect(diffs.map((d) => d.stack)).toEqual(["dev", "prod"]);
        const prod = diffs[1]!;
        expect(prod.added.map((o) => o.id)).toEqual(["kubernetes:stackgres.io/v1:SGCluster::db2-res", "random:index/randomPassword:RandomPassword::superuser2"]);
        expect(prod.removed.map((o) => o.id)).toEqual(["kubernetes:stackgres.io/v1:SGCluster::db-res", "random:index/randomPassword:RandomPassword::superuser"]);
        expect(prod.replaced.map((r) => [r.before.id, r.after.id, r.renamed])).toEqual([["vault:index/mount:Mount::admin-kv", "vault:index/mount:Mount::admin-kv-2", true]]);
        expect(prod.changed.map((c) => c.after.id).sort()).toEqual([
            "kubernetes:apps/v1:Deployment::app-res",
            "vault:index/policy:Policy::app-creds-res",
            "vault:kubernetes/authBackendRole:AuthBackendRole::app-role",
        ]);

        const md = formatDiffSummary(diffs, "Render changes against main");
        const lines = md.split("\n");
        expect(lines[0]).toBe("## Render changes against main");
        expect(lines[2]).toBe("### ⚠ 3 stateful object(s) deleted or replaced: data is lost unless it is moved first");
        expect(lines[6]).toBe("| prod | delete | SGCluster rhbk/keycloak-postgresql | a PostgreSQL cluster: its data and volumes go with it |");
        expect(md).toContain("| prod | delete and create again | Mount kv-v2 (new Pulumi name: admin-kv-2, same object) | a secrets engine: everything stored under kv-v2/ goes with it |");
        expect(md).toContain("| prod | delete | RandomPassword superuser | a generated credential");
        expect(md).toContain("### prod: 2 to create, 3 to update, 1 to replace, 2 to delete");
        expect(md).toContain("| + | SGCluster | rhbk | keycloak-pg |");
        expect(md).toContain("| - | SGCluster | rhbk | keycloak-postgresql |");
        expect(md).toContain("| ~ | Deployment | rhbk | app |");
        expect(md).toContain("- secrets engines: ± `kv-v2` (deleted and created again)");
        expect(md).toContain("- auth roles: ~ `kubernetes/app`");
        expect(md).toContain("- policies: ~ `app-creds`");
        // an unchanged stack gets no section
        expect(md).not.toContain("### dev");
        // the danger table comes before any stack section
        expectInOrder(md, ["⚠", "### prod"], "summary");
    });

    it("says when nothing stateful is deleted, and reports a Kubernetes rename in place as a replacement", () => {
        const renamedInPlace = prodWith(sgcluster("keycloak-pg"));
        const [d] = diffRenders(new Map([["prod", base]]), new Map([["prod", renamedInPlace]]));
        expect(d!.replaced.map((r) => [r.before.name, r.after.name, r.renamed])).toEqual([["keycloak-postgresql", "keycloak-pg", undefined]]);
        expect(formatDiffSummary([d!])).toContain("| prod | replace | SGCluster rhbk/keycloak-postgresql -> SGCluster rhbk/keycloak-pg |");

        const grown = prodWith(sgcluster("keycloak-postgresql", 3));
        const md = formatDiffSummary(diffRenders(new Map([["prod", base]]), new Map([["prod", grown]])));
        expect(md).toContain("No stateful object is deleted or replaced.");
        expect(md).toContain("### prod: 0 to create, 1 to update, 0 to replace, 0 to delete");
    });

    it("lists images and elevated privileges that come and go", () => {
        const review = (image: string, privileged: boolean) => ({ images: { [image]: ["k8s/x.yaml"] }, elevatedPrivileges: privileged ? [{ file: "helm/v.yaml", path: "values.x", setting: "privileged: true" }] : [] });
        const [d] = diffRenders(new Map([["s", tree("s", [], review("img:1", false))]]), new Map([["s", tree("s", [], review("img:2", true))]]));
        const md = formatDiffSummary([d!]);
        expect(md).toContain("- image added: `img:2`");
        expect(md).toContain("- image no longer used: `img:1`");
        expect(md).toContain("- elevated privilege added: helm/v.yaml: values.x (privileged: true)");
    });
});

describe(".github/scripts/render-diff-markdown.sh", () => {
    it("puts the summary first, unwrapped, then the file diff and index.yaml collapsed, in that order", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vaultkit-md-"));
        try {
            const report = ["## Render changes against main", "", "### ⚠ 1 stateful object(s) deleted or replaced", DETAILS_MARKER, "--- base/prod/k8s/a.yaml", "+++ head/prod/k8s/a.yaml", "-a: ```", BOOKKEEPING_MARKER, "--- base/prod/index.yaml", "+++ head/prod/index.yaml", ""].join("\n");
            fs.writeFileSync(path.join(dir, "diff.txt"), report);
            const r = spawnSync("bash", [path.resolve(__dirname, "../../../../.github/scripts/render-diff-markdown.sh"), path.join(dir, "diff.txt")], { encoding: "utf8" });
            expect(r.status, r.stderr).toBe(0);
            const out = r.stdout;
            expect(out.indexOf("### ⚠ 1 stateful object(s)")).toBeGreaterThan(0);
            expectInOrder(out, ["### ⚠ 1 stateful object(s)", "<details><summary>File differences", "--- base/prod/k8s/a.yaml", "<details><summary>index.yaml bookkeeping", "--- base/prod/index.yaml"], "markdown");
            expect(out).not.toContain("render-diff:details");
            expect(out).toContain("-a: `\u200b``"); // a fence inside the diff is broken up
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
