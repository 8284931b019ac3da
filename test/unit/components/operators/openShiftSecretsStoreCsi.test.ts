/**
 * OpenShiftSecretsStoreCsi under the mock engine: exactly the Red Hat operator's OperatorSubscription
 * (from the catalog's descriptor) and the ClusterCSIDriver, created after the operator is installed.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { childNames, dependsOnTransitively, one, ofType, settle, setupMocks, valueOf } from "../../../support/mocks";
import { Marker } from "../../../support/types";

const TYPE = "vaultkit:index:OpenShiftSecretsStoreCsi";
const SUBSCRIPTION = "kubernetes:operators.coreos.com/v1alpha1:Subscription";
const CLUSTER_CSI_DRIVER = "kubernetes:operator.openshift.io/v1:ClusterCSIDriver";

let csi: import("../../../../components/operators/openShiftSecretsStoreCsi").OpenShiftSecretsStoreCsi;

beforeAll(async () => {
    await setupMocks();
    const { OpenShiftSecretsStoreCsi } = await import("../../../../components/operators/openShiftSecretsStoreCsi");
    const gate = new Marker("test:index:Marker", "cluster-gate");
    csi = new OpenShiftSecretsStoreCsi("csi", { installPlanApproval: "Manual", timeoutSeconds: 300 }, { dependsOn: [gate] });
    new OpenShiftSecretsStoreCsi("csi-existing-group", { channel: "stable", createOperatorGroup: false });
    await settle();
});

describe("OpenShiftSecretsStoreCsi", () => {
    it("has exactly the operator's OperatorSubscription and the ClusterCSIDriver", () => {
        expect(childNames(`${TYPE}::csi`)).toEqual([`${CLUSTER_CSI_DRIVER}::csi-clustercsidriver`, "vaultkit:index:OperatorSubscription::csi-operator"]);
    });

    it("subscribes to the catalog's Red Hat operator in openshift-cluster-csi-drivers, with an OperatorGroup unless told otherwise", () => {
        const sub = one(SUBSCRIPTION, "csi-operator-subscription");
        expect(sub.inputs.metadata).toMatchObject({ name: "secrets-store-csi-driver-operator", namespace: "openshift-cluster-csi-drivers" });
        expect(sub.inputs.spec).toEqual({
            name: "secrets-store-csi-driver-operator",
            channel: "preview",
            source: "redhat-operators",
            sourceNamespace: "openshift-marketplace",
            installPlanApproval: "Manual",
        });
        expect(ofType("kubernetes:operators.coreos.com/v1:OperatorGroup").map((r) => r.name)).toEqual(["csi-operator-operatorgroup"]);
        expect(one(SUBSCRIPTION, "csi-existing-group-operator-subscription").inputs.spec.channel).toBe("stable");
        const script: string = one("kubernetes:batch/v1:Job", "csi-operator-wait-job").inputs.spec.template.spec.containers[0].command[2];
        expect(script).toContain("customresourcedefinitions.apiextensions.k8s.io/secretproviderclasses.secrets-store.csi.x-k8s.io");
        expect(script).toContain("  secrets-store-csi-driver-operator.v*) ;;");
    });

    it("creates the ClusterCSIDriver after the operator is installed and waits until the driver runs", async () => {
        const driver = one(CLUSTER_CSI_DRIVER, "csi-clustercsidriver");
        expect(driver.inputs.metadata).toEqual({
            name: "secrets-store.csi.k8s.io",
            labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "vaultkit" },
            annotations: { "pulumi.com/waitFor": "condition=SecretsStoreDriverNodeServiceControllerAvailable", "pulumi.com/timeoutSeconds": "300" },
        });
        expect(driver.inputs.spec).toEqual({ managementState: "Managed" });
        const job = one("kubernetes:batch/v1:Job", "csi-operator-wait-job");
        expect(dependsOnTransitively(driver, job)).toBe(true);
        const sub = one(SUBSCRIPTION, "csi-operator-subscription");
        expect(dependsOnTransitively(sub, one("test:index:Marker", "cluster-gate"))).toBe(true);
        expect(await Promise.all(csi.ready.map((r) => valueOf((r as pulumi.CustomResource).urn)))).toEqual([sub.urn, job.urn, driver.urn]);
    });
});
