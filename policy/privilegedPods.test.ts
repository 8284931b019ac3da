import { describe, expect, it } from "vitest";
import { privilegedPods as policy } from "./policies";
import { isPrivilegeExempt } from "./rules/privilegedPods";
import { deployment, schemaDefaults, T, violations } from "./testing";

/** The DaemonSet vault-helm renders for the CSI provider with the values the VaultServer component sets. */
function csiProvider(namespace = "vault", name = "vault-csi-provider"): Record<string, unknown> {
    return {
        metadata: { name, namespace },
        spec: {
            template: {
                spec: {
                    containers: [
                        { name: "vault-csi-provider", image: "hashicorp/vault-csi-provider:1.7.4", securityContext: { privileged: true } },
                        { name: "vault-agent", image: "hashicorp/vault:2.0.4", securityContext: { allowPrivilegeEscalation: false } },
                    ],
                },
            },
        },
    };
}

describe("privileged-pods-only-vault-csi-provider", () => {
    it("is mandatory, with defaults", () => {
        expect(policy.enforcementLevel).toBe("mandatory");
        expect(schemaDefaults(policy)).toEqual({ vaultNamespaces: ["vault"], allowedPrivilegedDaemonSets: ["kube-system/secrets-store-csi-driver"] });
    });

    it("allows the Vault CSI provider DaemonSet in the vault namespace", async () => {
        expect(await violations(policy, { type: T.daemonSet, props: csiProvider() })).toEqual([]);
        expect(await violations(policy, { type: T.daemonSet, props: csiProvider("secrets", "openbao-csi-provider"), config: { vaultNamespaces: ["secrets"] } })).toEqual([]);
    });

    it("rejects the same DaemonSet in another namespace, under another name, or as another kind", async () => {
        expect(await violations(policy, { type: T.daemonSet, props: csiProvider("default") })).toEqual([expect.stringMatching(/DaemonSet 'default\/vault-csi-provider' asks for containers\[0\] \(vault-csi-provider\) privileged: true/)]);
        expect(await violations(policy, { type: T.daemonSet, props: csiProvider("vault", "node-exporter") })).toHaveLength(1);
        const asDeployment = { ...csiProvider(), kind: "Deployment" };
        expect(await violations(policy, { type: T.deployment, props: asDeployment })).toHaveLength(1);
    });

    it("rejects privileged, allowPrivilegeEscalation and SYS_ADMIN in any workload container", async () => {
        const dep = deployment([
            { name: "a", image: "a:1", securityContext: { privileged: true } },
            { name: "b", image: "b:1", securityContext: { allowPrivilegeEscalation: true } },
            { name: "c", image: "c:1", securityContext: { capabilities: { add: ["NET_BIND_SERVICE", "SYS_ADMIN"] } } },
        ]);
        const v = await violations(policy, { type: T.deployment, props: dep });
        expect(v).toEqual([
            expect.stringMatching(/Deployment 'team-a\/app' asks for containers\[0\] \(a\) privileged: true/),
            expect.stringMatching(/containers\[1\] \(b\) allowPrivilegeEscalation: true/),
            expect.stringMatching(/containers\[2\] \(c\) capabilities.add SYS_ADMIN/),
        ]);
    });

    it("checks init containers, hostPID, StatefulSets, Jobs, CronJobs and Pods", async () => {
        const init = deployment([{ name: "app", image: "app:1" }], { podSpec: { initContainers: [{ name: "setup", image: "s:1", securityContext: { privileged: true } }], hostPID: true } });
        expect(await violations(policy, { type: T.deployment, props: init })).toEqual([expect.stringMatching(/pod hostPID: true/), expect.stringMatching(/initContainers\[0\] \(setup\) privileged: true/)]);
        const podSpec = { containers: [{ name: "x", image: "x:1", securityContext: { privileged: true } }] };
        expect(await violations(policy, { type: T.statefulSet, props: { metadata: { name: "s", namespace: "vault" }, spec: { template: { spec: podSpec } } } })).toHaveLength(1);
        expect(await violations(policy, { type: T.job, props: { spec: { template: { spec: podSpec } } } })).toHaveLength(1);
        expect(await violations(policy, { type: T.cronJob, props: { spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } } })).toHaveLength(1);
        expect(await violations(policy, { type: T.pod, props: { spec: podSpec } })).toHaveLength(1);
    });

    it("accepts unprivileged workloads", async () => {
        const dep = deployment([{ name: "app", image: "app:1", securityContext: { privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } } }]);
        expect(await violations(policy, { type: T.deployment, props: dep })).toEqual([]);
    });

    it("allows the Secrets Store CSI driver stacks/operators.ts installs, and configured extra DaemonSets only", async () => {
        const ds = (namespace: string, name: string) => ({ metadata: { name, namespace }, spec: { template: { spec: { containers: [{ name: "secrets-store", image: "d:1", securityContext: { privileged: true } }] } } } });
        expect(await violations(policy, { type: T.daemonSet, props: ds("kube-system", "secrets-store-csi-driver") })).toEqual([]);
        expect(await violations(policy, { type: T.daemonSet, props: ds("default", "secrets-store-csi-driver") })).toHaveLength(1);
        expect(await violations(policy, { type: T.daemonSet, props: ds("kube-system", "csi-secrets-store") })).toHaveLength(1);
        expect(await violations(policy, { type: T.daemonSet, props: ds("kube-system", "csi-secrets-store"), config: { allowedPrivilegedDaemonSets: ["kube-system/csi-secrets-store"] } })).toEqual([]);
        // Setting the list replaces the default.
        expect(await violations(policy, { type: T.daemonSet, props: ds("kube-system", "secrets-store-csi-driver"), config: { allowedPrivilegedDaemonSets: [] } })).toHaveLength(1);
        expect(isPrivilegeExempt(T.daemonSet, undefined, "vault-csi-provider", {})).toBe(false);
    });
});
