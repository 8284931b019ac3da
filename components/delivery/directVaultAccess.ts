import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, refuseWholeOutputs, VaultConnection, VaultKubernetesLogin, WorkloadSpec } from "./args";
import { assertFetcherLogin, fetcherContainerInput, vaultLoginVolumes } from "./vaultFetcher";
import { emptyDirVolume } from "./workload";
import { createWorkload } from "./workloadResources";

/** Arguments of {@link DirectVaultAccess}. */
export interface DirectVaultAccessArgs {
    /** Namespace of the Deployment. A Namespace's `metadata.name` also makes it wait for it. */
    namespace: pulumi.Input<string>;
    /** Vault as pods reach it; `address` is required. */
    vault: VaultConnection;
    /** How the pod logs in, as its service account; `audience` is required (the pod mounts a token bound to it). */
    login: VaultKubernetesLogin;
    /** Vault API path to read (seed: `kv-v2/data/keycloak-postgresql/config`). */
    apiPath: pulumi.Input<string>;
    /** File receiving the raw API response. Defaults to `/tmp/keycloak-postgresql-vault` (seed). */
    outputFile?: string;
    /** Seconds between reads. Defaults to 60. */
    fetchIntervalSeconds?: number;
    /** The Deployment and its service account. */
    workload: WorkloadSpec;
    /** The container: an image with `sh`, `curl` and `sed`; `command` replaces the generated loop (see {@link vaultFetchLoopScript}). */
    container: ContainerSpec;
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
        refuseWholeOutputs("DirectVaultAccess", { vault: args.vault, login: args.login, workload: args.workload });
        assertFetcherLogin("DirectVaultAccess", args);
        super("vaultkit:index:DirectVaultAccess", name, args, opts);
        const container = fetcherContainerInput("vault-client", args, args.container, {
            apiPath: args.apiPath,
            outputFile: args.outputFile ?? "/tmp/keycloak-postgresql-vault",
            fetchIntervalSeconds: args.fetchIntervalSeconds ?? 60,
            workDir: "/tmp/.vault-fetch",
            workMounts: [{ name: "tmp", mountPath: "/tmp" }],
        });
        this.deploymentName = createWorkload(
            name,
            args,
            {
                pattern: "direct-vault-access",
                automountServiceAccountToken: false,
                containers: [container],
                volumes: [emptyDirVolume("tmp", true), ...vaultLoginVolumes(args)],
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({ deploymentName: this.deploymentName });
    }
}
