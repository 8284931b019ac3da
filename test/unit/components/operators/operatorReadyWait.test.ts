/**
 * OperatorReadyWait under the mock engine: exactly its ServiceAccount, RBAC and Job, the script the
 * Job runs, the rules it is bound to, and the component's dependencies handed to every child.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { childNames, dependsOnTransitively, one, parentOf, registrations, settle, setupMocks, valueOf } from "../../../support/mocks";
import { Marker } from "../../../support/types";

const TYPE = "vaultkit:index:OperatorReadyWait";
const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";

let mod: typeof import("../../../../components/operators/operatorReadyWait");
let helmWait: import("../../../../components/operators/operatorReadyWait").OperatorReadyWait;

const children = (name: string) => childNames(`${TYPE}::${name}`);

beforeAll(async () => {
    await setupMocks();
    mod = await import("../../../../components/operators/operatorReadyWait");
    const gate = new Marker("test:index:Marker", "namespace-gate");
    helmWait = new mod.OperatorReadyWait(
        "charts-wait",
        { namespace: "stackgres", image: "registry.k8s.io/kubectl:v1.31.0", crdNames: ["sgclusters.stackgres.io"], runAsUser: 65532, timeoutSeconds: 120 },
        { dependsOn: [gate] },
    );
    new mod.OperatorReadyWait("olm-wait", {
        namespace: "openshift-operators",
        image: "registry.redhat.io/openshift4/ose-cli:v4.15",
        subscriptionName: "stackgres",
        csvPrefix: "stackgres",
        pinnedCsv: "stackgres.v1.18.6",
        crdNames: ["sgclusters.stackgres.io", "sgscripts.stackgres.io"],
    });
    await settle();
});

describe("OperatorReadyWait", () => {
    it("has exactly a ServiceAccount, a ClusterRole with its binding and the Job, plus a Role and binding when OLM objects are read", () => {
        const cluster = (n: string) => [`kubernetes:batch/v1:Job::${n}-job`, `kubernetes:core/v1:ServiceAccount::${n}-sa`, `${RBAC}:ClusterRole::${n}-clusterrole`, `${RBAC}:ClusterRoleBinding::${n}-clusterrolebinding`];
        expect(children("charts-wait")).toEqual(cluster("charts-wait").sort());
        expect(children("olm-wait")).toEqual([...cluster("olm-wait"), `${RBAC}:Role::olm-wait-role`, `${RBAC}:RoleBinding::olm-wait-rolebinding`].sort());
    });

    it("runs the wait script for exactly its arguments, in its namespace, with the given image and UID", () => {
        const job = one("kubernetes:batch/v1:Job", "charts-wait-job");
        expect(job.inputs.metadata.namespace).toBe("stackgres");
        const pod = job.inputs.spec.template.spec;
        expect(pod.containers[0].image).toBe("registry.k8s.io/kubectl:v1.31.0");
        expect(pod.containers[0].command[2]).toBe(mod.operatorWaitScript({ namespace: "stackgres", crdNames: ["sgclusters.stackgres.io"], timeoutSeconds: 120 }));
        expect(pod.securityContext.runAsUser).toBe(65532);

        const olm = one("kubernetes:batch/v1:Job", "olm-wait-job").inputs.spec.template.spec;
        expect(olm.containers[0].command[2]).toBe(
            mod.operatorWaitScript({
                namespace: "openshift-operators",
                subscriptionName: "stackgres",
                csvPrefix: "stackgres",
                pinnedCsv: "stackgres.v1.18.6",
                crdNames: ["sgclusters.stackgres.io", "sgscripts.stackgres.io"],
                timeoutSeconds: mod.DEFAULT_OPERATOR_WAIT_SECONDS,
            }),
        );
        // No UID on OpenShift: its SCC assigns one.
        expect(olm.securityContext.runAsUser).toBeUndefined();
    });

    it("binds only the rules the script needs: CRD reads, plus the Subscription/CSV/InstallPlan rules for a pinned OLM operator", () => {
        expect(one(`${RBAC}:ClusterRole`, "charts-wait-clusterrole").inputs.rules).toEqual(mod.operatorWaitRules({}).cluster);
        expect(one(`${RBAC}:Role`, "olm-wait-role").inputs.rules).toEqual(mod.operatorWaitRules({ subscriptionName: "stackgres", pinnedCsv: "stackgres.v1.18.6" }).namespaced);
        expect(one(`${RBAC}:ClusterRole`, "olm-wait-clusterrole").inputs.rules).toEqual(mod.operatorWaitRules({}).cluster);
    });

    it("hands its dependsOn to every child, and `ready` is the Job", async () => {
        const gate = one("test:index:Marker", "namespace-gate");
        for (const r of registrations.filter((x) => parentOf(x) === `${TYPE}::charts-wait`)) {
            expect(dependsOnTransitively(r, gate), `${r.type}::${r.name}`).toBe(true);
        }
        expect(await Promise.all(helmWait.ready.map((r) => valueOf((r as pulumi.CustomResource).urn)))).toEqual([one("kubernetes:batch/v1:Job", "charts-wait-job").urn]);
    });

    it("refuses bad input before registering anything", async () => {
        const before = registrations.length;
        expect(() => new mod.OperatorReadyWait("bad", { namespace: "Not_A_Name", image: "x:1", crdNames: ["a.b"] })).toThrow(/namespace must be a Kubernetes object name/);
        expect(() => new mod.OperatorReadyWait("empty", { namespace: "ns", image: "x:1", crdNames: [] })).toThrow(/nothing to wait for/);
        await settle();
        expect(registrations.length).toBe(before);
    });

    it("takes names another program computes (Outputs): the script and the RBAC use them once known", async () => {
        new mod.OperatorReadyWait("computed", {
            namespace: pulumi.output("computed-ns"),
            image: "registry.k8s.io/kubectl:v1.31.0",
            subscriptionName: pulumi.output("computed-sub"),
            crdNames: [pulumi.output("widgets.example.com")],
        });
        await settle();
        const job = one("kubernetes:batch/v1:Job", "computed-job");
        expect(job.inputs.metadata.namespace).toBe("computed-ns");
        expect(job.inputs.spec.template.spec.containers[0].command[2]).toBe(
            mod.operatorWaitScript({ namespace: "computed-ns", subscriptionName: "computed-sub", crdNames: ["widgets.example.com"], timeoutSeconds: mod.DEFAULT_OPERATOR_WAIT_SECONDS }),
        );
        expect(one(`${RBAC}:Role`, "computed-role").inputs.rules[0].resourceNames).toEqual(["computed-sub"]);
    });
});
