import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { optionalServiceAccount, withDependencies } from "./deps";
import { vaultFetchLoopScript } from "./scripts";
import {
    ContainerResources,
    VAULT_CA_DIR,
    VAULT_TOKEN_FILE,
    deploymentManifest,
    emptyDirVolume,
    restrictedContainer,
    vaultCaMount,
    vaultCaVolume,
    vaultTokenMount,
    vaultTokenVolume,
    workloadLabels,
} from "./workload";

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
        const dependsOn = opts?.dependsOn;
        const script =
            args.script ??
            vaultFetchLoopScript({
                vaultAddress: args.vaultAddress,
                authMount: args.authMount ?? "kubernetes",
                role: args.role,
                jwtFile: VAULT_TOKEN_FILE,
                secretPath: args.secretPath,
                outputFile: args.outputFile ?? "/tmp/keycloak-postgresql-vault",
                intervalSeconds: args.intervalSeconds ?? 60,
                workDir: "/tmp/.vault-fetch",
                caCertFile: args.vaultCaSecretName ? `${VAULT_CA_DIR}/ca.crt` : undefined,
            });
        const serviceAccount = optionalServiceAccount(this, name, args.createServiceAccount, { serviceAccountName: args.serviceAccountName, namespace: args.namespace, labels }, dependsOn);
        const manifest = deploymentManifest({
            name: deploymentName,
            namespace: args.namespace,
            labels,
            serviceAccountName: args.serviceAccountName,
            automountServiceAccountToken: false,
            runAsUser: args.runAsUser,
            containers: [
                restrictedContainer({
                    name: "vault-client",
                    image: args.image,
                    command: ["sh", "-c", script],
                    resources: args.resources,
                    volumeMounts: [
                        { name: "tmp", mountPath: "/tmp" },
                        vaultTokenMount(),
                        ...(args.vaultCaSecretName ? [vaultCaMount()] : []),
                    ],
                }),
            ],
            volumes: [
                emptyDirVolume("tmp", true),
                vaultTokenVolume(args.audience, args.tokenExpirationSeconds ?? 3600),
                ...(args.vaultCaSecretName ? [vaultCaVolume(args.vaultCaSecretName)] : []),
            ],
        });
        const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, manifest, {
            parent: this,
            dependsOn: withDependencies(dependsOn, ...serviceAccount),
        });

        this.deploymentName = deployment.urn.apply(() => deploymentName);
        this.registerOutputs({ deploymentName: this.deploymentName });
    }
}
