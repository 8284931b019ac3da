/** components/kubernetes/kubectlJob.ts: the gate Jobs' pod, and the ServiceAccount, RBAC and Job around it. */
import { beforeAll, describe, expect, it } from "vitest";
import type * as k8sTypes from "@pulumi/kubernetes";
import { KUBECTL_JOB_UID, kubectlJobPodSpec } from "../../../../components/kubernetes/kubectlJob";
import { PINNED } from "../../../../components/versions";
import { dependencyNames, one, parentOf, registrations, settle, setupMocks } from "../../../support/mocks";

describe("the kubectl gate pod", () => {
    it("runs restricted: non-root, no escalation, no capabilities, RuntimeDefault seccomp, requests and limits", () => {
        const pod = kubectlJobPodSpec({ serviceAccountName: "sa", image: PINNED.kubectlImages.openshift, script: "true" });
        expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        const c = (pod.containers as any[])[0];
        expect(c.securityContext).toEqual({
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        expect(c.resources).toEqual({ requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } });
        expect(c.image).toBe("registry.redhat.io/openshift4/ose-cli:v4.15");
        expect(pod.restartPolicy).toBe("Never");
        const k8sPod = kubectlJobPodSpec({ serviceAccountName: "sa", image: PINNED.kubectlImages.kubernetes, script: "true", runAsUser: KUBECTL_JOB_UID });
        expect(k8sPod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, runAsUser: 65532, runAsGroup: 65532 });
    });

});

const names = (r: Parameters<typeof dependencyNames>[0]) => dependencyNames(r).map((d) => d.split("::")[1]);

describe("declareKubectlJob", () => {
    const T = { sa: "kubernetes:core/v1:ServiceAccount", role: "kubernetes:rbac.authorization.k8s.io/v1:Role", binding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", clusterBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", job: "kubernetes:batch/v1:Job" };

    beforeAll(async () => {
        await setupMocks();
        const pulumi = await import("@pulumi/pulumi");
        const k8s: typeof k8sTypes = await import("@pulumi/kubernetes");
        const { declareKubectlJob } = await import("../../../../components/kubernetes/kubectlJob");
        class Gate extends pulumi.ComponentResource {
            constructor(name: string, withCluster: boolean) {
                super("test:index:Gate", name, {});
                const before = new k8s.core.v1.ConfigMap(`${name}-before`, {}, { parent: this });
                const read = new k8s.core.v1.ConfigMap(`${name}-read`, {}, { parent: this });
                declareKubectlJob(this, name, {
                    namespace: "ns",
                    image: PINNED.kubectlImages.kubernetes,
                    script: "true",
                    rules: { namespaced: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }], cluster: withCluster ? [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }] : [] },
                    timeoutSeconds: 300,
                    runAsUser: KUBECTL_JOB_UID,
                    component: "test-gate",
                    dependsOn: [before],
                    jobDependsOn: [read],
                });
            }
        }
        new Gate("g", true);
        new Gate("n", false);
        await settle();
    });

    it("declares exactly the ServiceAccount, the RBAC the rules need, and the Job", () => {
        const children = (p: string) => registrations.filter((r) => parentOf(r) === `test:index:Gate::${p}` && r.type !== "kubernetes:core/v1:ConfigMap").map((r) => `${r.type}::${r.name}`).sort();
        expect(children("g")).toEqual([`${T.sa}::g-sa`, `${T.role}::g-role`, `${T.binding}::g-rolebinding`, `${T.clusterRole}::g-clusterrole`, `${T.clusterBinding}::g-clusterrolebinding`, `${T.job}::g-job`].sort());
        expect(children("n")).toEqual([`${T.sa}::n-sa`, `${T.role}::n-role`, `${T.binding}::n-rolebinding`, `${T.job}::n-job`].sort());
    });

    it("labels without part-of, the deadlines a little past the script's, one retry", () => {
        const job = one(T.job, "g-job").inputs;
        const labels = { "app.kubernetes.io/name": "g", "app.kubernetes.io/component": "test-gate", "app.kubernetes.io/managed-by": "pulumi" };
        expect(job.metadata).toEqual({ name: expect.stringMatching(/^g-job-/), namespace: "ns", labels, annotations: { "pulumi.com/timeoutSeconds": "420" } });
        expect(job.spec.backoffLimit).toBe(1);
        expect(job.spec.activeDeadlineSeconds).toBe(360);
        expect(job.spec.template.metadata.labels).toEqual(labels);
        expect(job.spec.template.spec.serviceAccountName).toBe(one(T.sa, "g-sa").inputs.metadata.name);
        expect(one(T.sa, "g-sa").inputs.metadata).toMatchObject({ namespace: "ns", labels });
        expect(one(T.sa, "g-sa").inputs).not.toHaveProperty("automountServiceAccountToken");
    });

    it("every child waits for dependsOn; only the Job waits for the bindings and jobDependsOn", () => {
        for (const [type, name] of [[T.sa, "g-sa"], [T.role, "g-role"], [T.binding, "g-rolebinding"], [T.clusterRole, "g-clusterrole"], [T.clusterBinding, "g-clusterrolebinding"]] as const) {
            expect(names(one(type, name)), name).toContain("g-before");
            expect(names(one(type, name)), name).not.toContain("g-read");
        }
        expect(names(one(T.job, "g-job"))).toEqual(expect.arrayContaining(["g-before", "g-clusterrolebinding", "g-read", "g-rolebinding"]));
    });
});
