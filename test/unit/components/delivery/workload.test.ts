/** The pod security data of components/delivery/workload.ts: resources, pinned restricted containers, Deployments, the projected token. No Pulumi engine involved. */
import { describe, expect, it } from "vitest";
import { deploymentManifest, resourceRequirements, restrictedContainer, vaultTokenVolume } from "../../../../components/delivery/workload";

describe("pod security", () => {
    it("always sets requests and limits", () => {
        expect(resourceRequirements()).toEqual({ requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } });
        expect(resourceRequirements({ memoryLimit: "128Mi" }).limits).toEqual({ cpu: "100m", memory: "128Mi" });
    });

    it("refuses unpinned images", () => {
        const c = { name: "c", command: ["true"], volumeMounts: [] };
        expect(() => restrictedContainer({ ...c, image: "postgres" })).toThrow(/pinned/);
        expect(() => restrictedContainer({ ...c, image: "postgres:latest" })).toThrow(/pinned/);
        expect(restrictedContainer({ ...c, image: "docker.io/library/postgres:16.1" }).image).toBe("docker.io/library/postgres:16.1");
    });

    it("builds one-replica Deployments selecting their own pods", () => {
        const m = deploymentManifest({
            name: "d",
            namespace: "ns",
            labels: { a: "b", "app.kubernetes.io/name": "d", "app.kubernetes.io/instance": "d" },
            serviceAccountName: "sa",
            automountServiceAccountToken: false,
            containers: [],
            volumes: [],
        });
        expect(m.spec.replicas).toBe(1);
        expect(m.spec.selector).toEqual({ matchLabels: { "app.kubernetes.io/name": "d", "app.kubernetes.io/instance": "d" } });
        expect(() => vaultTokenVolume("aud", 300)).toThrow(/600/);
        expect(vaultTokenVolume("aud")).toEqual({
            name: "vault-token",
            projected: { sources: [{ serviceAccountToken: { audience: "aud", expirationSeconds: 3600, path: "token" } }] },
        });
    });
});
