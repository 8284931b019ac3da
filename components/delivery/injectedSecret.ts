import * as pulumi from "@pulumi/pulumi";
import {
    ContainerResources,
    SECRETS_MOUNT_PATH,
    VAULT_TOKEN_VOLUME,
    appContainer,
    emptyDirVolume,
    vaultTokenVolume,
    workloadLabels,
} from "./workload";
import { authMountPath } from "../vault/paths";
import { createWorkload } from "./workloadResources";

const INJECT = "vault.hashicorp.com";

/** One file the Vault agent renders. */
export interface InjectedFile {
    /** File name (seed: `keycloak-postgresql-vault`). */
    fileName: string;
    /** Vault API path the template reads. */
    vaultPath: string;
    /** Consul-template text; see {@link kvJsonTemplate} and {@link staticCredsPasswordTemplate}. */
    template: string;
}

/** Renders a KV v2 secret's `.Data` (`{"data": {...}, "metadata": {...}}`) as pretty JSON, like the seed's file. */
export function kvJsonTemplate(vaultPath: string): string {
    return `{{- with secret "${vaultPath}" -}}\n{{ .Data | toJSONPretty }}\n{{- end }}\n`;
}

/** Renders only the current password of a database static role (no trailing newline). */
export function staticCredsPasswordTemplate(vaultPath: string): string {
    return `{{- with secret "${vaultPath}" -}}{{ .Data.password }}{{- end -}}`;
}

/** Inputs of {@link injectorAnnotations}. */
export interface InjectorAnnotationInputs {
    /** Vault Kubernetes auth role. */
    role: string;
    /** Kubernetes auth mount. */
    authMount: string;
    /** Files to render. */
    files: InjectedFile[];
    /** Directory the files appear in, inside the app containers. */
    secretVolumePath: string;
    /**
     * How often the agent re-renders secrets without a lease. Static creds are re-read ~1 s after
     * their TTL ends anyway (consul-template follows `ttl`); this bounds everything else (KV).
     */
    staticSecretRenderIntervalSeconds?: number;
    /** Name of a projected token volume with the role's audience, for the agent's login. */
    tokenVolumeName?: string;
    /** Vault address for the agent; omitted, the injector's default. */
    vaultAddress?: string;
    /** Secret holding Vault's CA under `ca.crt`, mounted into the agent. */
    vaultCaSecretName?: string;
    /** Requests and limits of the injected agent containers. */
    agentResources?: ContainerResources;
}

/** Agent requests/limits: less CPU than the injector's defaults (250m/64Mi, 500m/128Mi), same memory ceiling. */
export const DEFAULT_AGENT_RESOURCES: Required<ContainerResources> = {
    cpuRequest: "10m",
    memoryRequest: "64Mi",
    cpuLimit: "200m",
    memoryLimit: "128Mi",
};

/** The pod-template annotations that make the injector add the Vault agent (init + sidecar). */
export function injectorAnnotations(i: InjectorAnnotationInputs): Record<string, string> {
    if (i.files.length === 0) {
        throw new Error("files must list at least one file to render");
    }
    const resources = { ...DEFAULT_AGENT_RESOURCES, ...Object.fromEntries(Object.entries(i.agentResources ?? {}).filter(([, v]) => v !== undefined)) };
    const a: Record<string, string> = {
        [`${INJECT}/agent-inject`]: "true",
        [`${INJECT}/role`]: i.role,
        [`${INJECT}/auth-path`]: authMountPath(i.authMount),
        [`${INJECT}/agent-requests-cpu`]: resources.cpuRequest,
        [`${INJECT}/agent-requests-mem`]: resources.memoryRequest,
        [`${INJECT}/agent-limits-cpu`]: resources.cpuLimit,
        [`${INJECT}/agent-limits-mem`]: resources.memoryLimit,
    };
    const seen = new Set<string>();
    for (const f of i.files) {
        if (!/^[A-Za-z0-9._-]+$/.test(f.fileName)) {
            throw new Error(`fileName must be a file name, got ${JSON.stringify(f.fileName)}`);
        }
        if (seen.has(f.fileName)) {
            throw new Error(`fileName ${JSON.stringify(f.fileName)} is listed twice`);
        }
        seen.add(f.fileName);
        if (!f.template.includes(`"${f.vaultPath}"`)) {
            throw new Error(`template of ${f.fileName} must read ${JSON.stringify(f.vaultPath)}, the path it is declared for`);
        }
        a[`${INJECT}/agent-inject-secret-${f.fileName}`] = f.vaultPath;
        a[`${INJECT}/agent-inject-template-${f.fileName}`] = f.template;
        a[`${INJECT}/secret-volume-path-${f.fileName}`] = i.secretVolumePath;
    }
    if (i.staticSecretRenderIntervalSeconds !== undefined) {
        if (!Number.isInteger(i.staticSecretRenderIntervalSeconds) || i.staticSecretRenderIntervalSeconds < 1) {
            throw new Error(`staticSecretRenderIntervalSeconds must be a whole number of at least 1, got ${i.staticSecretRenderIntervalSeconds}`);
        }
        a[`${INJECT}/template-static-secret-render-interval`] = `${i.staticSecretRenderIntervalSeconds}s`;
    }
    if (i.tokenVolumeName) {
        a[`${INJECT}/agent-service-account-token-volume-name`] = i.tokenVolumeName;
    }
    if (i.vaultAddress) {
        a[`${INJECT}/service`] = i.vaultAddress;
    }
    if (i.vaultCaSecretName) {
        a[`${INJECT}/tls-secret`] = i.vaultCaSecretName;
        a[`${INJECT}/ca-cert`] = `/vault/tls/ca.crt`;
    }
    return a;
}

