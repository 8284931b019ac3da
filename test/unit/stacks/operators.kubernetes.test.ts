/**
 * buildOperators on plain Kubernetes: pinned Helm charts in their own namespaces, StackGres
 * through helm.v3.Release (its install relies on hooks) with a CRD wait Job.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type * as k8sTypes from "@pulumi/kubernetes";
import type { OperatorsReady } from "../../../stacks/contracts";
import { dependsOnTransitively, ofType, one, parentOf, registrations, settle, setupMocks, valueOf } from "../../support/mocks";

const CHART = "kubernetes:helm.sh/v4:Chart";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const JOB = "kubernetes:batch/v1:Job";

let ready: OperatorsReady;

describe("operators on plain Kubernetes", () => {
    beforeAll(async () => {
        await setupMocks();
        const k8s: typeof k8sTypes = await import("@pulumi/kubernetes");
        const { parseStackConfig } = await import("../../../stacks/config");
        const { buildOperators } = await import("../../../stacks/operators");
        const config = parseStackConfig("kind", {
            platform: "kubernetes",
            vault: { address: "http://127.0.0.1:8200" },
            applications: [{ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app", delivery: "csi" }],
        });
        const provider = new k8s.Provider("kubernetes", {});
        // The stack already owns `stackgres` here (e.g. a user put the database there): reuse it.
        const existing = new k8s.core.v1.Namespace("ns-stackgres", { metadata: { name: "stackgres" } }, { provider });
        ready = buildOperators(config, { providers: { kubernetes: provider }, namespaces: { stackgres: existing } });
        await settle();
    });

    it("creates only the missing operator namespace, labelled like the stack's own", () => {
        expect(ofType(NAMESPACE).map((r) => r.inputs.metadata.name).sort()).toEqual(["stackgres", "vault-secrets-operator-system"]);
        expect(one(NAMESPACE, "ns-vault-secrets-operator-system").inputs.metadata.labels).toEqual({
            "app.kubernetes.io/managed-by": "pulumi",
            "vaultkit.dev/stack": "kind",
        });
    });

    it("installs VSO and the CSI driver with helm.v4.Chart, pinned, with the built values", () => {
        expect(ofType(CHART).map((r) => r.name).sort()).toEqual(["secrets-store-csi-driver-chart", "vault-secrets-operator-chart"]);
        const vso = one(CHART, "vault-secrets-operator-chart");
        expect(vso.inputs).toMatchObject({
            chart: "vault-secrets-operator",
            version: "1.4.1",
            repositoryOpts: { repo: "https://helm.releases.hashicorp.com" },
            namespace: "vault-secrets-operator-system",
            values: { defaultVaultConnection: { enabled: false }, defaultAuthMethod: { enabled: false } },
        });
        expect(dependsOnTransitively(vso, one(NAMESPACE, "ns-vault-secrets-operator-system"))).toBe(true);
        expect(parentOf(vso)).toBe("vaultkit:index:HelmOperator::vault-secrets-operator");

        const csi = one(CHART, "secrets-store-csi-driver-chart");
        expect(csi.inputs).toMatchObject({
            chart: "secrets-store-csi-driver",
            version: "1.6.0",
            repositoryOpts: { repo: "https://kubernetes-sigs.github.io/secrets-store-csi-driver/charts" },
            namespace: "kube-system",
            values: { syncSecret: { enabled: false }, enableSecretRotation: true, rotationPollInterval: "2m" },
        });
    });

    it("installs StackGres with helm.v3.Release (hooks run) and waits for its run-time CRDs", () => {
        expect(ofType(RELEASE).map((r) => r.name)).toEqual(["stackgres-operator-release"]);
        const release = one(RELEASE, "stackgres-operator-release");
        expect(release.inputs).toMatchObject({
            name: "stackgres-operator",
            chart: "stackgres-operator",
            version: "1.18.6",
            repositoryOpts: { repo: "https://stackgres.io/downloads/stackgres-k8s/stackgres/helm/" },
            namespace: "stackgres",
            createNamespace: false,
            waitForJobs: true,
            skipAwait: false,
            values: { deploy: { operator: true, restapi: false, collector: false }, rbac: { create: false } },
        });
        expect(dependsOnTransitively(release, one(NAMESPACE, "ns-stackgres"))).toBe(true);

        expect(ofType(JOB).map((r) => r.name)).toEqual(["stackgres-operator-wait-job"]);
        const job = one(JOB, "stackgres-operator-wait-job");
        expect(job.inputs.metadata.namespace).toBe("stackgres");
        expect(dependsOnTransitively(job, release)).toBe(true);
        const pod = job.inputs.spec.template.spec;
        expect(pod.containers[0].image).toBe("registry.k8s.io/kubectl:v1.31.0");
        // The upstream kubectl image runs as root by default: a non-root UID is set on plain Kubernetes.
        expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, runAsUser: 65532, runAsGroup: 65532 });
        const script: string = pod.containers[0].command[2];
        expect(script).not.toContain("subscriptions.operators.coreos.com");
        expect(script).toContain("customresourcedefinitions.apiextensions.k8s.io/sgclusters.stackgres.io");
        // Every piece of the gate waits for the namespace and the release.
        for (const r of registrations.filter((x) => parentOf(x) === "vaultkit:index:OperatorReadyWait::stackgres-operator-wait")) {
            expect(dependsOnTransitively(r, one(NAMESPACE, "ns-stackgres")), `${r.type}::${r.name}`).toBe(true);
            expect(dependsOnTransitively(r, release), `${r.type}::${r.name}`).toBe(true);
        }
        // No OLM objects to read: no namespaced Role at all.
        expect(ofType("kubernetes:rbac.authorization.k8s.io/v1:Role")).toEqual([]);
    });

    it("hands back the chart (plus the wait Job for StackGres) as each operator's ready list", async () => {
        const urns = (rs: { urn: any }[]) => Promise.all(rs.map((r) => valueOf<string>(r.urn)));
        expect(await urns(ready.vaultSecretsOperator)).toEqual([one(CHART, "vault-secrets-operator-chart").urn]);
        expect(await urns(ready.secretsStoreCsi)).toEqual([one(CHART, "secrets-store-csi-driver-chart").urn]);
        expect(await urns(ready.stackgres)).toEqual([one(RELEASE, "stackgres-operator-release").urn, one(JOB, "stackgres-operator-wait-job").urn]);
    });

    it("declares no OLM or OpenShift objects", () => {
        expect(registrations.filter((r) => r.type.includes("operators.coreos.com") || r.type.includes("openshift.io"))).toEqual([]);
    });
});
