/**
 * The operators loop (stacks/operators.ts installOperators): a descriptor added to the catalog is
 * installed from its own data alone, on each path (Helm on plain Kubernetes, OLM on OpenShift, a CRD
 * gate with `operators.install: false`), and an operator not needed gets an empty `ready` list.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as k8sTypes from "@pulumi/kubernetes";
import { beforeAll, describe, expect, it } from "vitest";
import type { OperatorDescriptor } from "../../../components/operators/catalog";
import { one, ofType, parentOf, settle, setupMocks, valueOf } from "../../support/mocks";

/** An operator no code in stacks/ names. */
const widgets: OperatorDescriptor = {
    crds: ["widgets.example.com", "gadgets.example.com"],
    crdGateName: "widgets-crds",
    olm: {
        resourceName: "widgets-olm",
        namespace: "openshift-operators",
        subscriptionName: "widgets",
        channel: "fast",
        catalogs: { "community-operators": { package: "widgets-community", csvPrefix: "widgets" } },
        catalog: "community-operators",
        pinnedVersion: "3.2.1",
        createOperatorGroup: false,
    },
    helm: {
        resourceName: "widgets-helm",
        chart: "widgets-operator",
        repo: "https://charts.example.com",
        version: "3.2.1",
        namespace: "widgets-system",
        values: () => ({ replicas: 1 }),
        useHelmRelease: false,
    },
};

type Ready = Record<string, pulumi.Resource[]>;
const ready: Record<"helm" | "olm" | "gate", Ready> = { helm: {}, olm: {}, gate: {} };
let catalogNames: string[];
let buildReadyKeys: string[];

const urns = (rs: pulumi.Resource[]) => Promise.all(rs.map((r) => valueOf((r as pulumi.CustomResource).urn)));

beforeAll(async () => {
    await setupMocks();
    const k8s: typeof k8sTypes = await import("@pulumi/kubernetes");
    const { parseStackConfig } = await import("../../../stacks/config");
    const { OPERATORS } = await import("../../../components/operators/catalog");
    const { buildOperators, installOperators } = await import("../../../stacks/operators");
    const providers = { kubernetes: new k8s.Provider("kubernetes", {}) };
    const catalog = { ...OPERATORS, widgets };
    catalogNames = Object.keys(catalog);
    // Only the new operator is needed: the loop must install it without any code naming it.
    const needed = { vaultSecretsOperator: false, stackgres: false, secretsStoreCsi: false, widgets: true };
    const base = { vault: { address: "https://vault.example.com" }, database: { mode: "existing", host: "db.example.com" }, databaseAdminPassword: "test-only-password-0123456789" };
    const config = (platform: string, operators: Record<string, unknown> = {}) =>
        parseStackConfig("test", { platform, ...base, operators, applications: [{ name: "app", namespace: "apps", serviceAccount: "app", databaseRole: "app", delivery: "direct" }] });

    ready.helm = installOperators(catalog, needed, config("kubernetes"), { providers, namespaces: {} });
    ready.olm = installOperators(catalog, needed, config("openshift", { installPlanApproval: "Automatic" }), { providers, namespaces: {} });
    ready.gate = installOperators(catalog, needed, config("kubernetes", { install: false }), { providers, namespaces: {} });
    buildReadyKeys = Object.keys(buildOperators(config("kubernetes"), { providers, namespaces: {} }));
    await settle();
});

describe("installOperators", () => {
    it("returns a ready list for every operator of the catalog, empty for those not needed", () => {
        for (const r of Object.values(ready)) {
            expect(Object.keys(r)).toEqual(catalogNames);
            expect(r.vaultSecretsOperator).toEqual([]);
            expect(r.stackgres).toEqual([]);
            expect(r.secretsStoreCsi).toEqual([]);
        }
        expect(buildReadyKeys).toEqual(["vaultSecretsOperator", "stackgres", "secretsStoreCsi"]);
    });

    it("plain Kubernetes: the descriptor's pinned chart in its namespace, which the stack creates", async () => {
        const chart = one("kubernetes:helm.sh/v4:Chart", "widgets-helm-chart");
        expect(parentOf(chart)).toBe("vaultkit:index:HelmOperator::widgets-helm");
        expect(chart.inputs).toEqual({
            name: "widgets-operator",
            chart: "widgets-operator",
            version: "3.2.1",
            repositoryOpts: { repo: "https://charts.example.com" },
            namespace: "widgets-system",
            values: { replicas: 1 },
        });
        expect(ofType("kubernetes:core/v1:Namespace").map((r) => r.inputs.metadata.name)).toEqual(["widgets-system"]);
        expect(await urns(ready.helm.widgets!)).toEqual([chart.urn]);
    });

    it("OpenShift: the descriptor's Subscription, pinned to <csvPrefix>.v<pinnedVersion>, gated by its wait Job", async () => {
        const sub = one("kubernetes:operators.coreos.com/v1alpha1:Subscription", "widgets-olm-subscription");
        expect(sub.inputs.metadata).toMatchObject({ name: "widgets", namespace: "openshift-operators" });
        expect(sub.inputs.spec).toEqual({
            name: "widgets-community",
            channel: "fast",
            source: "community-operators",
            sourceNamespace: "openshift-marketplace",
            installPlanApproval: "Manual",
            startingCSV: "widgets.v3.2.1",
        });
        expect(ofType("kubernetes:operators.coreos.com/v1:OperatorGroup")).toEqual([]);
        const job = one("kubernetes:batch/v1:Job", "widgets-olm-wait-job");
        const script: string = job.inputs.spec.template.spec.containers[0].command[2];
        expect(script).toContain("kubectl get subscriptions.operators.coreos.com widgets -n openshift-operators");
        expect(script).toContain('pin="widgets.v3.2.1"');
        expect(script).toContain("customresourcedefinitions.apiextensions.k8s.io/widgets.example.com customresourcedefinitions.apiextensions.k8s.io/gadgets.example.com");
        expect(await urns(ready.olm.widgets!)).toEqual([sub.urn, job.urn]);
    });

    it("operators.install false: one gate for the descriptor's CRDs, named by it", async () => {
        const job = one("kubernetes:batch/v1:Job", "widgets-crds-job");
        expect(parentOf(job)).toBe("vaultkit:index:OperatorReadyWait::widgets-crds");
        const script: string = job.inputs.spec.template.spec.containers[0].command[2];
        expect(script).not.toContain("subscriptions.operators.coreos.com");
        expect(script).toContain("customresourcedefinitions.apiextensions.k8s.io/widgets.example.com customresourcedefinitions.apiextensions.k8s.io/gadgets.example.com");
        expect(await urns(ready.gate.widgets!)).toEqual([job.urn]);
    });
});
