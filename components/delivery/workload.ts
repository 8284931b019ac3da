/**
 * Pure builders for the pods every delivery pattern runs: labels, the restricted security
 * context, resources, volumes and the Deployment spec. Kept as data so tests check exactly what
 * reaches the cluster (and so each component stays a thin wrapper).
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { derivedInput } from "../inputs";
import { ContainerSpec } from "./args";
import { assertPinnedImage } from "../kubernetes/images";
import { selectorLabels, standardLabels } from "../kubernetes/labels";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../kubernetes/securityContexts";

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** Where the CSI and injector patterns put credential files inside the consuming container (the seed's path). */
export const SECRETS_MOUNT_PATH = "/mnt/secrets-store";

/**
 * Where the `sync` pattern mounts the Secret the Vault Secrets Operator writes: not the CSI driver's
 * conventional path, so a reader of the manifest does not look for a CSI volume.
 */
export const SYNCED_SECRET_MOUNT_PATH = "/mnt/vault-synced";

/** Where the projected, audience-bound service account token for Vault login is mounted. */
export const VAULT_TOKEN_DIR = "/var/run/secrets/vault";

/** The file inside `VAULT_TOKEN_DIR`. */
export const VAULT_TOKEN_FILE = `${VAULT_TOKEN_DIR}/token`;

/** Name of the projected token volume (also named in the injector's token-volume annotation). */
export const VAULT_TOKEN_VOLUME = "vault-token";

/** Where an optional Vault CA bundle (Secret key `ca.crt`) is mounted. */
export const VAULT_CA_DIR = "/etc/vault-ca";

/** CPU and memory requests and limits of one container (Kubernetes quantities). */
export interface ContainerResources {
    /** CPU request, e.g. `10m`. */
    cpuRequest?: string;
    /** Memory request, e.g. `32Mi`. */
    memoryRequest?: string;
    /** CPU limit, e.g. `100m`. */
    cpuLimit?: string;
    /** Memory limit, e.g. `64Mi`. */
    memoryLimit?: string;
}

/** Small defaults: these containers run `sh`, `curl`, `sleep` and the occasional `psql`. */
export const DEFAULT_RESOURCES: Required<ContainerResources> = {
    cpuRequest: "10m",
    memoryRequest: "32Mi",
    cpuLimit: "100m",
    memoryLimit: "64Mi",
};

/** Requests and limits, always both (namespaces with quotas reject pods without them). */
export function resourceRequirements(r: ContainerResources = {}): { requests: Record<string, string>; limits: Record<string, string> } {
    const v = { ...DEFAULT_RESOURCES, ...definedOnly(r) };
    return {
        requests: { cpu: v.cpuRequest, memory: v.memoryRequest },
        limits: { cpu: v.cpuLimit, memory: v.memoryLimit },
    };
}

function definedOnly<T extends object>(o: T): Partial<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** All labels of a workload: the selector labels, which pattern it shows, and extra labels. */
export function workloadLabels(workloadName: string, pattern: string, extra: Record<string, string> = {}): Record<string, string> {
    return { ...extra, ...standardLabels({ name: workloadName, instance: workloadName, component: pattern }) };
}

/** An emptyDir; `memory` keeps credentials off the node's disk. */
export function emptyDirVolume(name: string, memory: boolean, sizeLimit = "16Mi"): Volume {
    return { name, emptyDir: memory ? { medium: "Memory", sizeLimit } : { sizeLimit } };
}

/**
 * A projected service account token bound to `audience`, the one the Vault Kubernetes auth role
 * expects. The kubelet rotates it; readers must re-read the file each login.
 */
export function vaultTokenVolume(audience: string, expirationSeconds = 3600): Volume {
    if (expirationSeconds < 600) {
        throw new Error(`tokenExpirationSeconds must be at least 600 (Kubernetes minimum), got ${expirationSeconds}`);
    }
    return {
        name: VAULT_TOKEN_VOLUME,
        projected: {
            sources: [{ serviceAccountToken: { audience, expirationSeconds, path: "token" } }],
        },
    };
}

/** Read-only mount of the projected Vault token. */
export function vaultTokenMount(): VolumeMount {
    return { name: VAULT_TOKEN_VOLUME, mountPath: VAULT_TOKEN_DIR, readOnly: true };
}

