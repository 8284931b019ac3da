/**
 * Kube tier: the test client (support/kube.ts) and the server scripts/test-kube.sh starts, against
 * the real kube-apiserver. What other kube-tier files rely on: the server's own refusal messages
 * reach the test, dry runs store nothing, TokenRequest tokens carry the requested audience and are
 * accepted only for it, a ServiceAccount token gets only what RBAC grants, CRDs install and take
 * status patches, and the controller-manager runs (Deployment -> ReplicaSet -> Pod, namespace
 * deletion, garbage collection). There is no kubelet: pods are created, never run.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kube, KubeError, kubeEnv, waitUntil, type KubeObject } from "./support/kube";

const env = kubeEnv();
const NS = `kube-client-${Date.now().toString(36)}`;
const AUDIENCE = "https://kubernetes.default.svc";

/** A minimal namespaced CRD with a status subresource and an enum, written to a temp dir. */
const WIDGET_CRD = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.kube-client.vaultkit.test" },
    spec: {
        group: "kube-client.vaultkit.test",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [
            {
                name: "v1",
                served: true,
                storage: true,
                subresources: { status: {} },
                schema: {
                    openAPIV3Schema: {
                        type: "object",
                        properties: {
                            spec: { type: "object", properties: { size: { type: "string", enum: ["small", "large"] } } },
                            status: { type: "object", properties: { ready: { type: "boolean" } } },
                        },
                    },
                },
            },
        ],
    },
};

function configMap(name: string, data: Record<string, string>): KubeObject {
    return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data };
}

