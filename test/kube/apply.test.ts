/**
 * Kube tier: every Kubernetes object the stacks render (dev, kind, prod; each Pulumi.<stack>.yaml,
 * rendered in-process by the project's own render library) is server-side applied to a real
 * kube-apiserver v1.35 (scripts/test-kube.sh), first with dryRun=All, then for real. Zero refusals.
 *
 * - The pinned upstream CRDs (../shared/crds, the folders scripts/lib/validate picks from
 *   components/versions.ts: StackGres, VSO, Secrets Store CSI, OLM, OpenShift API) are installed first,
 *   so custom resources meet their real schemas, defaults and CEL rules. A missing ../shared fails here.
 * - Namespaces where a rendered workload (Deployment, Job, ...) runs are created first, the way a
 *   platform team would, labelled `pod-security.kubernetes.io/enforce: restricted` (and warn), so the
 *   real Pod Security admission judges every pod template. The controller-manager then creates each
 *   Deployment's and Job's pods, so real Pods pass admission too (they never run: no kubelet).
 *   Namespaces the render only refers to (openshift-operators, ...) are created as the platform would.
 * - The vault namespace is labelled `enforce: privileged`, on purpose: no rendered workload runs there,
 *   but the Vault chart's CSI provider DaemonSet mounts hostPath volumes (and runs privileged on OpenShift:
 *   components/vault/vaultHelmValues.ts), which restricted and baseline both forbid.
 * - NOT applied: Helm charts. The render emits a chart only as its values (helm/<release>.yaml), not the
 *   chart's objects, so what vault-helm, VSO, StackGres and the CSI driver charts create is not checked
 *   here. Nor are the objects operators create at run time (e.g. StackGres' Patroni pods in rhbk).
 * - Secret values are the render's "[secret]" placeholders (strings, so stringData accepts them).
 * - All stacks go to the same server with one field manager, in order: a name two stacks share ends up
 *   exactly as the later stack declares it, as if that stack were deployed over the earlier one.
 *
 * Then one test per class of mistake, each proving the server refuses it with its own message, and
 * what the offline validator (scripts/lib/validate) says about the same object: a CRD enum and a CRD
 * required field (both caught offline too), a CEL rule (the offline validator has no CEL engine: the
 * server is the only check), and a restricted Pod Security violation (a Deployment is admitted with a
 * warning; the Pod itself is refused).
 */
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SECRET_PLACEHOLDER, UNKNOWN_PLACEHOLDER } from "../../scripts/lib/wire";
import { pinnedCrdFamilies } from "../../scripts/lib/validate/crds";
import { fromYaml } from "../../scripts/lib/yaml";
import { discoverStacks, REPO_ROOT, renderStack, SHARED_DIR } from "../support/render";
import { findingsOf } from "../support/schemas";
import { Kube, KubeError, kubeEnv, waitUntil, type KubeObject } from "./support/kube";

const env = kubeEnv();
const stacks = discoverStacks(REPO_ROOT);

/** One manager for every stack's objects (what `pulumi up` would own). */
const FIELD_MANAGER = "vaultkit";
/** The labels a platform team puts on namespaces where workloads run. */
const RESTRICTED = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/warn-version": "latest",
};
const VAULT_NAMESPACE = "vault";
const WORKLOAD_KINDS = new Set(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]);
/** Parallel requests per batch (the server is local; this keeps the file at a few seconds). */
const BATCH = 12;

interface Rendered {
    file: string;
    obj: KubeObject;
}

/** The render's Kubernetes objects (k8s/**), made applyable: no placeholder where the API wants base64. */
function renderedObjects(files: Map<string, string>): Rendered[] {
    const out: Rendered[] = [];
    for (const [file, text] of files) {
        if (!file.startsWith("k8s/")) continue;
        const obj = fromYaml(text) as KubeObject;
        if (obj.kind === "Secret" && obj.data && typeof obj.data === "object") {
            const data = obj.data as Record<string, string>;
            for (const k of Object.keys(data)) {
                if (data[k] === SECRET_PLACEHOLDER || data[k] === UNKNOWN_PLACEHOLDER) data[k] = Buffer.from(data[k]!).toString("base64");
            }
        }
        out.push({ file, obj });
    }
    return out;
}