/** A Secret holding Vault's CA certificate under `ca.crt`, as a volume. */
export function vaultCaVolume(secretName: string): Volume {
    return { name: "vault-ca", secret: { secretName, items: [{ key: "ca.crt", path: "ca.crt" }] } };
}

/** Read-only mount of the Vault CA bundle. */
export function vaultCaMount(): VolumeMount {
    return { name: "vault-ca", mountPath: VAULT_CA_DIR, readOnly: true };
}

/** What one container of a workload runs. */
export interface ContainerSettings {
    name: string;
    image: string;
    command: string[];
    volumeMounts: VolumeMount[];
    resources?: ContainerResources;
    env?: Record<string, string>;
    /** Exec readiness check; the pod is Ready only while it succeeds. */
    readinessCommand?: string[];
    readinessPeriodSeconds?: number;
}

/** A container with the restricted security context, resources and a writable `/tmp` via volumes. */
export function restrictedContainer(c: ContainerSettings): Container {
    assertPinnedImage(`container ${c.name}: image`, c.image);
    return {
        name: c.name,
        image: c.image,
        imagePullPolicy: "IfNotPresent",
        command: c.command,
        env: Object.entries({ HOME: "/tmp", ...(c.env ?? {}) }).map(([name, value]) => ({ name, value })),
        resources: resourceRequirements(c.resources),
        securityContext: restrictedContainerSecurityContext(),
        volumeMounts: c.volumeMounts,
        ...(c.readinessCommand
            ? {
                  readinessProbe: {
                      exec: { command: c.readinessCommand },
                      initialDelaySeconds: 5,
                      periodSeconds: c.readinessPeriodSeconds ?? 30,
                      timeoutSeconds: 10,
                      failureThreshold: 3,
                  },
              }
            : {}),
    };
}

/** The restricted `main` app container: `credentialMounts`, then a writable `/tmp` (volume `tmp`). */
export function appContainer(a: pulumi.Unwrap<ContainerSpec>, credentialMounts: VolumeMount[]): Container {
    return restrictedContainer({
        name: "main",
        image: a.image,
        command: a.command ?? SLEEP_FOREVER,
        readinessCommand: a.readinessCommand,
        readinessPeriodSeconds: a.readinessPeriodSeconds,
        resources: a.resources,
        volumeMounts: [...credentialMounts, { name: "tmp", mountPath: "/tmp" }],
    });
}

/** Everything a single-replica Deployment of this module needs. */
export interface DeploymentSettings {
    name: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    labels: pulumi.Input<Record<string, string>>;
    serviceAccountName: pulumi.Input<string>;
    /** False when the pod logs in with a projected token of its own (or needs no API token). */
    automountServiceAccountToken: boolean;
    containers: pulumi.Input<Container>[];
    volumes: pulumi.Input<Volume>[];
    podAnnotations?: pulumi.Input<Record<string, string>>;
    runAsUser?: number;
}

/** Metadata and spec of a Deployment: one replica, restricted pod security, given containers. */
export function deploymentManifest(d: DeploymentSettings): {
    metadata: k8s.types.input.meta.v1.ObjectMeta;
    spec: k8s.types.input.apps.v1.DeploymentSpec;
} {
    return {
        metadata: { name: d.name, namespace: d.namespace, labels: d.labels },
        spec: {
            replicas: 1,
            selector: { matchLabels: derivedInput(d.name, selectorLabels) },
            template: {
                metadata: { labels: d.labels, ...(d.podAnnotations ? { annotations: d.podAnnotations } : {}) },
                spec: {
                    serviceAccountName: d.serviceAccountName,
                    automountServiceAccountToken: d.automountServiceAccountToken,
                    securityContext: restrictedPodSecurityContext(d.runAsUser),
                    containers: d.containers,
                    volumes: d.volumes,
                },
            },
        },
    };
}

/** Quotes a value for POSIX sh (single quotes; embedded quotes closed and escaped). */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Keeps a container alive doing nothing, for debug pods people `exec` into. */
export const SLEEP_FOREVER: string[] = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 3600 & wait $!; done"];
