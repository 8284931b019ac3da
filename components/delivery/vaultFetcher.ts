/**
 * The Vault fetcher container of DirectVaultAccess and UserCredentialsApp: it logs in with the pod's
 * projected service account token (and Vault's CA when given) and keeps one Vault path in a file,
 * running {@link vaultFetchLoopScript}.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { derivedInput } from "../inputs";
import { ContainerSpec, VaultConnection, VaultKubernetesLogin, loginAuthMount, refuseUnsupported, requireField } from "./args";
import { VaultFetchLoopInputs, vaultFetchLoopScript } from "./scripts";
import { VAULT_CA_DIR, VAULT_TOKEN_FILE, restrictedContainer, vaultCaMount, vaultCaVolume, vaultTokenMount, vaultTokenVolume } from "./workload";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** {@link VaultFetchLoopInputs} without the token and CA files, which the fetcher's pod fixes. */
export interface VaultFetcherScriptInputs extends Omit<VaultFetchLoopInputs, "authMount" | "jwtFile" | "caCertFile"> {
    /** Kubernetes auth mount. Defaults to `kubernetes`. */
    authMount?: string;
    /** Secret holding Vault's CA under `ca.crt`: the script then verifies Vault with it. */
    caSecretName?: string;
}

/** The fetch loop reading the token from {@link vaultFetcherContainer}'s mounts. */
export function vaultFetcherScript(i: VaultFetcherScriptInputs): string {
    const { authMount, caSecretName, ...rest } = i;
    return vaultFetchLoopScript({
        ...rest,
        authMount: authMount ?? "kubernetes",
        jwtFile: VAULT_TOKEN_FILE,
        caCertFile: caSecretName ? `${VAULT_CA_DIR}/ca.crt` : undefined,
    });
}

/** What {@link vaultFetcherContainer} needs. */
export interface VaultFetcherContainerInputs {
    name: string;
    /** Image, resources, and optionally a command replacing `script`. */
    container: pulumi.Unwrap<ContainerSpec>;
    /** The generated fetch loop, run with `sh -c` unless `container.command` is given. */
    script: string;
    /** The writable mounts (output and work directories); the token and CA mounts follow them. */
    workMounts: VolumeMount[];
    /** Secret holding Vault's CA under `ca.crt`, mounted read-only at `VAULT_CA_DIR`. */
    caSecretName?: string;
}

/** The restricted fetcher container, with the token (and CA) mounts of {@link vaultLoginVolumes}. */
export function vaultFetcherContainer(c: VaultFetcherContainerInputs): Container {
    return restrictedContainer({
        name: c.name,
        image: c.container.image,
        command: c.container.command ?? ["sh", "-c", c.script],
        readinessCommand: c.container.readinessCommand,
        readinessPeriodSeconds: c.container.readinessPeriodSeconds,
        resources: c.container.resources,
        volumeMounts: [...c.workMounts, vaultTokenMount(), ...(c.caSecretName ? [vaultCaMount()] : [])],
    });
}

/** What a fetcher pod needs to log in: the connection and login, checked for the fields it uses. */
export interface FetcherLogin {
    vault: VaultConnection;
    login: VaultKubernetesLogin;
}

/**
 * Refuses, before anything registers, a fetcher component's login without an address or audience
 * (its pod mounts a token bound to it), or with fields a pod's own login cannot honour.
 */
export function assertFetcherLogin(component: string, l: FetcherLogin): void {
    requireField(component, "vault.address", l.vault.address, "the pod calls Vault's API itself");
    requireField(component, "login.audience", l.login.audience, "the pod mounts a service account token bound to it");
    refuseUnsupported(
        component,
        { "vault.skipTlsVerify": l.vault.skipTlsVerify, "login.serviceAccountName": l.login.serviceAccountName },
        "the pod logs in as its workload.serviceAccountName and always verifies TLS",
    );
}

/**
 * The fetcher container `name` for `l`, reading `apiPath` into `outputFile` every
 * `fetchIntervalSeconds`: derived now from plain values, or once the Outputs among them are known.
 */
export function fetcherContainerInput(
    name: string,
    l: FetcherLogin,
    container: ContainerSpec,
    fetch: { apiPath: pulumi.Input<string>; outputFile: string; extractField?: string; fetchIntervalSeconds: number; workDir: string; workMounts: VolumeMount[] },
): pulumi.Input<Container> {
    return derivedInput(
        { address: l.vault.address!, authMount: loginAuthMount(l.login), role: l.login.role, apiPath: fetch.apiPath, caSecretName: l.vault.caSecretName, container },
        (k) =>
            vaultFetcherContainer({
                name,
                container: k.container,
                script: vaultFetcherScript({
                    vaultAddress: k.address,
                    authMount: k.authMount,
                    role: k.role,
                    apiPath: k.apiPath,
                    outputFile: fetch.outputFile,
                    extractField: fetch.extractField,
                    fetchIntervalSeconds: fetch.fetchIntervalSeconds,
                    workDir: fetch.workDir,
                    caSecretName: k.caSecretName,
                }),
                workMounts: fetch.workMounts,
                caSecretName: k.caSecretName,
            }),
    );
}

/** The projected login token bound to `login.audience` (default lifetime 3600 s) and, when given, Vault's CA. */
export function vaultLoginVolumes(l: FetcherLogin): pulumi.Input<Volume>[] {
    const caSecretName = l.vault.caSecretName;
    return [
        derivedInput(l.login.audience!, (audience) => vaultTokenVolume(audience, l.login.tokenExpirationSeconds ?? 3600)),
        ...(caSecretName ? [derivedInput(caSecretName, vaultCaVolume)] : []),
    ];
}