function refOf(o: KubeObject) {
    return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace };
}

/** Applies every object in parallel batches; returns one line per refusal ("file: message") and every warning. */
async function applyAll(kube: Kube, items: Rendered[], dryRun: boolean): Promise<{ refusals: string[]; warnings: string[] }> {
    const refusals: string[] = [];
    const warnings: string[] = [];
    for (let i = 0; i < items.length; i += BATCH) {
        await Promise.all(
            items.slice(i, i + BATCH).map(async ({ file, obj }) => {
                const w: string[] = [];
                try {
                    await kube.apply(obj, { fieldManager: FIELD_MANAGER, dryRun, warnings: w });
                } catch (e) {
                    refusals.push(`${file}: ${e instanceof KubeError ? e.serverMessage : String(e)}`);
                }
                warnings.push(...w.map((x) => `${file}: ${x}`));
            }),
        );
    }
    return { refusals: refusals.sort(), warnings: warnings.sort() };
}

interface StackObjects {
    namespaces: Rendered[];
    rest: Rendered[];
    /** Namespaces where a rendered workload runs. */
    workloadNamespaces: Set<string>;
}

describe.skipIf(!env)("server-side apply of every rendered stack to a real kube-apiserver", () => {
    let kube: Kube;
    const rendered = new Map<string, StackObjects>();

    beforeAll(async () => {
        kube = new Kube(env!);
        if (!existsSync(join(SHARED_DIR, "crds"))) {
            throw new Error(`the pinned upstream CRDs are not at ${join(SHARED_DIR, "crds")}; set VAULTKIT_SHARED_DIR to the shared folder`);
        }
        // Settled into a value so a refusal is reported after the renders, not as an unhandled rejection.
        const crdInstall = Promise.all(pinnedCrdFamilies().map((f) => kube.installCrds(join(SHARED_DIR, "crds", f.dir), { timeoutMs: 60_000 }))).then(
            () => undefined,
            (e: unknown) => e,
        );
        // Renders run one after another (each drives the mock engine) while the CRDs install.
        for (const stack of stacks) {
            const objects = renderedObjects((await renderStack(stack)).files);
            const workloadNamespaces = new Set(objects.filter((r) => WORKLOAD_KINDS.has(r.obj.kind)).map((r) => r.obj.metadata.namespace!));
            rendered.set(stack, {
                namespaces: objects.filter((r) => r.obj.kind === "Namespace"),
                rest: objects.filter((r) => r.obj.kind !== "Namespace"),
                workloadNamespaces,
            });
        }
        const crdError = await crdInstall;
        if (crdError) throw crdError;

        // The platform's namespaces: every namespace an object lives in, created with its Pod Security labels.
        const all = [...rendered.values()];
        const restricted = new Set(all.flatMap((s) => [...s.workloadNamespaces]));
        const referenced = new Set(all.flatMap((s) => [...s.namespaces.map((n) => n.obj.metadata.name), ...s.rest.map((r) => r.obj.metadata.namespace).filter((n): n is string => !!n)]));
        referenced.add(VAULT_NAMESPACE);
        await Promise.all(
            [...referenced].map((name) =>
                kube.apply(
                    {
                        apiVersion: "v1",
                        kind: "Namespace",
                        metadata: {
                            name,
                            labels: restricted.has(name) ? RESTRICTED : name === VAULT_NAMESPACE ? { "pod-security.kubernetes.io/enforce": "privileged" } : {},
                        },
                    },
                    { fieldManager: "platform-team" },
                ),
            ),
        );
    });

    afterAll(() => kube?.close());

    it("renders dev, kind and prod, each with Kubernetes objects and workloads", () => {
        expect(stacks).toEqual(expect.arrayContaining(["dev", "kind", "prod"]));
        for (const stack of stacks) {
            const s = rendered.get(stack)!;
            expect(s.rest.length, stack).toBeGreaterThan(0);
            expect(s.workloadNamespaces.size, stack).toBeGreaterThan(0);
            // No rendered workload runs in the privileged vault namespace (only the chart's pods do).
            expect([...s.workloadNamespaces], stack).not.toContain(VAULT_NAMESPACE);
        }
    });

    describe.each(stacks)("stack %s", (stack) => {
        it("every object passes dryRun=All, then is applied for real, with no refusal and no Pod Security warning", async () => {
            const { namespaces, rest } = rendered.get(stack)!;
            // Namespaces first: a namespaced object's dry run needs its namespace to exist.
            for (const items of [namespaces, rest]) {
                const dry = await applyAll(kube, items, true);
                expect(dry.refusals, `${stack} dryRun=All`).toEqual([]);
                const real = await applyAll(kube, items, false);
                expect(real.refusals, `${stack} apply`).toEqual([]);
                expect([...dry.warnings, ...real.warnings], `${stack} warnings`).toEqual([]);
            }
            // What the server stored is what was applied (spot check: every object is there, in its namespace).
            const missing: string[] = [];
            await Promise.all(rest.map(async ({ file, obj }) => ((await kube.get(refOf(obj))) ? undefined : missing.push(file))));
            expect(missing).toEqual([]);
        });

        it("the controller-manager creates every rendered Deployment's and Job's pods under the restricted policy", async () => {
            const { rest } = rendered.get(stack)!;
            const deployments = rest.filter((r) => r.obj.kind === "Deployment");
            const jobs = rest.filter((r) => r.obj.kind === "Job");
            expect(deployments.length + jobs.length).toBeGreaterThan(0);
            const failures: string[] = [];
            await Promise.all(
                [...deployments, ...jobs].map(async ({ file, obj }) => {
                    try {
                        await waitUntil(
                            async () => {
                                const live = await kube.get<KubeObject & { spec: { replicas?: number }; status?: { observedGeneration?: number; updatedReplicas?: number; active?: number; failed?: number } }>(refOf(obj));
                                if (!live) return false;
                                if (obj.kind === "Job") return (live.status?.active ?? 0) + (live.status?.failed ?? 0) > 0;
                                const want = live.spec.replicas ?? 1;
                                return live.status?.observedGeneration === live.metadata.generation && (live.status?.updatedReplicas ?? 0) === want;
                            },
                            { what: `${file}'s pods`, timeoutMs: 60_000, intervalMs: 500 },
                        );
                    } catch (e) {
                        failures.push(`${file}: ${(e as Error).message}; ${await whyNoPods(kube, obj)}`);
                    }
                }),
            );
            expect(failures).toEqual([]);
        });
    });

    describe("the server refuses each class of mistake", () => {
        /** A rendered object of the kind stack (or the first stack that has one), deep-copied. */
        function sample(kind: string): KubeObject {
            for (const s of ["kind", ...stacks]) {
                const hit = rendered.get(s)?.rest.find((r) => r.obj.kind === kind);
                if (hit) return structuredClone(hit.obj);
            }
            throw new Error(`no stack renders a ${kind}`);
        }

        async function refusal(obj: KubeObject): Promise<KubeError> {
            const err = await kube.apply(obj, { fieldManager: FIELD_MANAGER, dryRun: true }).then(
                () => undefined,
                (e: unknown) => e,
            );
            expect(err, `${obj.kind} ${obj.metadata.name} was accepted`).toBeInstanceOf(KubeError);
            return err as KubeError;
        }

        it("a value outside a CRD enum (VaultAuth spec.method)", async () => {
            const auth = sample("VaultAuth");
            (auth.spec as { method: string }).method = "kubernetess";
            const err = await refusal(auth);
            expect(err.status).toBe(422);
            expect(err.serverMessage).toContain('spec.method: Unsupported value: "kubernetess": supported values: "kubernetes", "jwt", "appRole", "aws", "gcp"');
            expect((await findingsOf(auth)).map((f) => f.path)).toContain("/spec/method");
        });

        it("a missing required field (VaultStaticSecret spec.path)", async () => {
            const vss = sample("VaultStaticSecret");
            delete (vss.spec as { path?: string }).path;
            const err = await refusal(vss);
            expect(err.status).toBe(422);
            expect(err.serverMessage).toContain("spec.path: Required value");
            expect((await findingsOf(vss)).map((f) => `${f.path} ${f.message}`).join("\n")).toMatch(/\/spec.*path/);
        });

        it("a CEL rule (x-kubernetes-validations): ClusterCSIDriver driverConfig and a passthrough Route", async () => {
            // The rendered ClusterCSIDriver (OpenShift stacks) with a driverConfig its CEL rule forbids.
            const driver = sample("ClusterCSIDriver");
            (driver.spec as Record<string, unknown>).driverConfig = { driverType: "IBMCloud" };
            const err = await refusal(driver);
            expect(err.serverMessage).toContain("ibmcloud must be set if driverType is 'IBMCloud', but remain unset otherwise");
            // The offline validator evaluates no CEL: it accepts this object; the server is the only check.
            expect(await findingsOf(driver)).toEqual([]);

            // A Route like the HA Vault's (passthrough) that also allows plain HTTP.
            const route: KubeObject = {
                apiVersion: "route.openshift.io/v1",
                kind: "Route",
                metadata: { name: "vault", namespace: VAULT_NAMESPACE },
                spec: { host: "vault.apps.example.com", to: { kind: "Service", name: "vault" }, tls: { termination: "passthrough", insecureEdgeTerminationPolicy: "Allow" } },
            };
            const routeErr = await refusal(route);
            expect(routeErr.serverMessage).toContain("cannot have both spec.tls.termination: passthrough and spec.tls.insecureEdgeTerminationPolicy: Allow");
            expect(await findingsOf(route)).toEqual([]);
        });

        it("a restricted Pod Security violation: the Deployment is admitted with a warning, its Pod is refused", async () => {
            const deployment = sample("Deployment");
            const ns = deployment.metadata.namespace!;
            const template = (deployment.spec as { template: { metadata?: KubeObject["metadata"]; spec: { containers: { securityContext?: Record<string, unknown> }[] } } }).template;
            template.spec.containers[0]!.securityContext = { ...template.spec.containers[0]!.securityContext, privileged: true, allowPrivilegeEscalation: true };
            deployment.metadata.name = `${deployment.metadata.name}-privileged`;

            const warnings: string[] = [];
            await kube.apply(deployment, { fieldManager: FIELD_MANAGER, dryRun: true, warnings });
            expect(warnings.join("\n")).toMatch(/would violate PodSecurity "restricted:latest": .*privileged/);

            const pod: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: deployment.metadata.name, namespace: ns, labels: template.metadata?.labels }, spec: template.spec };
            const err = await refusal(pod);
            expect(err.status).toBe(403);
            expect(err.serverMessage).toMatch(/violates PodSecurity "restricted:latest": .*privileged/);

            // The same Pod in the privileged vault namespace is admitted: the namespace label decides.
            // (The rendered ServiceAccount exists only in the app namespace: the pod here runs as vault's
            // `default`, which the controller-manager creates; admission refuses a pod whose account is missing.)
            await waitUntil(() => kube.get({ apiVersion: "v1", kind: "ServiceAccount", namespace: VAULT_NAMESPACE, name: "default" }), { what: "ServiceAccount vault/default (controller-manager)" });
            const inVault = { ...pod, metadata: { ...pod.metadata, namespace: VAULT_NAMESPACE }, spec: { ...(pod.spec as object), serviceAccountName: undefined, automountServiceAccountToken: false } };
            await expect(kube.apply(inVault, { fieldManager: FIELD_MANAGER, dryRun: true })).resolves.toBeDefined();
            // The offline validator checks schemas, not Pod Security.
            expect(await findingsOf(pod)).toEqual([]);
        });
    });
});

/** Why a workload has no pods yet: its ReplicaSets' or the Job's failure conditions, for the report. */
async function whyNoPods(kube: Kube, obj: KubeObject): Promise<string> {
    const ns = obj.metadata.namespace!;
    type WithConditions = KubeObject & { status?: { conditions?: { type: string; message?: string }[] } };
    const owned = obj.kind === "Deployment" ? await kube.list<WithConditions>("apps/v1", "ReplicaSet", ns) : [(await kube.get<WithConditions>(refOf(obj)))!];
    const msgs = owned.flatMap((o) => (o?.status?.conditions ?? []).map((c) => `${o.metadata.name} ${c.type}: ${c.message ?? ""}`));
    return msgs.length > 0 ? msgs.join("; ") : "no failure condition reported";
}
