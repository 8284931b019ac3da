import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ContainerResources, SECRETS_MOUNT_PATH, appContainer, emptyDirVolume, workloadLabels } from "./workload";
import { createWorkload } from "./workloadResources";
import { SECRETS_STORE_CSI_DRIVER } from "../kubernetes/secretsStoreCsi";

/** API version of SecretProviderClass (secrets-store-csi-driver v1.6.0 storage version). */
export const SPC_API_VERSION = "secrets-store.csi.x-k8s.io/v1";

/** One file the Vault CSI provider writes into the volume. */
export interface CsiSecretObject {
    /** File name inside the mount (seed: `keycloak-postgresql-vault`). */
    objectName: string;
    /** Vault API path (seed: `kv-v2/data/keycloak-postgresql/config`). */
    secretPath: string;
    /** One key of the response's data; omitted, the file holds the whole API response JSON (seed). */
    secretKey?: string;
}

/**
 * The Vault provider's `objects` parameter: a YAML list (a string inside the SPC). Without
 * `secretKey` the provider writes the whole response, which is what the seed's `cat` shows.
 */
export function csiObjectsYaml(objects: CsiSecretObject[]): string {
    if (objects.length === 0) {
        throw new Error("objects must list at least one secret (the provider refuses an empty list)");
    }
    const seen = new Set<string>();
    const list = objects.map((o) => {
        if (!/^[A-Za-z0-9._-]+$/.test(o.objectName) || o.objectName === "." || o.objectName === "..") {
            throw new Error(`objectName must be a file name, got ${JSON.stringify(o.objectName)}`);
        }
        if (seen.has(o.objectName)) {
            throw new Error(`objectName ${JSON.stringify(o.objectName)} is listed twice`);
        }
        seen.add(o.objectName);
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/.test(o.secretPath)) {
            throw new Error(`secretPath must be a Vault API path like 'kv-v2/data/app/config', got ${JSON.stringify(o.secretPath)}`);
        }
        return { objectName: o.objectName, secretPath: o.secretPath, ...(o.secretKey ? { secretKey: o.secretKey } : {}) };
    });
    return YAML.stringify(list);
}

/** Inputs of {@link secretProviderClassSpec}. */
export interface SecretProviderClassInputs {
    /** Vault Kubernetes auth role the provider logs in with, as the pod's service account. */
    roleName: string;
    /** Files to write. */
    objects: CsiSecretObject[];
    /** Vault address; omit to use the one the Vault chart gave the provider (HashiCorp's advice). */
    vaultAddress?: string;
    /** Kubernetes auth mount; omitted means the provider default `kubernetes`. */
    authMount?: string;
    /** Audience of the token the provider requests; must match the role's bound audience. */
    audience?: string;
    /**
     * Path of Vault's CA inside the CSI provider pod (`vaultCACertPath`), for a Vault serving TLS
     * from a private CA. The Vault chart mounts it there (VaultServer with `clientCaSecretName`).
     */
    vaultCaCertPath?: string;
}

/** Where VaultServer mounts Vault's CA into the CSI provider pod. */
export const CSI_PROVIDER_VAULT_CA_PATH = "/vault/userconfig/vault-ca/ca.crt";

/** `spec` of a Vault SecretProviderClass. */
export function secretProviderClassSpec(i: SecretProviderClassInputs): { provider: string; parameters: Record<string, string> } {
    if (!i.roleName) {
        throw new Error("roleName is required: the Vault CSI provider refuses a SecretProviderClass without it");
    }
    return {
        provider: "vault",
        parameters: {
            roleName: i.roleName,
            ...(i.vaultAddress ? { vaultAddress: i.vaultAddress } : {}),
            ...(i.vaultCaCertPath ? { vaultCACertPath: i.vaultCaCertPath } : {}),
            ...(i.authMount && i.authMount !== "kubernetes" ? { vaultKubernetesMountPath: i.authMount } : {}),
            ...(i.audience ? { audience: i.audience } : {}),
            objects: csiObjectsYaml(i.objects),
        },
    };
}

