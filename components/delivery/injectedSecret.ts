import * as pulumi from "@pulumi/pulumi";
import { derivedInput } from "../inputs";
import { ContainerSpec, loginAuthMount, refuseUnsupported, refuseWholeOutputs, VaultConnection, VaultKubernetesLogin, WorkloadSpec } from "./args";
import { ContainerResources, SECRETS_MOUNT_PATH, VAULT_TOKEN_VOLUME, appContainer, emptyDirVolume, vaultTokenVolume } from "./workload";
import { authMountPath } from "../vault/paths";
import { createWorkload } from "./workloadResources";

const INJECT = "vault.hashicorp.com";

/** One file the Vault agent renders. */
export interface InjectedFile {
    /** File name (seed: `keycloak-postgresql-vault`). */
    fileName: string;
    /** Vault API path the template reads, e.g. `database/static-creds/app`. */
    apiPath: pulumi.Input<string>;
    /** Consul-template text reading `apiPath`; see {@link kvJsonTemplate} and {@link staticCredsPasswordTemplate}. */
    template: pulumi.Input<string>;
}

/** Renders a KV v2 secret's `.Data` (`{"data": {...}, "metadata": {...}}`) as pretty JSON, like the seed's file. */
export function kvJsonTemplate(apiPath: string): string {
    return `{{- with secret "${apiPath}" -}}\n{{ .Data | toJSONPretty }}\n{{- end }}\n`;
}

/** Renders only the current password of a database static role (no trailing newline). */
export function staticCredsPasswordTemplate(apiPath: string): string {
    return `{{- with secret "${apiPath}" -}}{{ .Data.password }}{{- end -}}`;
}

/** Inputs of {@link injectorAnnotations}. */
export interface InjectorAnnotationInputs {
    /** Vault Kubernetes auth role. */
    role: string;
    /** Kubernetes auth mount. */
    authMount: string;
    /** Files to render. */
    files: pulumi.Unwrap<InjectedFile>[];
    /** Directory the files appear in, inside the app containers. */
    mountPath: string;
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
    caSecretName?: string;
    /** Skip TLS verification of Vault (labs only). */
    skipTlsVerify?: boolean;
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
        if (!f.template.includes(`"${f.apiPath}"`)) {
            throw new Error(`template of ${f.fileName} must read ${JSON.stringify(f.apiPath)}, the path it is declared for`);
        }
        a[`${INJECT}/agent-inject-secret-${f.fileName}`] = f.apiPath;
        a[`${INJECT}/agent-inject-template-${f.fileName}`] = f.template;
        a[`${INJECT}/secret-volume-path-${f.fileName}`] = i.mountPath;
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
    if (i.caSecretName) {
        a[`${INJECT}/tls-secret`] = i.caSecretName;
        a[`${INJECT}/ca-cert`] = `/vault/tls/ca.crt`;
    }
    if (i.skipTlsVerify) {
        a[`${INJECT}/tls-skip-verify`] = "true";
    }
    return a;
}

/** Arguments of {@link InjectedSecret}. */
export interface InjectedSecretArgs {
    /** Namespace of the Deployment. A Namespace's `metadata.name` also makes it wait for it. */
    namespace: pulumi.Input<string>;
    /** Vault for the agent; omitted, the address (and no CA) the injector configured. */
    vault?: VaultConnection;
    /** How the agent logs in, as the pod's service account; with `audience` it gets a projected token bound to it. */
    login: VaultKubernetesLogin;
    /** Files the agent renders. */
    files: InjectedFile[];
    /** Directory of the files in the app container. Defaults to `/mnt/secrets-store`. */
    mountPath?: string;
    /** Agent re-render interval for lease-less secrets, in seconds. */
    staticSecretRenderIntervalSeconds?: number;
    /** Requests and limits of the injected agent containers. */
    agentResources?: ContainerResources;
    /** The Deployment and its service account. */
    workload: WorkloadSpec;
    /** The app container. */
    container: ContainerSpec;
}

/**
 * A Deployment the Vault agent injector mutates: an init container renders the files before the
 * app starts and a sidecar keeps them current under `/mnt/secrets-store`.
 */
export class InjectedSecret extends pulumi.ComponentResource {
    /** Name of the Deployment. */
    public readonly deploymentName: pulumi.Output<string>;

    constructor(name: string, args: InjectedSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseWholeOutputs("InjectedSecret", { vault: args.vault, login: args.login, workload: args.workload });
        refuseUnsupported("InjectedSecret", { "login.serviceAccountName": args.login.serviceAccountName }, "the agent logs in as the pod's workload.serviceAccountName");
        super("vaultkit:index:InjectedSecret", name, args, opts);
        const vault = args.vault ?? {};
        const login = args.login;
        const annotations = derivedInput(
            { role: login.role, authMount: loginAuthMount(login), files: args.files, vaultAddress: vault.address, caSecretName: vault.caSecretName },
            (i) =>
                injectorAnnotations({
                    ...i,
                    mountPath: args.mountPath ?? SECRETS_MOUNT_PATH,
                    staticSecretRenderIntervalSeconds: args.staticSecretRenderIntervalSeconds,
                    tokenVolumeName: login.audience ? VAULT_TOKEN_VOLUME : undefined,
                    skipTlsVerify: vault.skipTlsVerify,
                    agentResources: args.agentResources,
                }),
        );
        const tokenVolume =
            login.audience ? [derivedInput(login.audience, (audience) => vaultTokenVolume(audience, login.tokenExpirationSeconds ?? 3600))] : [];
        this.deploymentName = createWorkload(
            name,
            args,
            {
                pattern: "vault-agent-injector",
                // With an audience-bound projected token the agent needs no default API token.
                automountServiceAccountToken: !login.audience,
                podAnnotations: annotations,
                containers: [derivedInput(args.container, (c) => appContainer(c, []))],
                volumes: [emptyDirVolume("tmp", true), ...tokenVolume],
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({ deploymentName: this.deploymentName });
    }
}
