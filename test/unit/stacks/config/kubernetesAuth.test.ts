/** stacks/config/kubernetesAuth.ts: `vaultkit:kubernetesAuth` and `vaultkit:kubernetesTokenReviewerJwt`, and what a Vault outside the cluster needs. */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../../stacks/config";
import { REVIEWER_JWT, externalVault, inClusterVault, valid, type Case, itRefusesEach } from "./fixtures";

describe("valid kubernetesAuth config", () => {
    it("accepts an existing Vault outside the cluster with the API server's URL, CA and a reviewer token", () => {
        const raw = valid();
        externalVault(raw);
        const c = parseStackConfig("ext", raw);
        expect(c.kubernetesAuth.vaultRunsInCluster).toBe(false);
        expect(c.kubernetesTokenReviewerJwt).toBe(REVIEWER_JWT);
    });

    it("accepts an existing Vault that runs in this cluster without CA or reviewer token (its pod has both)", () => {
        const raw = valid();
        inClusterVault(raw);
        const c = parseStackConfig("in", raw, { vaultToken: "hvs.t" });
        expect(c.kubernetesAuth).toMatchObject({ vaultRunsInCluster: true, kubernetesHost: "https://kubernetes.default.svc" });
    });
});

const cases: Case[] = [
    ["token reviewer for a Vault in the cluster", (r) => (r.kubernetesTokenReviewerJwt = "eyJhbGciOiJSUzI1NiJ9.e30.sig-0123456789"), "vaultkit:kubernetesTokenReviewerJwt", /deployed in the cluster/],
    ["API CA that is not PEM", (r) => (r.kubernetesAuth = { kubernetesCaCert: "MIIB..." }), "vaultkit:kubernetesAuth.kubernetesCaCert", /PEM certificate/],
    ["existing Vault outside the cluster without the API CA", (r) => (externalVault(r), delete r.kubernetesAuth.kubernetesCaCert), "vaultkit:kubernetesAuth.kubernetesCaCert", /API server's CA.*vaultRunsInCluster true/],
    ["existing Vault outside the cluster without a reviewer token", (r) => (externalVault(r), delete r.kubernetesTokenReviewerJwt), "vaultkit:kubernetesTokenReviewerJwt", /system:auth-delegator.*vaultRunsInCluster true/],
    ["existing Vault outside the cluster calling kubernetes.default.svc", (r) => (externalVault(r), delete r.kubernetesAuth.kubernetesHost), "vaultkit:kubernetesAuth.kubernetesHost", /kubernetes\.default\.svc resolves only inside a cluster/],
    ["existing Vault outside the cluster with an in-cluster API name", (r) => (externalVault(r), (r.kubernetesAuth.kubernetesHost = "https://kubernetes.default.svc.cluster.local:443")), "vaultkit:kubernetesAuth.kubernetesHost", /resolves only inside a cluster/],
    ["deployed Vault said to run outside the cluster", (r) => (r.kubernetesAuth = { vaultRunsInCluster: false }), "vaultkit:kubernetesAuth.vaultRunsInCluster", /deploys runs in the cluster/],
];

describe("bad kubernetesAuth input fails with the key, what was expected and what was given", () => {
    itRefusesEach(cases);
});