describe.skipIf(!env)("Kube client against the real kube-apiserver", () => {
    let kube: Kube;
    let crdDir: string;

    beforeAll(async () => {
        kube = new Kube(env!);
        await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
        crdDir = mkdtempSync(join(tmpdir(), "vaultkit-kube-client-"));
        writeFileSync(join(crdDir, "widget.yaml"), JSON.stringify(WIDGET_CRD));
    });

    afterAll(async () => {
        if (kube) {
            await kube.delete({ apiVersion: "v1", kind: "Namespace", name: NS });
            await kube.delete({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: WIDGET_CRD.metadata.name });
            kube.close();
        }
        if (crdDir) rmSync(crdDir, { recursive: true, force: true });
    });

    it("reports the server's own refusal: status, reason and message", async () => {
        const err = await kube.create(configMap("Not_A_Valid_Name", { a: "b" })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(KubeError);
        const k = err as KubeError;
        expect(k.status).toBe(422);
        expect(k.reason).toBe("Invalid");
        expect(k.serverMessage).toMatch(/metadata\.name: Invalid value: "Not_A_Valid_Name"/);
        expect(k.message).toContain(`POST /api/v1/namespaces/${NS}/configmaps`);
    });

    it("server-side apply: dryRun stores nothing, apply stores, an unchanged re-apply is a no-op", async () => {
        const cm = configMap("applied", { key: "one" });
        const dry = await kube.apply(cm, { dryRun: true });
        expect(dry.metadata.name).toBe("applied");
        expect(await kube.get({ apiVersion: "v1", kind: "ConfigMap", namespace: NS, name: "applied" })).toBeUndefined();

        const first = await kube.apply(cm);
        const again = await kube.apply(cm);
        expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
        const changed = await kube.apply(configMap("applied", { key: "two" }));
        expect(changed.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
        expect((await kube.list("v1", "ConfigMap", NS)).map((o) => o.metadata.name)).toContain("applied");
    });

    it("a TokenRequest token authenticates only for its audience", async () => {
        await kube.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "app", namespace: NS } });
        const { token, expirationTimestamp } = await kube.createToken(NS, "app", { audiences: [AUDIENCE], expirationSeconds: 600 });
        expect(Date.parse(expirationTimestamp) - Date.now()).toBeGreaterThan(500_000);

        const ok = await kube.reviewToken(token, [AUDIENCE]);
        expect(ok.authenticated).toBe(true);
        expect(ok.user?.username).toBe(`system:serviceaccount:${NS}:app`);
        const wrong = await kube.reviewToken(token, ["https://not-this.example.com"]);
        expect(wrong.authenticated).not.toBe(true);

        // The server refuses token lifetimes under 10 minutes (an expired token must be minted another way).
        await expect(kube.createToken(NS, "app", { expirationSeconds: 60 })).rejects.toThrow(/may not specify a duration less than 10 minutes/);
    });

    it("a ServiceAccount token gets only what RBAC grants it", async () => {
        const { token } = await kube.createToken(NS, "app", { audiences: [AUDIENCE] });
        const asApp = kube.as(token);
        const denied = await asApp.list("v1", "Secret", NS).catch((e: unknown) => e);
        expect((denied as KubeError).status).toBe(403);
        expect((denied as KubeError).serverMessage).toContain(`"system:serviceaccount:${NS}:app" cannot list resource "secrets"`);

        await kube.apply({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "cm-reader", namespace: NS }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["list"] }] });
        await kube.apply({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "cm-reader", namespace: NS },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "cm-reader" },
            subjects: [{ kind: "ServiceAccount", name: "app", namespace: NS }],
        });
        const names = await waitUntil(() => asApp.list("v1", "ConfigMap", NS).then((l) => l.map((o) => o.metadata.name)), { what: "the RoleBinding to take effect" });
        expect(names).toContain("kube-root-ca.crt");
        await expect(asApp.list("v1", "Secret", NS)).rejects.toThrow(/403 Forbidden/);
    });

    it("installs a CRD, enforces its schema, and patches its status subresource", async () => {
        expect(await kube.installCrds(crdDir)).toEqual([WIDGET_CRD.metadata.name]);
        const widget: KubeObject = { apiVersion: "kube-client.vaultkit.test/v1", kind: "Widget", metadata: { name: "w", namespace: NS }, spec: { size: "small" } };
        await kube.apply(widget);
        await expect(kube.apply({ ...widget, spec: { size: "huge" } }, { dryRun: true })).rejects.toThrow(/spec\.size: Unsupported value: "huge": supported values: "small", "large"/);

        // status through the main resource is ignored; through /status it sticks
        await kube.apply({ ...widget, status: { ready: true } });
        expect((await kube.get({ apiVersion: widget.apiVersion, kind: "Widget", namespace: NS, name: "w" }))?.status).toBeUndefined();
        await kube.patchStatus({ apiVersion: widget.apiVersion, kind: "Widget", namespace: NS, name: "w" }, { ready: true });
        expect((await kube.get({ apiVersion: widget.apiVersion, kind: "Widget", namespace: NS, name: "w" }))?.status).toEqual({ ready: true });
    });

    it("the controller-manager turns a Deployment into a ReplicaSet and a Pod that never runs, and collects them on delete", async () => {
        await kube.apply({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "web", namespace: NS },
            spec: {
                replicas: 1,
                selector: { matchLabels: { app: "web" } },
                template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "registry.example/web:1" }] } },
            },
        });
        const pods = await waitUntil(async () => {
            const l = await kube.list("v1", "Pod", NS, { labelSelector: "app=web" });
            return l.length > 0 ? l : undefined;
        }, { what: "the Deployment's pod", timeoutMs: 60_000 });
        const pod = pods[0] as KubeObject & { metadata: { ownerReferences?: { kind: string }[] }; spec: { nodeName?: string }; status?: { phase?: string } };
        expect(pod.metadata.ownerReferences?.[0]?.kind).toBe("ReplicaSet");
        expect(pod.spec.nodeName).toBeUndefined(); // no scheduler, no kubelet
        expect(pod.status?.phase).toBe("Pending");

        await kube.delete({ apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "web" }, { propagationPolicy: "Background" });
        await waitUntil(async () => (await kube.list("apps/v1", "ReplicaSet", NS)).length === 0, { what: "garbage collection of the ReplicaSet", timeoutMs: 60_000 });
    });

    it("a deleted namespace finishes deleting (namespace controller)", async () => {
        const ns = `${NS}-gone`;
        await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
        await kube.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: ns }, data: {} });
        expect(await kube.delete({ apiVersion: "v1", kind: "Namespace", name: ns })).toBe(true);
        await waitUntil(async () => (await kube.get({ apiVersion: "v1", kind: "Namespace", name: ns })) === undefined, { what: `namespace ${ns} to disappear`, timeoutMs: 60_000 });
    });
});
