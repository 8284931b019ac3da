import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { withDependencies } from "../dependencies";
import { derivedInput } from "../inputs";
import { ContainerSpec, refuseUnsupported, refuseWholeOutputs, VaultConnection, VaultKubernetesLogin, WorkloadSpec } from "./args";
import { SECRETS_MOUNT_PATH, appContainer, emptyDirVolume } from "./workload";
import { createWorkload, deploymentNameOf, workloadObjectLabels } from "./workloadResources";
import { SECRETS_STORE_CSI_DRIVER } from "../kubernetes/secretsStoreCsi";

/** API version of SecretProviderClass (secrets-store-csi-driver v1.6.0 storage version). */
export const SPC_API_VERSION = "secrets-store.csi.x-k8s.io/v1";

/** One file the Vault CSI provider writes into the volume. */
export interface CsiSecretObject {
    /** File name inside the mount (seed: `keycloak-postgresql-vault`). */
    objectName: string;
    /** Vault API path, e.g. `kv-v2/data/keycloak-postgresql/config` or `database/static-creds/app`. */
    apiPath: pulumi.Input<string>;
    /** One key of the response's data; omitted, the file holds the whole API response JSON (seed). */
    secretKey?: string;
}

/**
 * The Vault provider's `objects` parameter: a YAML list (a string inside the SPC). Without
 * `secretKey` the provider writes the whole response, which is what the seed's `cat` shows.
 */
export function csiObjectsYaml(objects: pulumi.Unwrap<CsiSecretObject>[]): string {
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
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/.test(o.apiPath)) {
            throw new Error(`apiPath must be a Vault API path like 'kv-v2/data/app/config', got ${JSON.stringify(o.apiPath)}`);
        }
        // `secretPath` is the Vault CSI provider's own key.
        return { objectName: o.objectName, secretPath: o.apiPath, ...(o.secretKey ? { secretKey: o.secretKey } : {}) };
    });
    return YAML.stringify(list);
}

/** Inputs of {@link secretProviderClassSpec}. */
export interface SecretProviderClassInputs {
    /** Vault Kubernetes auth role the provider logs in with, as the pod's service account. */
    role: string;
    /** Files to write. */
    objects: pulumi.Unwrap<CsiSecretObject>[];
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
    if (!i.role) {
        throw new Error("login.role is required: the Vault CSI provider refuses a SecretProviderClass without it");
    }
    return {
        provider: "vault",
        parameters: {
            roleName: i.role,
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
    /** Namespace of the SecretProviderClass and the Deployment. A Namespace's `metadata.name` also makes them wait for it. */
    namespace: pulumi.Input<string>;
    /** Vault for the provider; omitted, the address (and no CA) the Vault chart configured. */
    vault?: VaultConnection;
    /** How the provider logs in, as the pod's service account. */
    login: VaultKubernetesLogin;
    /** Files the provider writes into the volume. */
    objects: CsiSecretObject[];
    /** metadata.name of the SecretProviderClass. Defaults to the component name. */
    secretProviderClassName?: pulumi.Input<string>;
    /** Where the files appear in the container. Defaults to `/mnt/secrets-store`. */
    mountPath?: string;
    /** The Deployment and its service account. */
    workload: WorkloadSpec;
    /** The app container. */
    container: ContainerSpec;
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
        refuseWholeOutputs("CsiSecretMount", { vault: args.vault, login: args.login, workload: args.workload });
        const vault = args.vault ?? {};
        refuseUnsupported(
            "CsiSecretMount",
            { "vault.skipTlsVerify": vault.skipTlsVerify, "login.serviceAccountName": args.login.serviceAccountName, "login.tokenExpirationSeconds": args.login.tokenExpirationSeconds },
            "the CSI driver requests the pod's own service account token and the provider always verifies TLS",
        );
        super("vaultkit:index:CsiSecretMount", name, args, opts);
        const spcName = args.secretProviderClassName ?? name;
        const dependsOn = opts?.dependsOn;
        const spec = derivedInput(
            { role: args.login.role, authMount: args.login.authMount, audience: args.login.audience, vaultAddress: vault.address, objects: args.objects },
            (i) => secretProviderClassSpec({ ...i, ...(vault.caSecretName !== undefined ? { vaultCaCertPath: CSI_PROVIDER_VAULT_CA_PATH } : {}) }),
        );
        const container = derivedInput(args.container, (c) => appContainer(c, [{ name: "secrets-store", mountPath: args.mountPath ?? SECRETS_MOUNT_PATH, readOnly: true }]));

        const spc = new k8s.apiextensions.CustomResource(
            `${name}-spc`,
            {
                apiVersion: SPC_API_VERSION,
                kind: "SecretProviderClass",
                metadata: { name: spcName, namespace: args.namespace, labels: workloadObjectLabels(deploymentNameOf(args.workload, name), "secrets-store-csi", args.workload.labels) },
                spec,
            },
            { parent: this, dependsOn },
        );
        this.deploymentName = createWorkload(
            name,
            args,
            {
                pattern: "secrets-store-csi",
                // The provider requests its own token for the pod's service account.
                automountServiceAccountToken: false,
                containers: [container],
                volumes: [derivedInput(spcName, csiVolume), emptyDirVolume("tmp", true)],
            },
            { parent: this, dependsOn: withDependencies(dependsOn, spc) },
        );

        this.secretProviderClassName = pulumi.all([spc.urn, spcName]).apply(([, n]) => n);
        this.registerOutputs({ secretProviderClassName: this.secretProviderClassName, deploymentName: this.deploymentName });
    }
}