/** The inline CSI volume that mounts a SecretProviderClass (read-only). */
export function csiVolume(secretProviderClassName: string): k8s.types.input.core.v1.Volume {
    return {
        name: "secrets-store",
        csi: { driver: SECRETS_STORE_CSI_DRIVER, readOnly: true, volumeAttributes: { secretProviderClass: secretProviderClassName } },
    };
}

/** Arguments of {@link CsiSecretMount}. */
export interface CsiSecretMountArgs {
    /** Namespace of the SecretProviderClass and the Deployment. */
    namespace: string;
    /** Vault Kubernetes auth role (bound to `serviceAccountName` in `namespace`). */
    roleName: string;
    /** Files the provider writes into the volume. */
    objects: CsiSecretObject[];
    /** Vault address for the provider; omit to use the address the Vault chart configured. */
    vaultAddress?: string;
    /** Kubernetes auth mount. Defaults to `kubernetes`. */
    authMount?: string;
    /** Token audience the role expects. Omitted: the cluster's default API audience. */
    audience?: string;
    /** metadata.name of the SecretProviderClass. Defaults to the component name. */
    secretProviderClassName?: string;
    /** Where the volume is mounted. Defaults to `/mnt/secrets-store`. */
    mountPath?: string;
    /** The pod's service account, whose token the provider uses to log in. */
    serviceAccountName: string;
    /** Create `serviceAccountName` (false when it exists, e.g. `default`). */
    createServiceAccount?: boolean;
    /** metadata.name of the Deployment. Defaults to the component name. */
    deploymentName?: string;
    /** Container image (pinned). */
    image: string;
    /** Container command. Defaults to sleeping, for a debug pod people `exec` into. */
    command?: string[];
    /** Exec readiness check of the container. */
    readinessCommand?: string[];
    /** Resources of the container. */
    resources?: ContainerResources;
    /** Fixed UID for plain Kubernetes with root-default images; leave unset on OpenShift. */
    runAsUser?: number;
    /** Extra labels. */
    labels?: { [key: string]: string };
}

/**
 * A Secrets Store CSI mount of Vault secrets: a SecretProviderClass (provider `vault`) and a
 * Deployment whose container sees the files read-only under `/mnt/secrets-store`. With the driver's
 * rotation enabled, files follow Vault within one `rotationPollInterval`.
 */
export class CsiSecretMount extends pulumi.ComponentResource {
    /** Name of the SecretProviderClass. */
    public readonly secretProviderClassName: pulumi.Output<string>;
    /** Name of the Deployment. */
    public readonly deploymentName: pulumi.Output<string>;

    constructor(name: string, args: CsiSecretMountArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultkit:index:CsiSecretMount", name, args, opts);
        const spcName = args.secretProviderClassName ?? name;
        const deploymentName = args.deploymentName ?? name;
        const labels = workloadLabels(deploymentName, "secrets-store-csi", args.labels);
        const dependsOn = opts?.dependsOn;

        const spc = new k8s.apiextensions.CustomResource(
            `${name}-spc`,
            {
                apiVersion: SPC_API_VERSION,
                kind: "SecretProviderClass",
                metadata: { name: spcName, namespace: args.namespace, labels },
                spec: secretProviderClassSpec(args),
            },
            { parent: this, dependsOn },
        );
        this.deploymentName = createWorkload(
            this,
            name,
            args,
            // The provider requests its own token for the pod's service account.
            { deploymentName, labels, automountServiceAccountToken: false },
            () => ({
                containers: [appContainer(args, [{ name: "secrets-store", mountPath: args.mountPath ?? SECRETS_MOUNT_PATH, readOnly: true }])],
                volumes: [csiVolume(spcName), emptyDirVolume("tmp", true)],
            }),
            dependsOn,
            spc,
        );

        this.secretProviderClassName = spc.urn.apply(() => spcName);
        this.registerOutputs({ secretProviderClassName: this.secretProviderClassName, deploymentName: this.deploymentName });
    }
}
