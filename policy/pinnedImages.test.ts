import { describe, expect, it } from "vitest";
import { imagePinProblem, parseImage } from "./lib/k8s";
import { pinnedImages as policy } from "./policies";
import { chartVersionProblem, helmImageProblem } from "./rules/pinnedImages";
import { deployment, T, violations } from "./testing";

const DIGEST = "sha256:" + "a".repeat(64);

/** The values VaultServer passes to the vault chart (trimmed). */
const vaultValues = (overrides: Record<string, unknown> = {}) => ({
    server: { image: { tag: "2.0.4" } },
    injector: { enabled: true, image: { tag: "1.7.6" } },
    csi: { enabled: true, image: { tag: "1.7.4" } },
    ...overrides,
});

describe("image references", () => {
    it("parses registry ports, tags and digests", () => {
        expect(parseImage("registry.local:5000/team/app:1.2.3")).toEqual({ repository: "registry.local:5000/team/app", tag: "1.2.3", digest: undefined });
        expect(parseImage("registry.local:5000/team/app")).toEqual({ repository: "registry.local:5000/team/app", tag: undefined, digest: undefined });
        expect(parseImage(`app@${DIGEST}`)).toEqual({ repository: "app", tag: undefined, digest: DIGEST });
    });

    it.each([
        ["hashicorp/vault:2.0.4", undefined],
        ["registry.local:5000/app:1.0", undefined],
        [`app@${DIGEST}`, undefined],
        [`app:latest@${DIGEST}`, undefined],
        ["hashicorp/vault", "has no tag (Kubernetes pulls ':latest')"],
        ["registry.local:5000/app", "has no tag (Kubernetes pulls ':latest')"],
        ["app:latest", "uses the mutable tag ':latest'"],
        ["app:LATEST", "uses the mutable tag ':latest'"],
        ["app@sha256:abc", "has a malformed digest 'sha256:abc' (expected sha256:<64 hex>)"],
        ["", "is empty"],
    ])("imagePinProblem(%s)", (ref, expected) => {
        expect(imagePinProblem(ref)).toBe(expected);
    });
});

describe("pinned-images", () => {
    it("is mandatory", () => {
        expect(policy.enforcementLevel).toBe("mandatory");
    });

    it("accepts pinned images in every workload kind", async () => {
        const podSpec = { containers: [{ name: "a", image: "a:1.0.0" }], initContainers: [{ name: "i", image: `i@${DIGEST}` }] };
        for (const type of [T.deployment, T.daemonSet, T.statefulSet, T.job]) {
            expect(await violations(policy, { type, props: { spec: { template: { spec: podSpec } } } })).toEqual([]);
        }
        expect(await violations(policy, { type: T.cronJob, props: { spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } } })).toEqual([]);
        expect(await violations(policy, { type: T.pod, props: { spec: podSpec } })).toEqual([]);
    });

    it("rejects :latest, untagged and missing images, in containers and init containers", async () => {
        const dep = deployment([{ name: "a", image: "app:latest" }, { name: "b", image: "busybox" }, { name: "c" }], { podSpec: { initContainers: [{ name: "i", image: "alpine:latest" }] } });
        const v = await violations(policy, { type: T.deployment, name: "app", props: dep });
        expect(v).toEqual([
            expect.stringMatching(/Deployment 'app' containers\[0\] \(a\) image 'app:latest' uses the mutable tag ':latest'/),
            expect.stringMatching(/containers\[1\] \(b\) image 'busybox' has no tag/),
            expect.stringMatching(/containers\[2\] \(c\) image has no image/),
            expect.stringMatching(/initContainers\[0\] \(i\) image 'alpine:latest'/),
        ]);
        for (const type of [T.daemonSet, T.statefulSet, T.job]) {
            expect(await violations(policy, { type, props: { spec: { template: { spec: { containers: [{ name: "x", image: "x" }] } } } } })).toHaveLength(1);
        }
    });

    it("accepts the vault chart values the VaultServer component builds", async () => {
        expect(await violations(policy, { type: T.chartV4, props: { chart: "vault", version: "0.34.1", values: vaultValues() } })).toEqual([]);
        expect(await violations(policy, { type: T.chartV4, props: { chart: "vault", version: "0.34.1", values: vaultValues({ csi: { enabled: false } }) } })).toEqual([]);
    });

    it("rejects vault chart image tags that are latest, empty or missing", async () => {
        const latest = await violations(policy, { type: T.chartV4, name: "vault", props: { chart: "vault", version: "0.34.1", values: vaultValues({ server: { image: { tag: "latest" } } }) } });
        expect(latest).toEqual([expect.stringMatching(/Helm chart 'vault' values.server.image tag is the mutable tag 'latest'/)]);
        const missing = await violations(policy, { type: T.chartV4, props: { chart: "vault", version: "0.34.1", values: { injector: { enabled: true }, csi: { enabled: true, image: { tag: "" } } } } });
        expect(missing).toEqual([
            expect.stringMatching(/does not set values.server.image.tag/),
            expect.stringMatching(/does not set values.injector.image.tag/),
            expect.stringMatching(/values.csi.image tag is empty/),
        ]);
        const agent = await violations(policy, { type: T.releaseV3, props: { chart: "vault", version: "0.34.1", values: vaultValues({ injector: { image: { tag: "1.7.6" }, agentImage: { repository: "hashicorp/vault", tag: "latest" } } }) } });
        expect(agent).toEqual([expect.stringMatching(/values.injector.agentImage tag is the mutable tag 'latest'/)]);
    });

    it("rejects unpinned chart versions, and latest image tags in other charts' values", async () => {
        expect(await violations(policy, { type: T.chartV4, name: "vso", props: { chart: "vault-secrets-operator", values: {} } })).toEqual([expect.stringMatching(/Helm chart 'vso' has no chart version/)]);
        expect(await violations(policy, { type: T.releaseV3, props: { chart: "stackgres-operator", version: "^1.18.0" } })).toEqual([expect.stringMatching(/version range '\^1.18.0'/)]);
        const other = await violations(policy, { type: T.chartV4, props: { chart: "secrets-store-csi-driver", version: "1.5.4", values: { linux: { image: { repository: "r", tag: "latest" }, registrarImage: "registry.k8s.io/sig-storage/csi-node-driver-registrar" } } } });
        expect(other).toEqual([expect.stringMatching(/values.linux.image tag is the mutable tag 'latest'/), expect.stringMatching(/values.linux.registrarImage has no tag/)]);
        expect(await violations(policy, { type: T.chartV4, props: { chart: "./charts/local", values: {} } })).toEqual([]);
    });

    it("pure helpers", () => {
        expect(helmImageProblem({ repository: "r" })).toBeUndefined();
        expect(helmImageProblem({ repository: "r", tag: 1.7 })).toBeUndefined();
        expect(helmImageProblem({ digest: "a".repeat(64) })).toBeUndefined();
        expect(helmImageProblem({ digest: "sha256:zz" })).toMatch(/malformed digest/);
        expect(chartVersionProblem({ chart: "vault", version: "0.34.1" })).toBeUndefined();
        expect(chartVersionProblem({ chart: "vault", version: "0.x" })).toMatch(/version range/);
        expect(chartVersionProblem({ chart: "oci://registry/charts/vault", version: "1.0.0-rc.1" })).toBeUndefined();
    });
});
