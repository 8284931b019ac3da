import { describe, expect, it } from "vitest";
import { PINNED } from "../../../../components/versions";
import { vaultHelmValues, raftServerConfig } from "../../../../components/vault/vaultHelmValues";

const images = { server: PINNED.vaultChart.appVersion, injector: PINNED.vaultChart.injectorVersion, csiProvider: PINNED.vaultChart.csiProviderVersion };
const dev = { mode: "dev" as const, ui: true, injector: true, csiProvider: true, haReplicas: 3, images };

describe("review: Vault CSI provider privileges", () => {
    it("runs the CSI provider privileged on OpenShift only (the seed's SCC grant)", () => {
        const v = vaultHelmValues({ ...dev, openshift: true }, "vault", "vault");
        expect(v.csi.daemonSet.securityContext.container.privileged).toBe(true);
    });

    it("asks for no privileged container on plain Kubernetes, where the chart default suffices", () => {
        const v = vaultHelmValues({ ...dev, openshift: false }, "vault", "vault");
        expect(v.csi.enabled).toBe(true);
        expect(JSON.stringify(v.csi)).not.toContain("privileged");
    });
});

describe("vault-helm values", () => {
    const dev = { mode: "dev" as const, openshift: true, ui: true, injector: true, csiProvider: true, haReplicas: 3, images };

    it("reproduces the seed's second helm run on OpenShift, with no root token in the values", () => {
        const v = vaultHelmValues(dev, "vault", "vault");
        expect(v.global).toEqual({ openshift: true, tlsDisable: true });
        expect(v.ui).toEqual({ enabled: true });
        // The token comes from a Secret (vaultChartTransforms); empty, never the chart default "root".
        expect(v.server.dev).toEqual({ enabled: true, devRootToken: "" });
        expect(v.server.route).toEqual({ enabled: true, host: null, tls: { termination: "edge" } });
        expect(v.injector.enabled).toBe(true);
        expect(v.csi.enabled).toBe(true);
        expect(v.csi.daemonSet.securityContext.container.privileged).toBe(true);
    });

    it("pins every image tag to the chart's own", () => {
        const v = vaultHelmValues(dev, "vault", "vault");
        expect(v.server.image.tag).toBe(PINNED.vaultChart.appVersion);
        expect(v.injector.image.tag).toBe(PINNED.vaultChart.injectorVersion);
        expect(v.csi.image.tag).toBe(PINNED.vaultChart.csiProviderVersion);
    });

    it("switches the injector and CSI provider off, and uses an Ingress on plain Kubernetes", () => {
        const v = vaultHelmValues({ ...dev, openshift: false, injector: false, csiProvider: false, ingressHost: "vault.local" }, "vault", "vault");
        expect(v.global.openshift).toBe(false);
        expect(v.server.route).toBeUndefined();
        expect(v.server.ingress).toEqual({ enabled: true, hosts: [{ host: "vault.local", paths: [] }] });
        expect(v.injector.enabled).toBe(false);
        expect(v.csi).toEqual({ enabled: false });
    });

    it("builds HA Raft with TLS, skipAwait on the StatefulSet and the seal stanza", () => {
        const seal = 'seal "transit" {\n  address = "https://unseal:8200"\n}';
        const v = vaultHelmValues({ ...dev, mode: "ha", tlsSecretName: "vault-tls", sealConfig: seal }, "vault", "vault");
        expect(v.server.dev).toBeUndefined();
        expect(v.global.tlsDisable).toBe(false);
        expect(v.server.ha.enabled).toBe(true);
        expect(v.server.ha.replicas).toBe(3);
        expect(v.server.ha.raft.enabled).toBe(true);
        expect(v.server.statefulSet.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
        expect(v.server.route.tls.termination).toBe("passthrough");
        expect(v.server.ha.raft.config).toContain(seal);
        expect(() => vaultHelmValues({ ...dev, mode: "ha" }, "vault", "vault")).toThrow(/tlsSecretName/);
    });

    it("keeps VAULT_CACERT, VAULT_TLSCERT and VAULT_TLSKEY out of the HA server's environment, which a transit seal's client also reads", () => {
        const seal = 'seal "transit" {\n  address = "https://unseal:8200"\n}';
        const v = vaultHelmValues({ ...dev, mode: "ha", tlsSecretName: "vault-tls", sealConfig: seal, sealSecretEnv: [{ envName: "VAULT_TOKEN", secretName: "t", secretKey: "token" }] }, "vault", "vault");
        const envNames = [...Object.keys(v.server.extraEnvironmentVars ?? {}), ...(v.server.extraSecretEnvironmentVars ?? []).map((e: { envName: string }) => e.envName)];
        expect(envNames).toEqual(["VAULT_TOKEN"]);
        // What needed the CA still has it: Raft's retry_join names its files, and the volume stays mounted.
        expect(v.server.ha.raft.config).toContain('leader_ca_cert_file     = "/vault/userconfig/vault-tls/ca.crt"');
        expect(v.server.volumeMounts).toEqual([{ mountPath: "/vault/userconfig/vault-tls", name: "userconfig-vault-tls", readOnly: true }]);
    });

    it("mounts the client CA into the CSI provider and bypasses its CA-less agent when a private CA is used", () => {
        const v = vaultHelmValues({ ...dev, clientCaSecretName: "vault-ca" }, "vault", "vault");
        expect(v.csi.agent).toEqual({ enabled: false });
        expect(v.csi.volumes).toEqual([{ name: "vault-ca", secret: { secretName: "vault-ca" } }]);
        expect(v.csi.volumeMounts).toEqual([{ name: "vault-ca", mountPath: "/vault/userconfig/vault-ca", readOnly: true }]);
        const plain = vaultHelmValues(dev, "vault", "vault");
        expect(plain.csi.agent).toBeUndefined();
        expect(plain.csi.volumes).toBeUndefined();
    });

    it("joins every Raft peer over TLS", () => {
        const cfg = raftServerConfig({ haReplicas: 5 }, "vault", "secure");
        expect(cfg.match(/retry_join \{/g)).toHaveLength(5);
        expect(cfg).toContain('leader_api_addr         = "https://vault-4.vault-internal.secure.svc:8200"');
        expect(cfg).toContain('tls_cert_file   = "/vault/userconfig/vault-tls/tls.crt"');
        expect(cfg).not.toContain("tls_disable");
    });
});

describe("vault-helm values, exactly", () => {
    const base = { mode: "dev" as const, openshift: false, ui: false, injector: true, csiProvider: true, haReplicas: 3, images };

    it("writes the whole Raft server config: TLS listener, one retry_join per peer, then the seal stanza trimmed", () => {
        const peer = (i: number) =>
            [
                `  retry_join {`,
                `    leader_api_addr         = "https://vault-${i}.vault-internal.secure.svc:8200"`,
                `    leader_ca_cert_file     = "/vault/userconfig/vault-tls/ca.crt"`,
                `    leader_client_cert_file = "/vault/userconfig/vault-tls/tls.crt"`,
                `    leader_client_key_file  = "/vault/userconfig/vault-tls/tls.key"`,
                `  }`,
            ].join("\n");
        const head = [
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
            peer(0),
            peer(1),
            `}`,
            `service_registration "kubernetes" {}`,
        ].join("\n");
        expect(raftServerConfig({ haReplicas: 2 }, "vault", "secure")).toBe(`${head}\n\n`);
        const seal = 'seal "transit" {\n  address = "https://unseal:8200"\n}';
        expect(raftServerConfig({ haReplicas: 2, sealConfig: `\n  ${seal}\n\n` }, "vault", "secure")).toBe(`${head}\n${seal}\n`);
    });

    it("gives dev mode an in-memory server Pulumi may wait on, and the chart's auth delegator", () => {
        const v = vaultHelmValues(base, "vault", "vault");
        expect(v.server).toEqual({
            image: { tag: PINNED.vaultChart.appVersion },
            statefulSet: { annotations: {} },
            authDelegator: { enabled: true },
            dev: { enabled: true, devRootToken: "" },
            dataStorage: { enabled: false },
        });
        expect(v.global).toEqual({ openshift: false, tlsDisable: true });
        expect(v.ui).toEqual({ enabled: false });
    });

    it("gives HA mode Raft with node ids, the TLS Secret as a volume, and no seal environment when none is asked for", () => {
        const v = vaultHelmValues({ ...base, mode: "ha", haReplicas: 2, tlsSecretName: "vault-tls", sealSecretEnv: [] }, "vault", "secure");
        expect(v.server).toEqual({
            image: { tag: PINNED.vaultChart.appVersion },
            statefulSet: { annotations: { "pulumi.com/skipAwait": "true" } },
            authDelegator: { enabled: true },
            ha: { enabled: true, replicas: 2, raft: { enabled: true, setNodeId: true, config: raftServerConfig({ haReplicas: 2 }, "vault", "secure") } },
            volumes: [{ name: "userconfig-vault-tls", secret: { defaultMode: 420, secretName: "vault-tls" } }],
            volumeMounts: [{ mountPath: "/vault/userconfig/vault-tls", name: "userconfig-vault-tls", readOnly: true }],
        });
    });

    it("passes the seal's Secret-backed variables through, one entry each", () => {
        const sealSecretEnv = [
            { envName: "VAULT_TOKEN", secretName: "unseal-token", secretKey: "token" },
            { envName: "VAULT_NAMESPACE", secretName: "unseal-ns", secretKey: "ns" },
        ];
        const v = vaultHelmValues({ ...base, mode: "ha", tlsSecretName: "vault-tls", sealSecretEnv }, "vault", "vault");
        expect(v.server.extraSecretEnvironmentVars).toEqual(sealSecretEnv);
    });

    it("adds an Ingress on plain Kubernetes only for a host, with its class when one is given", () => {
        expect(vaultHelmValues(base, "vault", "vault").server.ingress).toBeUndefined();
        expect(vaultHelmValues({ ...base, ingressHost: "vault.example.com", ingressClassName: "nginx" }, "vault", "vault").server.ingress).toEqual({
            enabled: true,
            ingressClassName: "nginx",
            hosts: [{ host: "vault.example.com", paths: [] }],
        });
    });
});
