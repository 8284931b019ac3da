/**
 * Kube tier: what the VaultServer component's chart `transforms` (components/vault/vaultChartTransforms.ts)
 * do to vault-helm 0.34.1's objects, applied by server-side apply (what the kubernetes provider does)
 * to a real kube-apiserver. The objects are the chart's templates written out
 * (test/support/vaultHelmObjects.ts); the transforms and the Secret are the ones the component
 * registered under the mock engine.
 *
 * - Dev root token (field review finding 3): the review's fix, a second `VAULT_DEV_ROOT_TOKEN_ID` from
 *   `server.extraSecretEnvironmentVars` after the chart's literal one, relies on the kubelet's
 *   later-wins rule (pkg/kubelet kubelet_pods.go makeEnvironmentVariables overwrites `tmpEnv[name]`),
 *   but server-side apply refuses a duplicate key in `env` before any kubelet sees it. The transform
 *   rewrites the one entry into a `secretKeyRef`: accepted, and neither the StatefulSet nor the Pod the
 *   StatefulSet controller creates holds the token.
 * - Injector webhook `caBundle` (finding 9): with the chart's `caBundle: ""` in the applied
 *   configuration, the next apply after the injector patched its CA conflicts (or, forced, blanks the
 *   CA); without it, the apply goes through and the injector's CA stays.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as pulumiTypes from "@pulumi/pulumi";
import { generatedSecrets, one, settle, setupMocks } from "../support/mocks";
import { vaultHelmDevStatefulSet, vaultHelmInjectorWebhook } from "../support/vaultHelmObjects";
import { Kube, KubeError, kubeEnv, waitUntil, type KubeObject } from "./support/kube";

const env = kubeEnv();
const RUN = Date.now().toString(36);
const NS = `vault-chart-${RUN}`;
const PULUMI = "pulumi-kubernetes-test";
const WEBHOOK = `vault-agent-injector-cfg-${RUN}`;

describe.skipIf(!env)("vault-helm objects through the chart's transforms, on a real kube-apiserver", () => {
    let kube: Kube;
    let transforms: pulumiTypes.ResourceTransform[];
    let tokenSecret: KubeObject;
    let token: string;

    /** The objects as the chart's children reach the provider: every transform of the Chart applied in order. */
    async function transformed(type: string, props: Record<string, any>): Promise<Record<string, any>> {
        let p = props;
        for (const t of transforms) {
            const r = await t({ type, name: props.metadata.name, custom: true, props: p, opts: {} });
            if (r) p = r.props;
        }
        return p;
    }

    function devStatefulSet(value: string): KubeObject {
        const sts = vaultHelmDevStatefulSet(value);
        sts.metadata.namespace = NS;
        return sts as KubeObject;
    }

    beforeAll(async () => {
        kube = new Kube(env!);
        await setupMocks({ stack: "vaultchart" });
        const { VaultServer } = await import("../../components/vault/vaultServer");
        new VaultServer("vault", { namespace: NS, mode: "dev", openshift: false, externalAddress: "http://127.0.0.1:8200" });
        await settle();
        const chart = one("kubernetes:helm.sh/v4:Chart", "vault-chart");
        transforms = chart.transforms;
        const secret = one("kubernetes:core/v1:Secret", "vault-dev-root-token");
        tokenSecret = { ...secret.inputs, apiVersion: "v1", kind: "Secret" } as KubeObject;
        token = secret.inputs.stringData.token;
        expect(generatedSecrets).toContain(token);
        await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
        // The chart's server ServiceAccount (templates/server-serviceaccount.yaml), which the Pod names.
        await kube.create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "vault", namespace: NS } });
    }, 300_000);

    afterAll(async () => {
        if (kube) {
            await kube.delete({ apiVersion: "v1", kind: "Namespace", name: NS });
            await kube.delete({ apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", name: WEBHOOK });
            kube.close();
        }
    });

    it("server-side apply refuses the review's duplicate VAULT_DEV_ROOT_TOKEN_ID entry (chart literal + extraSecretEnvironmentVars)", async () => {
        const sts = devStatefulSet("placeholder");
        const container = (sts as any).spec.template.spec.containers[0];
        container.env.push({ name: "VAULT_DEV_ROOT_TOKEN_ID", valueFrom: { secretKeyRef: { name: "vault-dev-root-token", key: "token" } } });
        const refused = await kube.apply(sts, { fieldManager: PULUMI, force: false }).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(refused).toBeInstanceOf(KubeError);
        expect((refused as KubeError).serverMessage).toContain('.spec.template.spec.containers[name="vault"].env: duplicate entries for key [name="VAULT_DEV_ROOT_TOKEN_ID"]');
        expect(await kube.get({ apiVersion: "apps/v1", kind: "StatefulSet", namespace: NS, name: "vault" })).toBeUndefined();
    });

    it("applies the transformed dev StatefulSet: one VAULT_DEV_ROOT_TOKEN_ID, from the component's Secret; no token in the StatefulSet or its Pod", async () => {
        await kube.apply(tokenSecret, { fieldManager: PULUMI, force: false });
        const sts = (await transformed("kubernetes:apps/v1:StatefulSet", devStatefulSet(""))) as KubeObject;
        const stored = await kube.apply(sts, { fieldManager: PULUMI, force: false });
        const env = (stored as any).spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: unknown }[];
        expect(env.filter((e) => e.name === "VAULT_DEV_ROOT_TOKEN_ID")).toEqual([
            { name: "VAULT_DEV_ROOT_TOKEN_ID", valueFrom: { secretKeyRef: { name: tokenSecret.metadata.name, key: "token" } } },
        ]);
        expect(JSON.stringify(stored)).not.toContain(token);
        // The StatefulSet controller creates vault-0 from the template (no kubelet runs it here).
        const pod = await waitUntil(() => kube.get({ apiVersion: "v1", kind: "Pod", namespace: NS, name: "vault-0" }), { what: "pod vault-0", timeoutMs: 60_000 });
        expect(((pod as any).spec.containers[0].env as { name: string }[]).filter((e) => e.name === "VAULT_DEV_ROOT_TOKEN_ID")).toEqual([
            { name: "VAULT_DEV_ROOT_TOKEN_ID", valueFrom: { secretKeyRef: { name: tokenSecret.metadata.name, key: "token" } } },
        ]);
        expect(JSON.stringify(pod)).not.toContain(token);
        // What the kubelet would resolve: the Secret's value is the token Pulumi holds (as a secret).
        const secret = (await kube.get({ apiVersion: "v1", kind: "Secret", namespace: NS, name: tokenSecret.metadata.name })) as any;
        expect(Buffer.from(secret.data.token, "base64").toString() === token).toBe(true);
    });

    describe("the injector webhook's caBundle", () => {
        /** The chart's webhook under a unique name, matching no namespace (it must not intercept other tests' pods). */
        function chartWebhook(chartLabel: string): KubeObject {
            const hook = vaultHelmInjectorWebhook() as any;
            hook.metadata.name = WEBHOOK;
            hook.metadata.labels["helm.sh/chart"] = chartLabel;
            hook.webhooks[0].namespaceSelector = { matchLabels: { "vaultkit.test/never": RUN } };
            return hook as KubeObject;
        }
        const ref = { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", name: WEBHOOK };
        const CA = Buffer.from("-----BEGIN CERTIFICATE-----\ninjector CA\n-----END CERTIFICATE-----\n").toString("base64");

        /** What vault-k8s's updateCABundle sends (subcommand/injector/command.go: a JSON patch `add`). */
        async function injectorPatchesCa(): Promise<void> {
            await kube.request("PATCH", await kube.path(ref.apiVersion, ref.kind, undefined, WEBHOOK), {
                body: [{ op: "add", path: "/webhooks/0/clientConfig/caBundle", value: CA }],
                contentType: "application/json-patch+json",
                query: { fieldManager: "vault-k8s" },
            });
        }
        const caBundle = async () => ((await kube.get(ref)) as any).webhooks[0].clientConfig.caBundle as string | undefined;

        it("as the chart renders it, the next apply after the injector's patch conflicts, and forced, blanks the CA", async () => {
            await kube.apply(chartWebhook("vault-0.34.1"), { fieldManager: PULUMI, force: false });
            await injectorPatchesCa();
            expect(await caBundle()).toBe(CA);
            const conflict = await kube.apply(chartWebhook("vault-0.34.2"), { fieldManager: PULUMI, force: false }).then(
                () => undefined,
                (e: unknown) => e,
            );
            expect(conflict).toBeInstanceOf(KubeError);
            expect((conflict as KubeError).status).toBe(409);
            expect((conflict as KubeError).serverMessage).toMatch(/conflict with "vault-k8s".*\.webhooks\[name="vault\.hashicorp\.com"\]\.clientConfig\.caBundle/s);
            // pulumi.com/patchForce (or enablePatchForce) takes the field back: injection would break until the injector re-patches.
            await kube.apply(chartWebhook("vault-0.34.2"), { fieldManager: PULUMI, force: true });
            expect(await caBundle()).toBeUndefined();
        });

        it("transformed, the apply leaves caBundle to the injector: no conflict, the injector's CA stays", async () => {
            await kube.delete(ref);
            await kube.apply((await transformed("kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration", chartWebhook("vault-0.34.1"))) as KubeObject, { fieldManager: PULUMI, force: false });
            await injectorPatchesCa();
            await kube.apply((await transformed("kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration", chartWebhook("vault-0.34.2"))) as KubeObject, { fieldManager: PULUMI, force: false });
            expect(await caBundle()).toBe(CA);
            expect(((await kube.get(ref)) as any).metadata.labels["helm.sh/chart"]).toBe("vault-0.34.2");
        });
    });
});
