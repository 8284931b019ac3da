/**
 * `vaultkit:kubernetesAuth` (and `vaultkit:kubernetesTokenReviewerJwt`): the Kubernetes auth method
 * pods log in to Vault with, and what it needs when Vault runs outside the cluster.
 */
import { z } from "zod";
import { PEM_CERTIFICATE, url, vaultMount } from "./primitives";
import type { CrossFieldRule } from "./rules";

/** `vaultkit:kubernetesAuth`. */
export const kubernetesAuthSchema = z
    .strictObject({
        mount: vaultMount.default("kubernetes"),
        /** The API server Vault calls for TokenReview; the in-cluster name, not a service IP. */
        kubernetesHost: url.default("https://kubernetes.default.svc"),
        /** Audience bound on every role; OpenShift's default API audience (seed). */
        audience: z.string().min(1, { error: "expected a non-empty audience" }).default("https://kubernetes.default.svc"),
        /** Vault outside the cluster: the API server's CA (PEM). */
        kubernetesCaCert: z.string({ error: "expected a PEM certificate" }).regex(PEM_CERTIFICATE, {
            error: "expected a PEM certificate (-----BEGIN CERTIFICATE----- ...)",
        }).optional(),
        /**
         * Whether Vault runs as a pod in this cluster (then it reviews tokens with its pod's own CA
         * and service account token). Always true for a Vault this stack deploys; an existing Vault
         * outside the cluster needs `kubernetesCaCert`, `kubernetesTokenReviewerJwt` and a
         * `kubernetesHost` it can reach instead.
         */
        vaultRunsInCluster: z.boolean({ error: "expected true or false" }).optional(),
    })
    .prefault({});


/** The in-cluster API server names, which resolve only inside a cluster. */
function isInClusterHost(url: string): boolean {
    const host = new URL(url).hostname;
    return host === "kubernetes.default" || host.endsWith(".svc") || host.endsWith(".svc.cluster.local");
}

/** Whether Vault runs as a pod in this cluster: always when deployed here; an existing one only when said so. */
export function vaultRunsInCluster(c: { vault: { mode: string }; kubernetesAuth: { vaultRunsInCluster?: boolean } }): boolean {
    return c.vault.mode === "deploy" || c.kubernetesAuth.vaultRunsInCluster === true;
}

/**
 * Kubernetes auth needs a CA and a token to review logins. A pod has both in
 * /var/run/secrets/kubernetes.io/serviceaccount; a Vault outside the cluster has neither, and
 * writing `auth/<mount>/config` without them fails (`open .../ca.crt: no such file or directory`).
 */
export const kubernetesAuthRules: CrossFieldRule = (c, r) => {
    const k = c.kubernetesAuth;
    const inClusterHint = "or set vaultkit:kubernetesAuth.vaultRunsInCluster true if this Vault runs as a pod in this cluster";
    if (c.vault.mode === "deploy") {
        if (k.vaultRunsInCluster === false) {
            r.add(["kubernetesAuth", "vaultRunsInCluster"], "expected true or nothing: a Vault this stack deploys runs in the cluster");
        }
        if (c.kubernetesTokenReviewerJwt || k.kubernetesCaCert) {
            r.add(
                [c.kubernetesTokenReviewerJwt ? "kubernetesTokenReviewerJwt" : "kubernetesAuth"],
                "expected no token reviewer or API CA for a Vault deployed in the cluster (it uses its own pod's token and CA)",
            );
        }
    } else if (c.vault.configure && !vaultRunsInCluster(c)) {
        if (!k.kubernetesCaCert) {
            r.add(
                ["kubernetesAuth", "kubernetesCaCert"],
                "expected the API server's CA (PEM) for an existing Vault outside the cluster, which has no pod CA to verify TokenReview calls with " +
                    `(kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d); ${inClusterHint}`,
            );
        }
        if (!c.kubernetesTokenReviewerJwt) {
            r.add(
                ["kubernetesTokenReviewerJwt"],
                "expected a token of a service account bound to system:auth-delegator for an existing Vault outside the cluster, which has no pod token to review logins with " +
                    `(pulumi config set --secret vaultkit:kubernetesTokenReviewerJwt ...); ${inClusterHint}`,
            );
        }
        if (isInClusterHost(k.kubernetesHost)) {
            r.add(
                ["kubernetesAuth", "kubernetesHost"],
                `expected the API server's URL as an existing Vault outside the cluster reaches it (${new URL(k.kubernetesHost).hostname} resolves only inside a cluster; ` +
                    `kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}'); ${inClusterHint}`,
            );
        }
    }
};
