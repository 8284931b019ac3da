import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childDependsOn } from "../dependencies";
import * as random from "@pulumi/random";
import { checkedInput } from "../inputs";
import { PINNED } from "../versions";
import { devRootTokenFromSecret, injectorWebhookWithoutCaBundle } from "./vaultChartTransforms";
import { vaultHelmValues } from "./vaultHelmValues";

/** One environment variable of the Vault server taken from an existing Secret (e.g. the transit token). */
export interface SealSecretEnvVar {
    /** Variable name, e.g. `VAULT_TOKEN`. */
    envName: pulumi.Input<string>;
    /** Secret in Vault's namespace. */
    secretName: pulumi.Input<string>;
    /** Key inside that Secret. */
    secretKey: pulumi.Input<string>;
}

/** Arguments of {@link VaultServer}. */
export interface VaultServerArgs {
    /** Namespace Vault runs in (created by the caller). Seed: `vault`. */
    namespace: pulumi.Input<string>;
    /** Helm release name; also the Service name (`vault`). Plain: it names every object the chart renders. */
    releaseName?: string;
    /**
     * `"dev"` (seed parity: in-memory, unsealed, generated root token) or `"ha"` (Raft, TLS). A
     * plain string rather than a union so the component stays usable from other languages.
     */
    mode: string;
    /** Render OpenShift objects: `global.openshift`, an edge-TLS Route, the privileged SCC grant for the CSI provider. */
    openshift: boolean;
    /** Enable the web UI. Default true. */
    ui?: boolean;
    /** Deploy the agent injector (mutating webhook). Default true. */
    injector?: boolean;
    /** Deploy the Vault CSI provider DaemonSet. Default true. */
    csiProvider?: boolean;
    /** Raft replicas in `ha` mode. Default 3. */
    haReplicas?: number;
    /** OpenShift Route host; unset lets OpenShift generate one. */
    routeHost?: pulumi.Input<string>;
    /** Plain Kubernetes: Ingress host (no Ingress when unset). */
    ingressHost?: pulumi.Input<string>;
    /** Plain Kubernetes: IngressClass name. */
    ingressClassName?: pulumi.Input<string>;
    /** vault-helm chart version. Default: the pinned one in components/versions.ts. Plain: exported as `chartVersion`. */
    chartVersion?: string;
    /** `ha`: Secret with `tls.crt`, `tls.key`, `ca.crt` for the listener (created by the caller, e.g. cert-manager). */
    tlsSecretName?: pulumi.Input<string>;
    /** `ha`: HCL seal stanza for auto-unseal (transit, awskms, gcpckms, azurekeyvault). */
    sealConfig?: pulumi.Input<string>;
    /** `ha`: env vars for the seal stanza from existing Secrets (vault-helm `server.extraSecretEnvironmentVars`). */
    sealSecretEnv?: pulumi.Input<pulumi.Input<SealSecretEnvVar>[]>;
    /**
     * Secret holding Vault's CA as `ca.crt` in Vault's namespace: mounted into the CSI provider so it
     * can verify a Vault whose TLS comes from a private CA (SecretProviderClass `vaultCACertPath`).
     */
    clientCaSecretName?: pulumi.Input<string>;
    /** URL where the Pulumi program reaches Vault's API (Route/Ingress/port-forward), exported as `externalAddress`. */
    externalAddress: pulumi.Input<string>;
}

/** Key of the dev root token in the Secret `<release>-dev-root-token`. */
export const DEV_ROOT_TOKEN_SECRET_KEY = "token";

/**
 * HashiCorp Vault from its Helm chart (`helm.v4.Chart`, so previews diff each object). In dev mode
 * the root token is generated, stored in a Secret `<release>-dev-root-token` and injected from it,
 * so it is a Pulumi secret wherever Pulumi holds it; the chart itself never sees it. The injector's
 * webhook `caBundle` is left to the injector (see ./vaultChartTransforms).
 */
export class VaultServer extends pulumi.ComponentResource {
    /** Where pods reach Vault (`http(s)://<release>.<ns>.svc.cluster.local:8200`). */
    public readonly inClusterAddress: pulumi.Output<string>;
    /** Where the Pulumi program reaches Vault. */
    public readonly externalAddress: pulumi.Output<string>;
    /** Dev mode root token (secret); undefined in HA mode. */
    public readonly rootToken: pulumi.Output<string> | undefined;
    /** The chart; depend on it (or on this component) to wait for Vault. */
    public readonly chart: k8s.helm.v4.Chart;
    /** The chart version deployed. */
    public readonly chartVersion: string;