/** Arguments of {@link InjectedSecret}. */
export interface InjectedSecretArgs {
    /** Namespace of the Deployment. */
    namespace: string;
    /** Vault Kubernetes auth role (bound to `serviceAccountName` in `namespace`). */
    role: string;
    /** Kubernetes auth mount. Defaults to `kubernetes`. */
    authMount?: string;
    /** Files the agent renders. */
    files: InjectedFile[];
    /** Directory of the files in the app container. Defaults to `/mnt/secrets-store`. */
    secretVolumePath?: string;
    /** Agent re-render interval for lease-less secrets, in seconds. */
    staticSecretRenderIntervalSeconds?: number;
    /** Token audience the role expects; adds a projected token volume for the agent. Omitted: the pod's default token. */
    audience?: string;
    /** Vault address for the agent. Defaults to the injector's configured address. */
    vaultAddress?: string;
    /** Secret holding Vault's CA under `ca.crt` (https Vault). */
    vaultCaSecretName?: string;
    /** Requests and limits of the injected agent containers. */
    agentResources?: ContainerResources;
    /** The pod's service account. */
    serviceAccountName: string;
    /** Create `serviceAccountName` (false when it exists, e.g. `default`). */
    createServiceAccount?: boolean;
    /** metadata.name of the Deployment. Defaults to the component name. */
    deploymentName?: string;
    /** App container image (pinned). */
    image: string;
    /** App container command. Defaults to sleeping (debug pod). */
    command?: string[];
    /** Exec readiness check of the app container. */
    readinessCommand?: string[];
    /** Resources of the app container. */
    resources?: ContainerResources;
    /** Fixed UID for plain Kubernetes with root-default images; leave unset on OpenShift. */
    runAsUser?: number;
    /** Extra labels. */
    labels?: { [key: string]: string };
}

/**
 * A Deployment the Vault agent injector mutates: an init container renders the files before the
 * app starts and a sidecar keeps them current under `/mnt/secrets-store`.
 */
export class InjectedSecret extends pulumi.ComponentResource {
    /** Name of the Deployment. */
    public readonly deploymentName: pulumi.Output<string>;

    constructor(name: string, args: InjectedSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultkit:index:InjectedSecret", name, args, opts);
        const deploymentName = args.deploymentName ?? name;
        const labels = workloadLabels(deploymentName, "vault-agent-injector", args.labels);
        const annotations = injectorAnnotations({
            role: args.role,
            authMount: args.authMount ?? "kubernetes",
            files: args.files,
            secretVolumePath: args.secretVolumePath ?? SECRETS_MOUNT_PATH,
            staticSecretRenderIntervalSeconds: args.staticSecretRenderIntervalSeconds,
            tokenVolumeName: args.audience ? VAULT_TOKEN_VOLUME : undefined,
            vaultAddress: args.vaultAddress,
            vaultCaSecretName: args.vaultCaSecretName,
            agentResources: args.agentResources,
        });
        this.deploymentName = createWorkload(
            this,
            name,
            args,
            // With an audience-bound projected token the agent needs no default API token.
            { deploymentName, labels, automountServiceAccountToken: !args.audience, podAnnotations: annotations },
            () => ({
                containers: [appContainer(args, [])],
                volumes: [emptyDirVolume("tmp", true), ...(args.audience ? [vaultTokenVolume(args.audience)] : [])],
            }),
            opts?.dependsOn,
        );
        this.registerOutputs({ deploymentName: this.deploymentName });
    }
}
