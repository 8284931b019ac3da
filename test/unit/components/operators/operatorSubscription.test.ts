/**
 * OperatorSubscription under the mock engine: exactly the Subscription, the OperatorGroup only when
 * asked, and the wait component after the Subscription; the pinned CSV forces Manual approval.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { childNames, dependsOnTransitively, one, registrations, settle, setupMocks, valueOf } from "../../../support/mocks";

const TYPE = "vaultkit:index:OperatorSubscription";
const SUBSCRIPTION = "kubernetes:operators.coreos.com/v1alpha1:Subscription";
const OPERATOR_GROUP = "kubernetes:operators.coreos.com/v1:OperatorGroup";
const LABELS = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "vaultkit" };

let mod: typeof import("../../../../components/operators/operatorSubscription");
let wait: typeof import("../../../../components/operators/operatorReadyWait");
let pinned: import("../../../../components/operators/operatorSubscription").OperatorSubscription;

const children = (name: string) => childNames(`${TYPE}::${name}`);

beforeAll(async () => {
    await setupMocks();
    mod = await import("../../../../components/operators/operatorSubscription");
    wait = await import("../../../../components/operators/operatorReadyWait");
    pinned = new mod.OperatorSubscription("pinned", {
        namespace: "openshift-operators",
        subscriptionName: "widgets",
        packageName: "widgets-certified",
        channel: "stable",
        source: "certified-operators",
        installPlanApproval: "Automatic",
        startingCSV: "widgets.v1.0.0",
        approvableCsvs: ["widgets.v1.0.0", "gadgets.v2.0.0"],
        csvPrefix: "widgets",
        createOperatorGroup: false,
        crdNames: ["widgets.example.com"],
        waitImage: "mirror.example.com/cli:v4.15",
    });
    new mod.OperatorSubscription("grouped", {
        namespace: "gadgets-system",
        packageName: "gadgets",
        channel: "preview",
        source: "redhat-operators",
        createOperatorGroup: true,
        operatorGroupTargetNamespaces: ["gadgets-system"],
        crdNames: ["gadgets.example.com"],
        timeoutSeconds: 60,
    });
    await settle();
});

describe("OperatorSubscription", () => {
    it("pinned, in a namespace with an OperatorGroup: exactly the Subscription and the wait component", () => {
        expect(children("pinned")).toEqual([`${SUBSCRIPTION}::pinned-subscription`, "vaultkit:index:OperatorReadyWait::pinned-wait"]);
        const sub = one(SUBSCRIPTION, "pinned-subscription");
        expect(sub.inputs.metadata).toEqual({ name: "widgets", namespace: "openshift-operators", labels: LABELS });
        // A pin is Manual whatever was asked: Automatic would walk the channel past it.
        expect(sub.inputs.spec).toEqual({
            name: "widgets-certified",
            channel: "stable",
            source: "certified-operators",
            sourceNamespace: "openshift-marketplace",
            installPlanApproval: "Manual",
            startingCSV: "widgets.v1.0.0",
        });
    });

    it("waits for the Subscription's pinned CSV and the CRDs in a Job that starts after the Subscription", async () => {
        const job = one("kubernetes:batch/v1:Job", "pinned-wait-job");
        const pod = job.inputs.spec.template.spec;
        expect(pod.containers[0].image).toBe("mirror.example.com/cli:v4.15");
        expect(pod.containers[0].command[2]).toBe(
            wait.operatorWaitScript({
                namespace: "openshift-operators",
                subscriptionName: "widgets",
                csvPrefix: "widgets",
                pinnedCsv: "widgets.v1.0.0",
                approvableCsvs: ["widgets.v1.0.0", "gadgets.v2.0.0"],
                crdNames: ["widgets.example.com"],
                timeoutSeconds: wait.DEFAULT_OPERATOR_WAIT_SECONDS,
            }),
        );
        const sub = one(SUBSCRIPTION, "pinned-subscription");
        expect(dependsOnTransitively(job, sub)).toBe(true);
        expect(await valueOf(pinned.subscriptionName)).toBe("widgets");
        expect(await Promise.all(pinned.ready.map((r) => valueOf((r as pulumi.CustomResource).urn)))).toEqual([sub.urn, job.urn]);
    });

    it("with createOperatorGroup: the OperatorGroup first, named after the namespace, then the Subscription (unpinned: approval as asked)", () => {
        expect(children("grouped")).toEqual([`${OPERATOR_GROUP}::grouped-operatorgroup`, `${SUBSCRIPTION}::grouped-subscription`, "vaultkit:index:OperatorReadyWait::grouped-wait"].sort());
        const og = one(OPERATOR_GROUP, "grouped-operatorgroup");
        expect(og.inputs).toMatchObject({
            apiVersion: "operators.coreos.com/v1",
            kind: "OperatorGroup",
            metadata: { name: "gadgets-system", namespace: "gadgets-system", labels: LABELS },
            spec: { targetNamespaces: ["gadgets-system"] },
        });
        const sub = one(SUBSCRIPTION, "grouped-subscription");
        expect(sub.inputs.metadata.name).toBe("gadgets");
        expect(sub.inputs.spec).toEqual({ name: "gadgets", channel: "preview", source: "redhat-operators", sourceNamespace: "openshift-marketplace", installPlanApproval: "Automatic" });
        expect(dependsOnTransitively(sub, og)).toBe(true);
        const script: string = one("kubernetes:batch/v1:Job", "grouped-wait-job").inputs.spec.template.spec.containers[0].command[2];
        expect(script).not.toContain("kubectl patch installplans");
        expect(script).toContain("deadline=$(( $(date +%s) + 60 ))");
    });

    it("refuses an unknown approval before registering anything", async () => {
        const before = registrations.length;
        expect(
            () =>
                new mod.OperatorSubscription("bad", {
                    namespace: "x",
                    packageName: "p",
                    channel: "c",
                    source: "s",
                    installPlanApproval: "automatic",
                    createOperatorGroup: false,
                    crdNames: ["a.b"],
                }),
        ).toThrow(/installPlanApproval must be 'Automatic' or 'Manual', got "automatic"/);
        await settle();
        expect(registrations.length).toBe(before);
    });
});
