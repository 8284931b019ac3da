/**
 * Kube tier: the OLM wait Jobs of the OpenShift stack (components/operators/operatorReadyWait.ts),
 * their scripts run with a real kubectl as their own ServiceAccount against a real kube-apiserver
 * with OLM's CRDs (operator-framework/api v0.45.0), while the test writes what OLM would write:
 * Subscription status (`installedCSV`, `installPlanRef`, conditions), InstallPlans
 * (`spec.clusterServiceVersionNames`, `spec.approved`) and CSV `status.phase`.
 *
 * What it proves: a pinned CSV means a pin (the script approves only the InstallPlan that installs
 * it, never the upgrade OLM offers next, never a plan that also installs something this stack does
 * not pin); OLM's terminal `ResolutionFailed`/`ConstraintsNotSatisfiable` ends the wait at its next
 * poll (not at its deadline) with OLM's own message, while OLM's retried errors do not; an unpinned
 * operator's gate approves nothing. And the RBAC the component declares is enough for that and no more.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OperatorsReady } from "../../stacks/contracts";
import { one, setupMocks } from "../support/mocks";
import { SHARED_DIR } from "../support/render";
import { Kube, KubeError, kubeEnv, waitUntil, type KubeObject } from "./support/kube";
import { KUBECTL, RunningScript, ServiceAccountKubeconfig, gateRbac, gateScript, requireKubectl, runScript, waitForOutput } from "./support/gateJobs";

const env = kubeEnv();
const NS = "openshift-operators";
const CSI_NS = "openshift-cluster-csi-drivers";
const RUN = Date.now().toString(36);
const VSO_PIN = "vault-secrets-operator.v1.4.1";
const STACKGRES_PIN = "stackgres.v1.18.6";
const SUBSCRIPTION = { apiVersion: "operators.coreos.com/v1alpha1", kind: "Subscription", namespace: NS, name: "vault-secrets-operator" };
/** What OLM's resolver writes when the pinned CSV is not in the catalog (operator-lifecycle-manager resolver, "no operators found with name ..."). */
const NOT_IN_CATALOG =
    "constraints not satisfiable: no operators found with name vault-secrets-operator.v1.4.1 in channel stable of package vault-secrets-operator in the catalog referenced by subscription vault-secrets-operator, subscription vault-secrets-operator exists";

function installPlan(name: string, csvs: string[], namespace = NS): KubeObject {
    return {
        apiVersion: "operators.coreos.com/v1alpha1",
        kind: "InstallPlan",
        metadata: { name, namespace },
        spec: { approval: "Manual", approved: false, clusterServiceVersionNames: csvs, generation: 1 },
    };
}

function csv(name: string, namespace = NS): KubeObject {
    return {
        apiVersion: "operators.coreos.com/v1alpha1",
        kind: "ClusterServiceVersion",
        metadata: { name, namespace },
        spec: { displayName: name, install: { strategy: "deployment", spec: { deployments: [] } } },
    };
}

/** Subscription status as OLM shapes it; `lastUpdated` is required by the CRD. */
function subscriptionStatus(s: { installedCSV?: string | null; plan?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[]; state?: string }) {
    return {
        lastUpdated: new Date().toISOString(),
        state: s.state ?? "UpgradePending",
        installedCSV: s.installedCSV ?? null,
        installPlanRef: s.plan ? { apiVersion: "operators.coreos.com/v1alpha1", kind: "InstallPlan", name: s.plan, namespace: NS } : null,
        conditions: s.conditions ?? [],
    };
}

