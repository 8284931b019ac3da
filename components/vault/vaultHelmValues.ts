/**
 * Values for HashiCorp's vault-helm chart, built as data so tests check them directly and the
 * render tier validates them against the chart's values.schema.json.
 */

/** What shapes the chart's values. */
export interface VaultHelmValuesInput {
    /** `dev`: one in-memory, auto-unsealed server (seed parity). `ha`: Raft with `haReplicas` nodes and TLS. */
    mode: "dev" | "ha";
    /** OpenShift: `global.openshift`, a Route with edge TLS, UBI images. */
    openshift: boolean;
    ui: boolean;
    injector: boolean;
    csiProvider: boolean;
    /** Raft replicas in `ha` mode. */
    haReplicas: number;
    /** OpenShift Route host; undefined lets the router generate one (the seed's `host=null`). */
    routeHost?: string;
    /** Plain Kubernetes Ingress host; no Ingress when undefined. */
    ingressHost?: string;
    ingressClassName?: string;
    /** `ha`: name of the Secret holding `tls.crt`, `tls.key`, `ca.crt` for the Vault listener. */
    tlsSecretName?: string;
    /** `ha`: extra HCL appended to the server config, e.g. a `seal "transit" {...}` stanza for auto-unseal. */
    sealConfig?: string;
    /** `ha`: env vars the seal stanza reads from existing Secrets (e.g. the transit token as `VAULT_TOKEN`). */
    sealSecretEnv?: { envName: string; secretName: string; secretKey: string }[];
    /** Secret with Vault's CA (`ca.crt`) in Vault's namespace, mounted into the CSI provider. */
    clientCaSecretName?: string;
    /** Image tags pinned explicitly, so a chart default can never drift to something unpinned. */
    images: { server: string; injector: string; csiProvider: string };
}

/** The Raft server configuration for HA mode: TLS listener, retry_join to every peer, optional seal. */
export function raftServerConfig(input: Pick<VaultHelmValuesInput, "haReplicas" | "sealConfig">, releaseName: string, namespace: string): string {
    const peers = Array.from({ length: input.haReplicas }, (_, i) =>
        [
            `  retry_join {`,
            `    leader_api_addr         = "https://${releaseName}-${i}.${releaseName}-internal.${namespace}.svc:8200"`,
            `    leader_ca_cert_file     = "/vault/userconfig/vault-tls/ca.crt"`,
            `    leader_client_cert_file = "/vault/userconfig/vault-tls/tls.crt"`,
            `    leader_client_key_file  = "/vault/userconfig/vault-tls/tls.key"`,
            `  }`,
        ].join("\n"),
    ).join("\n");
    return [
        `ui = true`,
        `listener "tcp" {`,
        `  address         = "[::]:8200"`,
        `  cluster_address = "[::]:8201"`,
        `  tls_cert_file   = "/vault/userconfig/vault-tls/tls.crt"`,
        `  tls_key_file    = "/vault/userconfig/vault-tls/tls.key"`,
        `  tls_client_ca_file = "/vault/userconfig/vault-tls/ca.crt"`,
        `}`,
        `storage "raft" {`,
        `  path = "/vault/data"`,
        peers,
        `}`,
        `service_registration "kubernetes" {}`,
        input.sealConfig?.trim() ?? "",
        ``,
    ].join("\n");
}

/** Builds the chart values. */
export function vaultHelmValues(input: VaultHelmValuesInput, releaseName: string, namespace: string): Record<string, any> {
    if (input.mode === "ha" && !input.tlsSecretName) {
        throw new Error("vaultHelmValues: ha mode needs tlsSecretName (Raft peers talk TLS)");
    }
    const server: Record<string, any> = {
        image: { tag: input.images.server },
        // The readiness probe fails until Vault is initialised and unsealed; Pulumi must not wait
        // on it in HA mode (the bootstrap Job does), and in dev mode the pod is ready at once.
        statefulSet: { annotations: input.mode === "ha" ? { "pulumi.com/skipAwait": "true" } : {} },
        authDelegator: { enabled: true },
    };
    if (input.mode === "dev") {
        // The chart writes devRootToken as a literal env value into the StatefulSet, i.e. into
        // Pulumi's state; the token comes from a Secret instead (vaultChartTransforms.ts). Empty, not
        // the chart default "root": should that ever not apply, Vault generates a token nobody knows.
        server.dev = { enabled: true, devRootToken: "" };
        server.dataStorage = { enabled: false };
    } else {
        server.ha = {
            enabled: true,
            replicas: input.haReplicas,
            raft: { enabled: true, setNodeId: true, config: raftServerConfig(input, releaseName, namespace) },
        };
        // No VAULT_CACERT/VAULT_TLSCERT/VAULT_TLSKEY in the server's environment: a transit seal's
        // API client reads them too, and would verify the unseal Vault against this Vault's CA and
        // present this Vault's certificate to it. Nothing else needs them: Raft's retry_join names
        // its files, the readiness probe runs `vault status -tls-skip-verify`, the bootstrap Job
        // mounts the CA itself; `kubectl exec` CLI calls pass -ca-cert (docs/ha-vault.md).
        if (input.sealSecretEnv && input.sealSecretEnv.length > 0) {
            server.extraSecretEnvironmentVars = input.sealSecretEnv.map((e) => ({ envName: e.envName, secretName: e.secretName, secretKey: e.secretKey }));
        }
        server.volumes = [{ name: "userconfig-vault-tls", secret: { defaultMode: 420, secretName: input.tlsSecretName } }];
        server.volumeMounts = [{ mountPath: "/vault/userconfig/vault-tls", name: "userconfig-vault-tls", readOnly: true }];
    }
    if (input.openshift) {
        server.route = {
            enabled: true,
            host: input.routeHost ?? null,
            // HA: the router passes TLS through to Vault, whose certificate (from a private CA) must
            // name the Route host; reencrypt would need the CA as destinationCACertificate.
            tls: { termination: input.mode === "ha" ? "passthrough" : "edge" },
        };
    } else if (input.ingressHost) {
        server.ingress = {
            enabled: true,
            ...(input.ingressClassName ? { ingressClassName: input.ingressClassName } : {}),
            hosts: [{ host: input.ingressHost, paths: [] }],
        };
    }
    const values: Record<string, any> = {
        global: { openshift: input.openshift, tlsDisable: input.mode === "dev" },
        ui: { enabled: input.ui },
        server,
        injector: { enabled: input.injector, image: { tag: input.images.injector } },
        csi: input.csiProvider
            ? {
                  enabled: true,
                  image: { tag: input.images.csiProvider },
                  // The provider DaemonSet talks to the CSI driver over a hostPath socket (seed:
                  // update-setup-csi.sh); OpenShift admits it only with the privileged SCC. Plain
                  // Kubernetes needs no privileged container (the chart's default), so none is asked for.
                  ...(input.openshift ? { daemonSet: { securityContext: { container: { privileged: true } } } } : {}),
                  ...(input.clientCaSecretName
                      ? {
                            // The chart's CSI agent config has no CA setting, so with a private CA the
                            // provider talks to Vault itself and verifies it with the mounted CA
                            // (SecretProviderClass `vaultCACertPath`).
                            agent: { enabled: false },
                            volumes: [{ name: "vault-ca", secret: { secretName: input.clientCaSecretName } }],
                            volumeMounts: [{ name: "vault-ca", mountPath: "/vault/userconfig/vault-ca", readOnly: true }],
                        }
                      : {}),
              }
            : { enabled: false },
    };
    return values;
}