    constructor(name: string, args: VaultServerArgs, opts?: pulumi.ComponentResourceOptions) {
        // Bad arguments fail before anything is registered (this component included).
        if (args.mode !== "dev" && args.mode !== "ha") {
            throw new Error(`VaultServer ${name}: mode must be "dev" or "ha", got ${JSON.stringify(args.mode)}`);
        }
        const mode: "dev" | "ha" = args.mode;
        const releaseName = args.releaseName ?? "vault";
        const chartVersion = args.chartVersion ?? PINNED.vaultChart.version;
        const csiProvider = args.csiProvider ?? true;
        const tlsSecretName = checkedInput(args.tlsSecretName, (tls) => {
            if (mode === "ha" && !tls) {
                throw new Error(`VaultServer ${name}: mode 'ha' needs tlsSecretName (Raft peers and clients use TLS)`);
            }
        });
        const ingressHost = checkedInput(args.ingressHost, (host) => {
            if (args.openshift && host) {
                throw new Error(`VaultServer ${name}: ingressHost is for plain Kubernetes; on OpenShift use routeHost`);
            }
        });
        super("vaultkit:index:VaultServer", name, args, opts);

        const dependsOn: pulumi.Resource[] = [];
        const transforms: pulumi.ResourceTransform[] = [injectorWebhookWithoutCaBundle];
        let devRootToken: random.RandomPassword | undefined;
        if (mode === "dev") {
            devRootToken = new random.RandomPassword(`${name}-dev-root-token`, { length: 32, special: false }, { parent: this });
            // The token reaches Vault only through this Secret (a Pulumi secret): the chart gets an
            // empty devRootToken and the StatefulSet's env entry is rewritten to a secretKeyRef.
            const ref = { name: `${releaseName}-dev-root-token`, key: DEV_ROOT_TOKEN_SECRET_KEY };
            dependsOn.push(
                new k8s.core.v1.Secret(
                    `${name}-dev-root-token`,
                    {
                        metadata: { name: ref.name, namespace: args.namespace },
                        type: "Opaque",
                        stringData: { [ref.key]: pulumi.secret(devRootToken.result) },
                    },
                    { parent: this, dependsOn: childDependsOn(opts) },
                ),
            );
            transforms.push(devRootTokenFromSecret(ref));
        }

        const inputs = {
            namespace: args.namespace,
            routeHost: args.routeHost,
            ingressHost,
            ingressClassName: args.ingressClassName,
            tlsSecretName,
            sealConfig: args.sealConfig,
            sealSecretEnv: args.sealSecretEnv,
            clientCaSecretName: args.clientCaSecretName,
        };
        const values = pulumi.output(inputs).apply(({ namespace, ...known }) =>
            vaultHelmValues(
                {
                    mode: mode,
                    openshift: args.openshift,
                    ui: args.ui ?? true,
                    injector: args.injector ?? true,
                    csiProvider,
                    haReplicas: args.haReplicas ?? 3,
                    ...known,
                    images: {
                        server: PINNED.vaultChart.appVersion,
                        injector: PINNED.vaultChart.injectorVersion,
                        csiProvider: PINNED.vaultChart.csiProviderVersion,
                    },
                },
                releaseName,
                namespace,
            ),
        );

        if (args.openshift && csiProvider) {
            // The seed left this as a commented `oc adm policy add-scc-to-user privileged`; the
            // binding is what that command creates, declared so it exists before the DaemonSet.
            dependsOn.push(
                new k8s.rbac.v1.RoleBinding(
                    `${name}-csi-provider-privileged-scc`,
                    {
                        metadata: { name: `${releaseName}-csi-provider-privileged-scc`, namespace: args.namespace },
                        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:openshift:scc:privileged" },
                        subjects: [{ kind: "ServiceAccount", name: `${releaseName}-csi-provider`, namespace: args.namespace }],
                    },
                    { parent: this, dependsOn: childDependsOn(opts) },
                ),
            );
        }

        this.chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                name: releaseName,
                chart: PINNED.vaultChart.chart,
                version: chartVersion,
                repositoryOpts: { repo: PINNED.vaultChart.repo },
                namespace: args.namespace,
                values,
            },
            { parent: this, dependsOn: childDependsOn(opts, ...dependsOn), transforms },
        );

        this.chartVersion = chartVersion;
        const scheme = mode === "ha" ? "https" : "http";
        this.inClusterAddress = pulumi.interpolate`${scheme}://${releaseName}.${args.namespace}.svc.cluster.local:8200`;
        this.externalAddress = pulumi.output(args.externalAddress);
        this.rootToken = devRootToken ? pulumi.secret(devRootToken.result) : undefined;
        this.registerOutputs({
            inClusterAddress: this.inClusterAddress,
            externalAddress: this.externalAddress,
            rootToken: this.rootToken,
        });
    }
}