describe.skipIf(!env)("OLM wait Jobs against a real kube-apiserver", () => {
    let kube: Kube;
    let vso: ServiceAccountKubeconfig;
    let csi: ServiceAccountKubeconfig;
    let vsoScript: string;
    let csiScript: string;
    let subscriptions: Record<string, KubeObject>;
    let run: RunningScript | undefined;
    let clusterCsiDriver: KubeObject;

    const approved = async (name: string) => ((await kube.get({ apiVersion: "operators.coreos.com/v1alpha1", kind: "InstallPlan", namespace: NS, name })) as any)?.spec?.approved as boolean;

    /** Deletes the InstallPlans and CSVs of a namespace (a fresh CRD's list answers 429 while its cache fills: retried). */
    async function clearOlmObjects(ns: string): Promise<void> {
        for (const kind of ["InstallPlan", "ClusterServiceVersion"]) {
            const objects = await waitUntil(() => kube.list("operators.coreos.com/v1alpha1", kind, ns), { what: `list ${kind}` });
            for (const o of objects) await kube.delete({ apiVersion: "operators.coreos.com/v1alpha1", kind, namespace: ns, name: o.metadata.name });
        }
    }

    /** A fresh Subscription (no status) and no InstallPlans or CSVs, then the script started. */
    async function start(script: string, kubeconfig: ServiceAccountKubeconfig, sub: KubeObject = subscriptions["vault-secrets-operator"]!): Promise<RunningScript> {
        const ns = sub.metadata.namespace!;
        await kube.delete({ apiVersion: sub.apiVersion, kind: sub.kind, namespace: ns, name: sub.metadata.name });
        await clearOlmObjects(ns);
        await kube.create(sub);
        run = runScript(script, kubeconfig);
        return run;
    }

    beforeAll(async () => {
        requireKubectl();
        kube = new Kube(env!);
        await setupMocks({ stack: "olm" });
        const { parseStackConfig } = await import("../../stacks/config");
        const { buildOperators } = await import("../../stacks/operators");
        const k8s = await import("@pulumi/kubernetes");
        // The dev stack's operators: VSO and StackGres pinned (certified catalog), the CSI operator not.
        const config = parseStackConfig("olm", {
            platform: "openshift",
            vault: { address: "https://vault.apps.example.com" },
            applications: [{ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app", delivery: "csi" }],
        });
        const ready: OperatorsReady = buildOperators(config, { providers: { kubernetes: new k8s.Provider("kubernetes", {}) }, namespaces: {} });
        expect(ready.vaultSecretsOperator).toHaveLength(2);
        const { registrations, settle } = await import("../support/mocks");
        await settle();
        subscriptions = Object.fromEntries(
            registrations
                .filter((r) => r.type === "kubernetes:operators.coreos.com/v1alpha1:Subscription")
                .map((r) => [r.inputs.metadata.name, { apiVersion: "operators.coreos.com/v1alpha1", kind: "Subscription", ...r.inputs } as KubeObject]),
        );
        clusterCsiDriver = one("kubernetes:operator.openshift.io/v1:ClusterCSIDriver", "secrets-store-csi-clustercsidriver").inputs as KubeObject;
        vsoScript = gateScript("vault-secrets-operator-wait");
        csiScript = gateScript("secrets-store-csi-operator-wait");

        for (const dir of ["olm", "vault-secrets-operator/v1.4.1", "secrets-store-csi-driver", "openshift/release-4.15"]) {
            await kube.installCrds(join(SHARED_DIR, "crds", dir), { timeoutMs: 60_000 });
        }
        for (const ns of [NS, CSI_NS]) {
            try {
                await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
            } catch (e) {
                if (!(e instanceof KubeError && e.reason === "AlreadyExists")) throw e;
            }
        }
        for (const [prefix, ns] of [
            ["vault-secrets-operator-wait", NS],
            ["secrets-store-csi-operator-wait", CSI_NS],
        ] as const) {
            const rbac = gateRbac(prefix, RUN);
            for (const o of rbac.objects) await kube.apply(o);
            const kc = await ServiceAccountKubeconfig.create(kube, ns, rbac.serviceAccount);
            if (prefix.startsWith("vault")) vso = kc;
            else csi = kc;
        }
    }, 300_000);

    afterAll(async () => {
        run?.kill();
        vso?.remove();
        csi?.remove();
        if (kube) {
            for (const [ns, name] of [
                [NS, "vault-secrets-operator"],
                [CSI_NS, "secrets-store-csi-driver-operator"],
            ]) {
                await kube.delete({ apiVersion: "operators.coreos.com/v1alpha1", kind: "Subscription", namespace: ns, name });
                await clearOlmObjects(ns);
            }
            await kube.delete({ apiVersion: "operator.openshift.io/v1", kind: "ClusterCSIDriver", name: "secrets-store.csi.k8s.io" });
            for (const suffix of ["clusterrolebinding", "clusterrole"]) {
                for (const prefix of ["vault-secrets-operator-wait", "secrets-store-csi-operator-wait"]) {
                    await kube.delete({ apiVersion: "rbac.authorization.k8s.io/v1", kind: suffix === "clusterrole" ? "ClusterRole" : "ClusterRoleBinding", name: `${prefix}-${suffix}-${RUN}` });
                }
            }
            kube.close();
        }
    });

    it("approves only the InstallPlan that installs the pinned CSV, keeps the next upgrade unapproved, and opens once that CSV succeeded", async () => {
        const r = await start(vsoScript, vso);
        await kube.create(installPlan("install-pin", [VSO_PIN]));
        await kube.create(installPlan("install-next", ["vault-secrets-operator.v1.5.0"]));
        // OLM first points the Subscription at a plan without the pin: nothing is approved.
        await kube.patchStatus(SUBSCRIPTION, subscriptionStatus({ plan: "install-next", conditions: [{ type: "InstallPlanPending", status: "True", reason: "RequiresApproval" }] }));
        await waitForOutput(r, "InstallPlanPending RequiresApproval");
        await new Promise((res) => setTimeout(res, 6_000)); // one more poll
        expect(await approved("install-next")).toBe(false);
        // The plan that installs the pin: approved by the script (as its ServiceAccount).
        await kube.patchStatus(SUBSCRIPTION, subscriptionStatus({ plan: "install-pin", conditions: [{ type: "InstallPlanPending", status: "True", reason: "RequiresApproval" }] }));
        await waitUntil(() => approved("install-pin"), { what: "install-pin approved", timeoutMs: 20_000 });
        await waitForOutput(r, `approved InstallPlan ${NS}/install-pin (${VSO_PIN})`);
        // OLM installed the pin and offers the next version: the pin holds.
        await kube.patchStatus(SUBSCRIPTION, subscriptionStatus({ installedCSV: VSO_PIN, plan: "install-next", state: "UpgradePending" }));
        await waitForOutput(r, `installed CSV ${VSO_PIN}`);
        await kube.create(csv(VSO_PIN));
        await kube.patchStatus({ apiVersion: "operators.coreos.com/v1alpha1", kind: "ClusterServiceVersion", namespace: NS, name: VSO_PIN }, { phase: "Installing" });
        await new Promise((res) => setTimeout(res, 3_000));
        expect(r.running()).toBe(true);
        await kube.patchStatus({ apiVersion: "operators.coreos.com/v1alpha1", kind: "ClusterServiceVersion", namespace: NS, name: VSO_PIN }, { phase: "Succeeded" });
        const end = await r.done;
        expect(end.code, end.stdout + end.stderr).toBe(0);
        expect(end.stdout).toContain("operator ready");
        expect(await approved("install-next")).toBe(false);
    });

    it("fails on OLM's own message, not at its deadline, when OLM cannot resolve the pin (ConstraintsNotSatisfiable), but waits through errors OLM retries", async () => {
        const r = await start(vsoScript, vso);
        await kube.patchStatus(
            SUBSCRIPTION,
            subscriptionStatus({ conditions: [{ type: "ResolutionFailed", status: "True", reason: "ErrorPreventedResolution", message: "failed to populate resolver cache from source certified-operators/openshift-marketplace: rpc error: code = Unavailable" }] }),
        );
        await waitForOutput(r, "ResolutionFailed ErrorPreventedResolution: failed to populate resolver cache");
        await new Promise((res) => setTimeout(res, 6_000));
        expect(r.running(), r.output()).toBe(true);
        await kube.patchStatus(SUBSCRIPTION, subscriptionStatus({ conditions: [{ type: "ResolutionFailed", status: "True", reason: "ConstraintsNotSatisfiable", message: NOT_IN_CATALOG }] }));
        const end = await r.done;
        expect(end.code).toBe(1);
        expect(end.stderr).toContain(`Subscription ${NS}/vault-secrets-operator: OLM will not install it: ResolutionFailed ConstraintsNotSatisfiable: ${NOT_IN_CATALOG}`);
        // It ended on that status, not at its 15-minute deadline (which this test's own timeout is far below).
        expect(end.stderr).not.toContain("timed out");
    });

    it("approves a plan OLM resolved for both of the stack's pins, and refuses one that would also install a CSV it does not pin", async () => {
        let r = await start(vsoScript, vso);
        await kube.create(installPlan("install-both", [VSO_PIN, STACKGRES_PIN]));
        await kube.patchStatus(SUBSCRIPTION, subscriptionStatus({ plan: "install-both" }));
        await waitUntil(() => approved("install-both"), { what: "install-both approved", timeoutMs: 20_000 });
        r.kill();
        await r.done;

        r = await start(vsoScript, vso);
        await kube.create(installPlan("install-more", [VSO_PIN, "other-operator.v2.0.0"]));
        await kube.patchStatus(SUBSCRIPTION, subscriptionStatus({ plan: "install-more" }));
        const end = await r.done;
        expect(end.code).toBe(1);
        expect(end.stderr).toContain(`InstallPlan ${NS}/install-more installs the pinned ${VSO_PIN} but also other-operator.v2.0.0, which this stack does not pin`);
        expect(await approved("install-more")).toBe(false);
    });

    it("fails when OLM installed another version than the pin and offers no way to it", async () => {
        const r = await start(vsoScript, vso);
        await kube.create(installPlan("install-later", ["vault-secrets-operator.v1.6.0"]));
        await kube.patchStatus(SUBSCRIPTION, subscriptionStatus({ installedCSV: "vault-secrets-operator.v1.5.0", plan: "install-later" }));
        const end = await r.done;
        expect(end.code).toBe(1);
        expect(end.stderr).toContain(`installed vault-secrets-operator.v1.5.0, not the pinned ${VSO_PIN}, and its InstallPlan install-later offers vault-secrets-operator.v1.6.0`);
        expect(await approved("install-later")).toBe(false);
    });

    it("an unpinned operator's gate approves nothing and opens on whatever OLM installed", async () => {
        const sub = subscriptions["secrets-store-csi-driver-operator"]!;
        expect((sub as any).spec.installPlanApproval).toBe("Automatic");
        const r = await start(csiScript, csi, sub);
        const ref = { apiVersion: "operators.coreos.com/v1alpha1", kind: "Subscription", namespace: CSI_NS, name: "secrets-store-csi-driver-operator" };
        const installed = "secrets-store-csi-driver-operator.v4.15.0-202411121234";
        await kube.create(installPlan("install-csi", [installed], CSI_NS));
        await kube.create(csv(installed, CSI_NS));
        await kube.patchStatus({ apiVersion: "operators.coreos.com/v1alpha1", kind: "ClusterServiceVersion", namespace: CSI_NS, name: installed }, { phase: "Succeeded" });
        await kube.patchStatus(ref, { ...subscriptionStatus({ installedCSV: installed }), installPlanRef: { kind: "InstallPlan", name: "install-csi", namespace: CSI_NS } });
        const end = await r.done;
        expect(end.code, end.stdout + end.stderr).toBe(0);
        expect(((await kube.get({ apiVersion: "operators.coreos.com/v1alpha1", kind: "InstallPlan", namespace: CSI_NS, name: "install-csi" })) as any).spec.approved).toBe(false);
    });

    it("the ClusterCSIDriver's waitFor condition is the one the operator's node-service controller writes (library-go <controller>Available)", async () => {
        const ref = { apiVersion: "operator.openshift.io/v1", kind: "ClusterCSIDriver", name: "secrets-store.csi.k8s.io" };
        await kube.apply(clusterCsiDriver);
        const waitFor = clusterCsiDriver.metadata.annotations!["pulumi.com/waitFor"]!;
        expect(waitFor).toBe("condition=SecretsStoreDriverNodeServiceControllerAvailable");
        // Pulumi's `condition=<type>` and kubectl's `--for=condition=<type>` both hold when that condition's status is True.
        // HOME is the server's state dir, so kubectl's discovery cache never lands in the checkout.
        const kubectlWait = () =>
            spawnSync(KUBECTL, ["wait", `--for=${waitFor}`, "clustercsidriver/secrets-store.csi.k8s.io", "--timeout=2s"], { env: { PATH: process.env.PATH, KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.VAULTKIT_KUBE_DIR }, encoding: "utf8" });
        const transition = new Date().toISOString().replace(/\.\d+Z$/, "Z");
        // What CSIDriverNodeServiceController writes while the DaemonSet has no available pod, then once it has.
        await kube.patchStatus(ref, {
            conditions: [
                { type: "SecretsStoreDriverNodeServiceControllerAvailable", status: "False", reason: "Deploying", message: "Waiting for the DaemonSet to deploy the CSI Node Service", lastTransitionTime: transition },
                { type: "SecretsStoreDriverNodeServiceControllerProgressing", status: "True", reason: "Deploying", message: "Waiting for DaemonSet to deploy node pods", lastTransitionTime: transition },
            ],
        });
        expect(kubectlWait().status).not.toBe(0);
        await kube.patchStatus(ref, {
            conditions: [
                { type: "SecretsStoreDriverNodeServiceControllerAvailable", status: "True", lastTransitionTime: transition },
                { type: "SecretsStoreDriverNodeServiceControllerProgressing", status: "False", lastTransitionTime: transition },
            ],
        });
        const ok = kubectlWait();
        expect(ok.status, ok.stderr).toBe(0);
    });

    it("the declared RBAC allows exactly that: its Subscription, CSVs, InstallPlan approval where a pin is, CRDs; nothing else", () => {
        expect(vso.canI("get", "subscriptions.operators.coreos.com/vault-secrets-operator", NS)).toBe(true);
        expect(vso.canI("get", "subscriptions.operators.coreos.com/stackgres", NS)).toBe(false);
        expect(vso.canI("patch", "subscriptions.operators.coreos.com/vault-secrets-operator", NS)).toBe(false);
        expect(vso.canI("patch", "installplans.operators.coreos.com", NS)).toBe(true);
        expect(vso.canI("list", "installplans.operators.coreos.com", NS)).toBe(false);
        expect(vso.canI("delete", "installplans.operators.coreos.com", NS)).toBe(false);
        expect(vso.canI("patch", "clusterserviceversions.operators.coreos.com", NS)).toBe(false);
        expect(vso.canI("watch", "clusterserviceversions.operators.coreos.com", NS)).toBe(true);
        expect(vso.canI("get", "customresourcedefinitions.apiextensions.k8s.io")).toBe(true);
        expect(vso.canI("create", "customresourcedefinitions.apiextensions.k8s.io")).toBe(false);
        expect(vso.canI("get", "secrets", NS)).toBe(false);
        expect(vso.canI("patch", "installplans.operators.coreos.com", CSI_NS)).toBe(false);
        // The unpinned gate cannot approve anything.
        expect(csi.canI("patch", "installplans.operators.coreos.com", CSI_NS)).toBe(false);
        expect(csi.canI("get", "installplans.operators.coreos.com", CSI_NS)).toBe(false);
    });
});
