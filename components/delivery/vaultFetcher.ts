/**
 * The Vault fetcher container of DirectVaultAccess and UserCredentialsApp: it logs in with the pod's
 * projected service account token (and Vault's CA when given) and keeps one Vault path in a file,
 * running {@link vaultFetchLoopScript}.
 */
import type * as k8s from "@pulumi/kubernetes";
import { VaultFetchLoopInputs, vaultFetchLoopScript } from "./scripts";
import {
    ContainerResources,
    VAULT_CA_DIR,
    VAULT_TOKEN_FILE,
    restrictedContainer,
    vaultCaMount,
    vaultCaVolume,
    vaultTokenMount,
    vaultTokenVolume,
} from "./workload";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** {@link VaultFetchLoopInputs} without the token and CA files, which the fetcher's pod fixes. */
export interface VaultFetcherScriptInputs extends Omit<VaultFetchLoopInputs, "authMount" | "jwtFile" | "caCertFile"> {
    /** Kubernetes auth mount. Defaults to `kubernetes`. */
    authMount?: string;
    /** Secret holding Vault's CA under `ca.crt`: the script then verifies Vault with it. */
    vaultCaSecretName?: string;
}

/** The fetch loop reading the token from {@link vaultFetcherContainer}'s mounts. */
export function vaultFetcherScript(i: VaultFetcherScriptInputs): string {
    const { authMount, vaultCaSecretName, ...rest } = i;
    return vaultFetchLoopScript({
        ...rest,
        authMount: authMount ?? "kubernetes",
        jwtFile: VAULT_TOKEN_FILE,
        caCertFile: vaultCaSecretName ? `${VAULT_CA_DIR}/ca.crt` : undefined,
    });
}

/** What {@link vaultFetcherContainer} needs. */
export interface VaultFetcherContainerInputs {
    name: string;
    image: string;
    /** Run with `sh -c`. */
    script: string;
    resources?: ContainerResources;
    /** The writable mounts (output and work directories); the token and CA mounts follow them. */
    workMounts: VolumeMount[];
    /** Secret holding Vault's CA under `ca.crt`, mounted read-only at `VAULT_CA_DIR`. */
    vaultCaSecretName?: string;
}

/** The restricted fetcher container, with the token (and CA) mounts of {@link vaultLoginVolumes}. */
export function vaultFetcherContainer(c: VaultFetcherContainerInputs): Container {
    return restrictedContainer({
        name: c.name,
        image: c.image,
        command: ["sh", "-c", c.script],
        resources: c.resources,
        volumeMounts: [...c.workMounts, vaultTokenMount(), ...(c.vaultCaSecretName ? [vaultCaMount()] : [])],
    });
}

/** The projected login token bound to `audience` (default lifetime 3600 s) and, when given, Vault's CA. */
export function vaultLoginVolumes(audience: string, tokenExpirationSeconds: number | undefined, vaultCaSecretName: string | undefined): Volume[] {
    return [vaultTokenVolume(audience, tokenExpirationSeconds ?? 3600), ...(vaultCaSecretName ? [vaultCaVolume(vaultCaSecretName)] : [])];
}
