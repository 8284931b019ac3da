import * as pulumi from "@pulumi/pulumi";
import { vaultFetcherContainer, vaultFetcherScript, vaultLoginVolumes } from "./vaultFetcher";
import { ContainerResources, emptyDirVolume, workloadLabels } from "./workload";
import { createWorkload } from "./workloadResources";

/** Arguments of {@link DirectVaultAccess}. */
export interface DirectVaultAccessArgs {
    /** Namespace of the Deployment. */
    namespace: string;
    /** Vault as pods reach it, e.g. `http://vault.vault.svc.cluster.local:8200`. */
    vaultAddress: string;
    /** Kubernetes auth mount. Defaults to `kubernetes`. */
    authMount?: string;
    /** Vault Kubernetes auth role (bound to `serviceAccountName` in `namespace`). */
    role: string;
    /** Vault API path to read (seed: `kv-v2/data/keycloak-postgresql/config`). */
    secretPath: string;
    /** File receiving the raw API response. Defaults to `/tmp/keycloak-postgresql-vault` (seed). */
    outputFile?: string;
    /** Seconds between reads. Defaults to 60. */
    intervalSeconds?: number;
    /** Audience of the projected login token; must match the role's bound audience. */
    audience: string;
    /** Lifetime of the projected token (the kubelet renews it). Defaults to 3600. */
    tokenExpirationSeconds?: number;
    /** Secret holding Vault's CA under `ca.crt` (https Vault). */
    vaultCaSecretName?: string;
    /** The pod's service account. */
    serviceAccountName: string;
    /** Create `serviceAccountName` (false when it exists, e.g. `default`). */
    createServiceAccount?: boolean;
    /** metadata.name of the Deployment. Defaults to the component name. */
    deploymentName?: string;
    /** Image with `sh`, `curl` and `sed` (pinned). */
    image: string;
    /** Replaces the generated script (see {@link vaultFetchLoopScript}); run with `sh -c`. */
    script?: string;
    /** Resources of the container. */
    resources?: ContainerResources;
    /** Fixed UID for plain Kubernetes with root-default images; leave unset on OpenShift. */
    runAsUser?: number;
    /** Extra labels. */
    labels?: { [key: string]: string };
}

/**
 * A Deployment that talks to Vault's HTTP API itself: it logs in with its projected service
 * account token, reads one path into a file (the raw response, like the seed) and re-reads it on an
 * interval. No operator, driver or sidecar involved.
 */
export class DirectVaultAccess extends pulumi.ComponentResource {
    /** Name of the Deployment. */
    public readonly deploymentName: pulumi.Output<string>;

    constructor(name: string, args: DirectVaultAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultkit:index:DirectVaultAccess", name, args, opts);
        const deploymentName = args.deploymentName ?? name;
        const labels = workloadLabels(deploymentName, "direct-vault-access", args.labels);
        const script =
            args.script ??
            vaultFetcherScript({
                vaultAddress: args.vaultAddress,
                authMount: args.authMount,
                role: args.role,
                secretPath: args.secretPath,
                outputFile: args.outputFile ?? "/tmp/keycloak-postgresql-vault",
                intervalSeconds: args.intervalSeconds ?? 60,
                workDir: "/tmp/.vault-fetch",
                vaultCaSecretName: args.vaultCaSecretName,
            });
        this.deploymentName = createWorkload(
            this,
            name,
            args,
            { deploymentName, labels, automountServiceAccountToken: false },
            () => ({
                containers: [
                    vaultFetcherContainer({
                        name: "vault-client",
                        image: args.image,
                        script,
                        resources: args.resources,
                        workMounts: [{ name: "tmp", mountPath: "/tmp" }],
                        vaultCaSecretName: args.vaultCaSecretName,
                    }),
                ],
                volumes: [emptyDirVolume("tmp", true), ...vaultLoginVolumes(args.audience, args.tokenExpirationSeconds, args.vaultCaSecretName)],
            }),
            opts?.dependsOn,
        );
        this.registerOutputs({ deploymentName: this.deploymentName });
    }
}
