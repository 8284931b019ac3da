/** stacks/config/kubernetesAuth.ts: `vaultkit:kubernetesAuth` and `vaultkit:kubernetesTokenReviewerJwt`, and what a Vault outside the cluster needs. */
import { describe, expect, it } from "vitest";
import { parseStackConfig, vaultRunsInCluster } from "../../../../stacks/config";
import { type Accepted, type Case, type ExactCase, externalVault, inClusterVault, itAcceptsEach, itRefusesEach, itRefusesEachExactly, PEM, platformOwned, REVIEWER_JWT, valid } from "./fixtures";

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

describe("kubernetesAuth, word for word", () => {
    const MISSING = "nothing (the key is missing)";
    const hint = "or set vaultkit:kubernetesAuth.vaultRunsInCluster true if this Vault runs as a pod in this cluster";
    const quoted = (v: unknown) => (JSON.stringify(v).length > 80 ? `${JSON.stringify(v).slice(0, 77)}...` : JSON.stringify(v));
    const inClusterName = (host: string) =>
        `expected the API server's URL as an existing Vault outside the cluster reaches it (${host} resolves only inside a cluster; ` +
        `kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}'); ${hint}`;

    it("fills the defaults", () => {
        expect(parseStackConfig("t", valid()).kubernetesAuth).toEqual({ mount: "kubernetes", kubernetesHost: "https://kubernetes.default.svc", audience: "https://kubernetes.default.svc", vaultRunsInCluster: true });
    });

    const exact: ExactCase[] = [
        ["an empty audience", (r) => (r.kubernetesAuth = { audience: "" }), "vaultkit:kubernetesAuth.audience", "expected a non-empty audience", '""'],
        ["an API CA that is not a string", (r) => (r.kubernetesAuth = { kubernetesCaCert: 5 }), "vaultkit:kubernetesAuth.kubernetesCaCert", "expected a PEM certificate", "5"],
        ["an API CA that is not PEM", (r) => (r.kubernetesAuth = { kubernetesCaCert: "MIIB" }), "vaultkit:kubernetesAuth.kubernetesCaCert", "expected a PEM certificate (-----BEGIN CERTIFICATE----- ...)", '"MIIB"'],
        ["vaultRunsInCluster not a boolean", (r) => (r.kubernetesAuth = { vaultRunsInCluster: "yes" }), "vaultkit:kubernetesAuth.vaultRunsInCluster", "expected true or false", '"yes"'],
        ["a deployed Vault said to run outside", (r) => (r.kubernetesAuth = { vaultRunsInCluster: false }), "vaultkit:kubernetesAuth.vaultRunsInCluster", "expected true or nothing: a Vault this stack deploys runs in the cluster", "false"],
        [
            "a reviewer token for a deployed Vault",
            (r) => ((r.kubernetesTokenReviewerJwt = REVIEWER_JWT), (r.kubernetesAuth = { kubernetesCaCert: PEM })),
            "vaultkit:kubernetesTokenReviewerJwt",
            "expected no token reviewer or API CA for a Vault deployed in the cluster (it uses its own pod's token and CA)",
            "[secret]",
        ],
        [
            "an API CA for a deployed Vault",
            (r) => (r.kubernetesAuth = { kubernetesCaCert: PEM }),
            "vaultkit:kubernetesAuth",
            "expected no token reviewer or API CA for a Vault deployed in the cluster (it uses its own pod's token and CA)",
            quoted({ kubernetesCaCert: PEM }),
        ],
        [
            "an outside Vault without the API CA",
            (r) => (externalVault(r), delete r.kubernetesAuth.kubernetesCaCert),
            "vaultkit:kubernetesAuth.kubernetesCaCert",
            "expected the API server's CA (PEM) for an existing Vault outside the cluster, which has no pod CA to verify TokenReview calls with " +
                `(kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d); ${hint}`,
            MISSING,
        ],
        [
            "an outside Vault without a reviewer token",
            (r) => (externalVault(r), delete r.kubernetesTokenReviewerJwt),
            "vaultkit:kubernetesTokenReviewerJwt",
            "expected a token of a service account bound to system:auth-delegator for an existing Vault outside the cluster, which has no pod token to review logins with " +
                `(pulumi config set --secret vaultkit:kubernetesTokenReviewerJwt ...); ${hint}`,
            "[secret]",
        ],
        ["an outside Vault calling the default in-cluster name", (r) => (externalVault(r), delete r.kubernetesAuth.kubernetesHost), "vaultkit:kubernetesAuth.kubernetesHost", inClusterName("kubernetes.default.svc"), MISSING],
        ...(["https://kubernetes.default:443", "https://api.svc", "https://kubernetes.default.svc.cluster.local"].map(
            (url): ExactCase => [`an outside Vault calling ${url}`, (r) => (externalVault(r), (r.kubernetesAuth.kubernetesHost = url)), "vaultkit:kubernetesAuth.kubernetesHost", inClusterName(new URL(url).hostname), JSON.stringify(url)],
        )),
    ];
    itRefusesEachExactly(exact);

    const accepted: Accepted[] = [
        ...(["https://kubernetes.default.example.com:6443", "https://svc.example.com", "https://api.svc.example.com", "https://mysvc"].map((url): Accepted => [`an outside Vault calling ${url}`, (r) => (externalVault(r), (r.kubernetesAuth.kubernetesHost = url))])),
        ["an outside Vault configured by another team, with nothing for Kubernetes auth", (r) => (Object.assign(r, platformOwned()), (r.vault.configure = false))],
        ["a deployed Vault said to run in the cluster", (r) => (r.kubernetesAuth = { vaultRunsInCluster: true, audience: "vault" })],
    ];
    itAcceptsEach(accepted);
});

describe("vaultRunsInCluster", () => {
    it("is true for a deployed Vault and for an existing one only when said so", () => {
        expect(vaultRunsInCluster({ vault: { mode: "deploy" }, kubernetesAuth: {} })).toBe(true);
        expect(vaultRunsInCluster({ vault: { mode: "deploy" }, kubernetesAuth: { vaultRunsInCluster: false } })).toBe(true);
        expect(vaultRunsInCluster({ vault: { mode: "existing" }, kubernetesAuth: { vaultRunsInCluster: true } })).toBe(true);
        expect(vaultRunsInCluster({ vault: { mode: "existing" }, kubernetesAuth: { vaultRunsInCluster: false } })).toBe(false);
        expect(vaultRunsInCluster({ vault: { mode: "existing" }, kubernetesAuth: {} })).toBe(false);
    });
});
