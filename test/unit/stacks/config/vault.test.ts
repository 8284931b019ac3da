/** stacks/config/vault.ts: `vaultkit:vault` and `vaultkit:vaultToken`: deploy or existing, server shape, exposure, TLS, the HA bootstrap, and the rules between them. */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../../stacks/config";
import { haBootstrap, PEM, externalVault, inClusterVault, valid, problemsOf, platformOwned, type Case, enoent, itRefusesEach, type Refusal, itRefusesEachPlatformOwned } from "./fixtures";

describe("valid vault config", () => {
    it("uses an https in-cluster address for HA and VAULT_TOKEN from the environment", () => {
        const raw = valid();
        raw.vault.server = "ha";
        raw.vault.caSecretName = "vault-ca";
        const c = parseStackConfig("prod", raw, { vaultToken: "s.from-env" });
        expect(c.vault.inClusterAddress).toBe("https://vault.vault.svc.cluster.local:8200");
        expect(c.vaultToken).toBe("s.from-env");
    });

    it("accepts an HA first up with bootstrap keys and no token", () => {
        const raw = valid();
        haBootstrap(raw);
        const c = parseStackConfig("prod", raw);
        expect(c.vault.bootstrapOnly).toBe(true);
        expect(c.vault.bootstrap!.threshold).toBe(2);
        expect(c.vaultToken).toBeUndefined();
    });

    it("lets VAULT_SKIP_VERIFY be on outside production and off (or unset) in production", () => {
        expect(() => parseStackConfig("lab", valid(), { vaultSkipVerify: "true" })).not.toThrow();
        const prod = valid();
        prod.production = true;
        prod.vault.server = "ha";
        prod.vault.caSecretName = "vault-ca";
        prod.vault.sealConfig = 'seal "transit" {\n  address = "https://unseal:8200"\n}';
        for (const off of [undefined, "", "false", "0", "F"]) {
            expect(() => parseStackConfig("prod", prod, { vaultToken: "t", vaultSkipVerify: off })).not.toThrow();
        }
    });

    it("reads vault.caCertFile through the environment and accepts a PEM file", () => {
        const raw = valid();
        raw.vault.caCertFile = "ingress-ca.crt";
        const read: string[] = [];
        const c = parseStackConfig("dev", raw, { readFile: (f) => (read.push(f), PEM) });
        expect(read).toEqual(["ingress-ca.crt"]);
        expect(c.vault.caCertFile).toBe("ingress-ca.crt");
    });
});

