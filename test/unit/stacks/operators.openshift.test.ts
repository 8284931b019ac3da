/**
 * buildOperators on OpenShift: OLM Subscriptions gated by wait Jobs, the CSI OperatorGroup and
 * ClusterCSIDriver, and the readiness edges custom resources rely on.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type * as k8sTypes from "@pulumi/kubernetes";
import type { OperatorsReady } from "../../../stacks/contracts";
import { operatorWaitScript } from "../../../components/operators/operatorReadyWait";
import { Registration, dependsOnTransitively, ofType, one, parentOf, registrations, settle, setupMocks, valueOf } from "../../support/mocks";

const SUBSCRIPTION = "kubernetes:operators.coreos.com/v1alpha1:Subscription";
const OPERATOR_GROUP = "kubernetes:operators.coreos.com/v1:OperatorGroup";
const CLUSTER_CSI_DRIVER = "kubernetes:operator.openshift.io/v1:ClusterCSIDriver";
const JOB = "kubernetes:batch/v1:Job";

let ready: OperatorsReady;

async function urnsOf(resources: { urn: any }[]): Promise<string[]> {
    return Promise.all(resources.map((r) => valueOf<string>(r.urn)));
}

describe("operators on OpenShift", () => {
    beforeAll(async () => {
        await setupMocks();
        const k8s: typeof k8sTypes = await import("@pulumi/kubernetes");
        const { parseStackConfig } = await import("../../../stacks/config");
        const { buildOperators } = await import("../../../stacks/operators");
        const config = parseStackConfig("test", {
            platform: "openshift",
            vault: { address: "https://vault.apps.example.com" },
            // Automatic for what is not pinned; the pinned VSO and StackGres are Manual regardless.
            operators: { stackgresCatalog: "community-operators", installPlanApproval: "Automatic" },
            kubectlImage: "mirror.example.com/openshift/cli@sha256:" + "a".repeat(64),
            applications: [{ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app", delivery: "sync" }],
        });
        const provider = new k8s.Provider("kubernetes", {});
        ready = buildOperators(config, { providers: { kubernetes: provider }, namespaces: {} });
        await settle();
    });

    it("subscribes to exactly the three operators: pinned ones with Manual approval, the unpinned one as configured", () => {
        const subs = ofType(SUBSCRIPTION).map((r) => ({ name: r.name, metadata: r.inputs.metadata, spec: r.inputs.spec }));
        expect(subs.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
            {
                name: "secrets-store-csi-operator-subscription",
                metadata: expect.objectContaining({ name: "secrets-store-csi-driver-operator", namespace: "openshift-cluster-csi-drivers" }),
                spec: {
                    name: "secrets-store-csi-driver-operator",
                    channel: "preview",
                    source: "redhat-operators",
                    sourceNamespace: "openshift-marketplace",
                    installPlanApproval: "Automatic",
                },
            },
            {
                name: "stackgres-operator-subscription",
                metadata: expect.objectContaining({ name: "stackgres", namespace: "openshift-operators" }),
                spec: {
                    name: "stackgres-community",
                    channel: "stable",
                    source: "community-operators",
                    sourceNamespace: "openshift-marketplace",
                    installPlanApproval: "Manual",
                    startingCSV: "stackgres-community.v1.18.6",
                },
            },
            {
                name: "vault-secrets-operator-subscription",
                metadata: expect.objectContaining({ name: "vault-secrets-operator", namespace: "openshift-operators" }),
                spec: {
                    name: "vault-secrets-operator",
                    channel: "stable",
                    source: "certified-operators",
                    sourceNamespace: "openshift-marketplace",
                    installPlanApproval: "Manual",
                    startingCSV: "vault-secrets-operator.v1.4.1",
                },
            },
        ]);
        for (const s of ofType(SUBSCRIPTION)) {
            expect(s.inputs.apiVersion).toBe("operators.coreos.com/v1alpha1");
            expect(s.inputs.kind).toBe("Subscription");
            // Not awaited by Pulumi (a waitFor cannot end early); the wait Job watches the Subscription.
            expect(s.inputs.metadata.annotations).toBeUndefined();
            expect(s.provider).toMatch(/::pulumi:providers:kubernetes::kubernetes::/);
        }
    });

    it("creates an OperatorGroup only in openshift-cluster-csi-drivers (openshift-operators has the global one)", () => {
        expect(ofType(OPERATOR_GROUP).map((r) => r.name)).toEqual(["secrets-store-csi-operator-operatorgroup"]);
        const og = one(OPERATOR_GROUP, "secrets-store-csi-operator-operatorgroup");
        expect(og.inputs.apiVersion).toBe("operators.coreos.com/v1");
        expect(og.inputs.metadata).toMatchObject({ name: "openshift-cluster-csi-drivers", namespace: "openshift-cluster-csi-drivers" });
        expect(og.inputs.spec).toEqual({});
        expect(dependsOnTransitively(one(SUBSCRIPTION, "secrets-store-csi-operator-subscription"), og)).toBe(true);
    });

    it("gates each Subscription with a wait Job in its namespace that checks the CSV and the CRDs, and approves only pins", () => {
        const pins = ["vault-secrets-operator.v1.4.1", "stackgres-community.v1.18.6"];
        const expected: Record<string, { ns: string; sub: string; prefix: string; pin?: string; crds: string[] }> = {
            "vault-secrets-operator-wait-job": {
                ns: "openshift-operators",
                sub: "vault-secrets-operator",
                prefix: "vault-secrets-operator",
                pin: pins[0],
                crds: ["vaultconnections.secrets.hashicorp.com", "vaultauths.secrets.hashicorp.com", "vaultstaticsecrets.secrets.hashicorp.com", "vaultdynamicsecrets.secrets.hashicorp.com"],
            },
            "stackgres-operator-wait-job": {
                ns: "openshift-operators",
                sub: "stackgres",
                prefix: "stackgres-community",
                pin: pins[1],
                crds: ["sgclusters.stackgres.io", "sgscripts.stackgres.io", "sginstanceprofiles.stackgres.io", "sgpgconfigs.stackgres.io"],
            },
            "secrets-store-csi-operator-wait-job": {
                ns: "openshift-cluster-csi-drivers",
                sub: "secrets-store-csi-driver-operator",
                prefix: "secrets-store-csi-driver-operator",
                crds: ["secretproviderclasses.secrets-store.csi.x-k8s.io", "secretproviderclasspodstatuses.secrets-store.csi.x-k8s.io"],
            },
        };
        expect(ofType(JOB).map((r) => r.name).sort()).toEqual(Object.keys(expected).sort());
        for (const [jobName, e] of Object.entries(expected)) {
            const job = one(JOB, jobName);
            expect(job.inputs.metadata.namespace).toBe(e.ns);
            const pod = job.inputs.spec.template.spec;
            const container = pod.containers[0];
            expect(container.image).toBe("mirror.example.com/openshift/cli@sha256:" + "a".repeat(64));
            const script: string = container.command[2];
            expect(script).toBe(
                operatorWaitScript({
                    namespace: e.ns,
                    subscriptionName: e.sub,
                    csvPrefix: e.prefix,
                    ...(e.pin ? { pinnedCsv: e.pin, approvableCsvs: pins } : {}),
                    crdNames: e.crds,
                    timeoutSeconds: 900,
                }),
            );
            expect(script.includes("kubectl patch installplans.operators.coreos.com"), jobName).toBe(e.pin !== undefined);
            expect(script).toContain(`kubectl get subscriptions.operators.coreos.com ${e.sub} -n ${e.ns}`);
            expect(script).toContain(`  ${e.prefix}.v*) ;;`);
            expect(script).toContain(`--for=condition=Established ${e.crds.map((c) => `customresourcedefinitions.apiextensions.k8s.io/${c}`).join(" ")} `);
            // OpenShift assigns the UID: no runAsUser anywhere.
            expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
            expect(container.securityContext.runAsUser).toBeUndefined();
            const waitName = jobName.replace(/-job$/, "");
            expect(parentOf(job)).toBe(`vaultkit:index:OperatorReadyWait::${waitName}`);
            const sub = one(SUBSCRIPTION, waitName.replace(/-wait$/, "-subscription"));
            expect(dependsOnTransitively(job, sub)).toBe(true);
            // Nothing of the gate is created before the Subscription.
            for (const r of registrations.filter((x) => parentOf(x) === `vaultkit:index:OperatorReadyWait::${waitName}`)) {
                expect(dependsOnTransitively(r, sub), `${r.type}::${r.name}`).toBe(true);
            }
            // The Job starts only once its RBAC exists.
            expect(dependsOnTransitively(job, one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", `${waitName}-rolebinding`))).toBe(true);
            expect(dependsOnTransitively(job, one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", `${waitName}-clusterrolebinding`))).toBe(true);
        }
    });

    it("binds each wait Job's ServiceAccount to read rules, plus get/patch on InstallPlans where it approves a pin", () => {
        const read = [
            { apiGroups: ["operators.coreos.com"], resources: ["subscriptions"], resourceNames: ["stackgres"], verbs: ["get"] },
            { apiGroups: ["operators.coreos.com"], resources: ["clusterserviceversions"], verbs: ["get", "list", "watch"] },
        ];
        const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role", "stackgres-operator-wait-role");
        expect(role.inputs.metadata.namespace).toBe("openshift-operators");
        expect(role.inputs.rules).toEqual([...read, { apiGroups: ["operators.coreos.com"], resources: ["installplans"], verbs: ["get", "patch"] }]);
        // The unpinned CSI operator's gate only reads.
        for (const rule of one("kubernetes:rbac.authorization.k8s.io/v1:Role", "secrets-store-csi-operator-wait-role").inputs.rules) {
            expect(rule.verbs.every((v: string) => ["get", "list", "watch"].includes(v))).toBe(true);
        }
        for (const r of ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")) {
            for (const rule of r.inputs.rules) {
                expect(rule.verbs.every((v: string) => ["get", "list", "watch"].includes(v))).toBe(true);
            }
        }
    });

    it("runs each wait Job as its own ServiceAccount, which both bindings name, by the names the provider generates", () => {
        const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";
        const waits = { "vault-secrets-operator-wait": "openshift-operators", "stackgres-operator-wait": "openshift-operators", "secrets-store-csi-operator-wait": "openshift-cluster-csi-drivers" };
        for (const [wait, namespace] of Object.entries(waits)) {
            const sa = one("kubernetes:core/v1:ServiceAccount", `${wait}-sa`);
            const role = one(`${RBAC}:Role`, `${wait}-role`);
            const clusterRole = one(`${RBAC}:ClusterRole`, `${wait}-clusterrole`);
            const binding = one(`${RBAC}:RoleBinding`, `${wait}-rolebinding`);
            const clusterBinding = one(`${RBAC}:ClusterRoleBinding`, `${wait}-clusterrolebinding`);
            const job = one(JOB, `${wait}-job`);
            for (const r of [sa, role, clusterRole, binding, clusterBinding, job]) {
                expect(r.autonamed, r.name).toBe(true);
                expect(r.inputs.metadata.name, r.name).toMatch(new RegExp(`^${r.name}-[0-9a-f]{8}$`));
            }
            expect(sa.inputs.metadata.namespace).toBe(namespace);
            const subjects = [{ kind: "ServiceAccount", name: sa.inputs.metadata.name, namespace }];
            expect(binding.inputs.roleRef, wait).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.inputs.metadata.name });
            expect(binding.inputs.subjects, wait).toEqual(subjects);
            expect(clusterBinding.inputs.roleRef, wait).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.inputs.metadata.name });
            expect(clusterBinding.inputs.subjects, wait).toEqual(subjects);
            expect(job.inputs.spec.template.spec.serviceAccountName, wait).toBe(sa.inputs.metadata.name);
        }
    });

    it("creates the cluster-scoped ClusterCSIDriver only after the CSI operator is installed", () => {
        const drivers = ofType(CLUSTER_CSI_DRIVER);
        expect(drivers.map((r) => r.name)).toEqual(["secrets-store-csi-clustercsidriver"]);
        const driver = drivers[0]!;
        expect(driver.inputs.apiVersion).toBe("operator.openshift.io/v1");
        expect(driver.inputs.metadata.name).toBe("secrets-store.csi.k8s.io");
        expect(driver.inputs.metadata.namespace).toBeUndefined();
        expect(driver.inputs.spec).toEqual({ managementState: "Managed" });
        // Awaited until the operator's node-service controller reports the driver DaemonSet available.
        expect(driver.inputs.metadata.annotations).toEqual({ "pulumi.com/waitFor": "condition=SecretsStoreDriverNodeServiceControllerAvailable", "pulumi.com/timeoutSeconds": "900" });
        expect(dependsOnTransitively(driver, one(JOB, "secrets-store-csi-operator-wait-job"))).toBe(true);
        expect(dependsOnTransitively(driver, one(SUBSCRIPTION, "secrets-store-csi-operator-subscription"))).toBe(true);
        expect(parentOf(driver)).toBe("vaultkit:index:OpenShiftSecretsStoreCsi::secrets-store-csi");
    });

    it("hands back, per operator, its Subscription and wait Job (and the ClusterCSIDriver for CSI)", async () => {
        const urn = (r: Registration) => r.urn;
        expect(await urnsOf(ready.vaultSecretsOperator)).toEqual([urn(one(SUBSCRIPTION, "vault-secrets-operator-subscription")), urn(one(JOB, "vault-secrets-operator-wait-job"))]);
        expect(await urnsOf(ready.stackgres)).toEqual([urn(one(SUBSCRIPTION, "stackgres-operator-subscription")), urn(one(JOB, "stackgres-operator-wait-job"))]);
        expect(await urnsOf(ready.secretsStoreCsi)).toEqual([
            urn(one(SUBSCRIPTION, "secrets-store-csi-operator-subscription")),
            urn(one(JOB, "secrets-store-csi-operator-wait-job")),
            urn(one(CLUSTER_CSI_DRIVER, "secrets-store-csi-clustercsidriver")),
        ]);
    });

    it("declares no Helm releases and no namespaces on OpenShift", () => {
        expect(registrations.filter((r) => r.type.startsWith("kubernetes:helm.sh/") || r.type === "kubernetes:core/v1:Namespace")).toEqual([]);
    });
});