const cases: Case[] = [
    ["vault namespace with upper case", (r) => (r.vault.namespace = "Vault"), "vaultkit:vault.namespace", /Kubernetes namespace/],
    ["vault namespace too long", (r) => (r.vault.namespace = "a".repeat(64)), "vaultkit:vault.namespace", /at most 63/],
    ["unknown vault mode", (r) => (r.vault.mode = "external"), "vaultkit:vault.mode", /'deploy', 'existing'/],
    ["unknown vault server shape", (r) => (r.vault.server = "standalone"), "vaultkit:vault.server", /'dev', 'ha'/],
    ["chart version as a number", (r) => (r.vault.chartVersion = 0.34), "vaultkit:vault.chartVersion", /chart version/],
    ["ha replicas below 3", (r) => (r.vault.haReplicas = 1), "vaultkit:vault.haReplicas", /at least 3/],
    ["vault address not a URL", (r) => (r.vault.address = "vault.example.com"), "vaultkit:vault.address", /http:\/\/ or https:\/\/ URL/],
    ["deploy mode without an address", (r) => delete r.vault.address, "vaultkit:vault.address", /where `pulumi` reaches/],
    ["existing Vault without a token", (r) => (r.vault = { mode: "existing", address: "https://vault.example.com" }), "vaultkit:vaultToken", /token/],
    ["existing Vault without an address", (r) => ((r.vault = { mode: "existing" }), (r.vaultToken = "t")), "vaultkit:vault.address", /URL of the existing Vault/],
    ["dev mode in production", (r) => (r.production = true), "vaultkit:vault.server", /'ha' in a stack marked production/],
    ["route host on plain Kubernetes", (r) => (r.platform = "kubernetes"), "vaultkit:vault.routeHost", /OpenShift/],
    ["ingress host on OpenShift", (r) => (r.vault.ingressHost = "vault.example.com"), "vaultkit:vault.ingressHost", /routeHost/],
    ["token given for a dev Vault", (r) => (r.vaultToken = "s.abc"), "vaultkit:vaultToken", /no token for a dev-mode Vault/],
    ["HA bootstrap threshold above the number of keys", (r) => (haBootstrap(r), (r.vault.bootstrap.threshold = 4)), "vaultkit:vault.bootstrap.threshold", /at most 3/],
    ["HA bootstrap threshold 1 with several keys", (r) => (haBootstrap(r), (r.vault.bootstrap.threshold = 1)), "vaultkit:vault.bootstrap.threshold", /at least 2/],
    ["HA bootstrap with an armored key", (r) => (haBootstrap(r), (r.vault.bootstrap.rootTokenPgpKey = "-----BEGIN PGP PUBLIC KEY BLOCK-----")), "vaultkit:vault.bootstrap.rootTokenPgpKey", /ASCII-armored/],
    ["HA bootstrapOnly without bootstrap keys", (r) => (haBootstrap(r), delete r.vault.bootstrap), "vaultkit:vault.bootstrapOnly", /PGP public keys/],
    ["bootstrap on a dev Vault", (r) => (r.vault.bootstrapOnly = true), "vaultkit:vault.bootstrapOnly", /only with vault.mode 'deploy' and vault.server 'ha'/],
    ["production HA without auto-unseal", (r) => ((r.production = true), (r.vault.server = "ha")), "vaultkit:vault.sealConfig", /auto-unseal/, { vaultToken: "t" }],
    ["seal env without a seal stanza", (r) => ((r.vault.server = "ha"), (r.vault.sealSecretEnv = [{ envName: "VAULT_TOKEN", secretName: "s", secretKey: "token" }])), "vaultkit:vault.sealSecretEnv", /only feed a seal stanza/, { vaultToken: "t" }],
    ["HA without a token and not bootstrapOnly", (r) => (r.vault.server = "ha"), "vaultkit:vaultToken", /bootstrapOnly/],
    ["transit token inside the seal stanza", (r) => ((r.vault.server = "ha"), (r.vault.sealConfig = 'seal "transit" {\n  token = "hvs.x"\n}')), "vaultkit:vault.sealConfig", /no credentials in the seal stanza/, { vaultToken: "t" }],
    ["HA without a CA Secret for clients", (r) => (r.vault.server = "ha"), "vaultkit:vault.caSecretName", /Vault's CA/, { vaultToken: "t" }],
    ["seal config that is not a seal stanza", (r) => (r.vault.sealConfig = "storage \"raft\" {}"), "vaultkit:vault.sealConfig", /seal/],
    ["VAULT_SKIP_VERIFY in production", (r) => ((r.production = true), (r.vault.server = "ha")), "VAULT_SKIP_VERIFY", /unset in a stack marked production.*vault\.caCertFile/, { vaultToken: "t", vaultSkipVerify: "1" }],
    ["skipTlsVerify in production with an existing Vault", (r) => (externalVault(r), (r.production = true), (r.vault.skipTlsVerify = true)), "vaultkit:vault.skipTlsVerify", /false in a stack marked production/],
    ["Vault CA file that cannot be read", (r) => (r.vault.caCertFile = "ingress-ca.crt"), "vaultkit:vault.caCertFile", /ENOENT.*router-ca/, { readFile: enoent }],
    ["Vault CA file without a certificate", (r) => (r.vault.caCertFile = "notes.txt"), "vaultkit:vault.caCertFile", /holds no PEM certificate/, { readFile: () => "hello" }],
    ["Vault CA file and skipTlsVerify together", (r) => ((r.vault.caCertFile = "ca.crt"), (r.vault.skipTlsVerify = true)), "vaultkit:vault.caCertFile", /not both/],
    ["existing Vault with the default auth mount", (r) => (inClusterVault(r), delete r.kubernetesAuth.mount), "vaultkit:kubernetesAuth.mount", /mount path chosen for this stack.*'<stack>-kubernetes'/, { vaultToken: "t" }],
    ["existing Vault with the default KV mount", (r) => (inClusterVault(r), delete r.database.kvMount), "vaultkit:database.kvMount", /mount path chosen for this stack.*Vault refuses a second mount/, { vaultToken: "t" }],
    ["existing Vault with the default database mount", (r) => (inClusterVault(r), delete r.database.databaseMount), "vaultkit:database.databaseMount", /mount path chosen for this stack/, { vaultToken: "t" }],
];

describe("bad vault input fails with the key, what was expected and what was given", () => {
    itRefusesEach(cases);
});

describe("vault.configure", () => {
    it("default to true: this stack installs the operators and configures Vault", () => {
        const c = parseStackConfig("dev", valid());
        expect(c.vault.configure).toBe(true);
        expect(c.operators.install).toBe(true);
    });

    it("accept an existing Vault configured elsewhere with no token, and keep the StackGres admin password", () => {
        const c = parseStackConfig("t", platformOwned());
        expect(c.vault.configure).toBe(false);
        expect(c.operators.install).toBe(false);
        expect(c.vaultToken).toBeUndefined();
        expect(c.databaseAdminPassword).toBe("owner-given-admin-password-0123");
    });

    it("ignore VAULT_TOKEN in the environment when nothing talks to Vault", () => {
        expect(parseStackConfig("t", platformOwned(), { vaultToken: "hvs.env" }).vault.configure).toBe(false);
    });

    const refusals: Refusal[] = [
            ["configure false with a Vault this stack deploys", (r) => (r.vault = { address: "http://127.0.0.1:8200", configure: false }), "vaultkit:vault.configure", /false needs vault.mode 'existing'/],
            ["configure that is not a boolean", (r) => (r.vault.configure = "no"), "vaultkit:vault.configure", /true or false/],
            ["a Vault token nothing would use", (r) => (r.vaultToken = "hvs.unused"), "vaultkit:vaultToken", /no token when vault.configure is false/],
            ["a token reviewer nothing would use", (r) => (r.kubernetesTokenReviewerJwt = "eyJhbGciOiJSUzI1NiJ9.e30.sig-0123456789"), "vaultkit:kubernetesTokenReviewerJwt", /vault.configure is false/],
            ["an API CA nothing would use", (r) => (r.kubernetesAuth = { kubernetesCaCert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----" }), "vaultkit:kubernetesAuth.kubernetesCaCert", /vault.configure is false/],
    ];
    itRefusesEachPlatformOwned(refusals);

    it("never print the unused token it refuses", () => {
        const raw = platformOwned();
        raw.vaultToken = "hvs.do-not-print-me";
        expect(JSON.stringify(problemsOf(raw))).not.toContain("do-not-print-me");
    });
});
