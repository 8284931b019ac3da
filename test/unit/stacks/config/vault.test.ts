/** stacks/config/vault.ts: `vaultkit:vault` and `vaultkit:vaultToken`: deploy or existing, server shape, exposure, TLS, the HA bootstrap, and the rules between them. */
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../../stacks/config";
import { missingVaultComponent } from "../../../../stacks/config/vault";
import {
    type Accepted,
    enoent,
    type ExactCase,
    externalVault,
    haBootstrap,
    inClusterVault,
    itAcceptsEach,
    itRefusesEach,
    itRefusesEachExactly,
    itRefusesEachPlatformOwned,
    PEM,
    platformOwned,
    problemsOf,
    publicKey,
    REVIEWER_JWT,
    type Case,
    type Refusal,
    valid,
} from "./fixtures";

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

describe("vault schema, word for word", () => {
    it("fills every default of a deployed dev Vault", () => {
        expect(parseStackConfig("dev", valid()).vault).toEqual({
            mode: "deploy",
            server: "dev",
            namespace: "vault",
            releaseName: "vault",
            chartVersion: "0.34.1",
            haReplicas: 3,
            ui: true,
            injector: true,
            csiProvider: true,
            address: "https://vault.apps.example.com",
            routeHost: "vault.apps.example.com",
            skipTlsVerify: false,
            tlsSecretName: "vault-tls",
            sealSecretEnv: [],
            bootstrapOnly: false,
            configure: true,
            inClusterAddress: "http://vault.vault.svc.cluster.local:8200",
        });
    });

    const bool = "expected true or false";
    const exact: ExactCase[] = [
        ["mode", (r) => (r.vault.mode = "external"), "vaultkit:vault.mode", "expected one of 'deploy', 'existing'", '"external"'],
        ["server", (r) => (r.vault.server = "standalone"), "vaultkit:vault.server", "expected one of 'dev', 'ha'", '"standalone"'],
        ["chart version as a number", (r) => (r.vault.chartVersion = 0.34), "vaultkit:vault.chartVersion", "expected a chart version string like '0.34.1'", "0.34"],
        ["chart version without a patch", (r) => (r.vault.chartVersion = "0.34"), "vaultkit:vault.chartVersion", "expected a chart version like '0.34.1'", '"0.34"'],
        ["chart version with a suffix", (r) => (r.vault.chartVersion = "0.34.1-rc1"), "vaultkit:vault.chartVersion", "expected a chart version like '0.34.1'", '"0.34.1-rc1"'],
        ["chart version with a prefix", (r) => (r.vault.chartVersion = "v0.34.1"), "vaultkit:vault.chartVersion", "expected a chart version like '0.34.1'", '"v0.34.1"'],
        ["haReplicas as a string", (r) => (r.vault.haReplicas = "3"), "vaultkit:vault.haReplicas", "expected a number", '"3"'],
        ["haReplicas not whole", (r) => (r.vault.haReplicas = 3.5), "vaultkit:vault.haReplicas", "expected a whole number", "3.5"],
        ["haReplicas 2", (r) => (r.vault.haReplicas = 2), "vaultkit:vault.haReplicas", "expected at least 3 Raft replicas", "2"],
        ["haReplicas 8", (r) => (r.vault.haReplicas = 8), "vaultkit:vault.haReplicas", "expected at most 7 Raft replicas", "8"],
        ["ui", (r) => (r.vault.ui = "no"), "vaultkit:vault.ui", bool, '"no"'],
        ["injector", (r) => (r.vault.injector = "no"), "vaultkit:vault.injector", bool, '"no"'],
        ["csiProvider", (r) => (r.vault.csiProvider = "no"), "vaultkit:vault.csiProvider", bool, '"no"'],
        ["skipTlsVerify", (r) => (r.vault.skipTlsVerify = "no"), "vaultkit:vault.skipTlsVerify", bool, '"no"'],
        ["bootstrapOnly", (r) => (r.vault.bootstrapOnly = "no"), "vaultkit:vault.bootstrapOnly", bool, '"no"'],
        ["configure", (r) => (r.vault.configure = "no"), "vaultkit:vault.configure", bool, '"no"'],
        ["routeHost", (r) => (r.vault.routeHost = "vault_apps"), "vaultkit:vault.routeHost", "expected a DNS host name", '"vault_apps"'],
        ["ingressHost", (r) => ((r.platform = "kubernetes"), delete r.vault.routeHost, (r.vault.ingressHost = "Vault.example.com")), "vaultkit:vault.ingressHost", "expected a DNS host name", '"Vault.example.com"'],
        ["caCertFile as a number", (r) => (r.vault.caCertFile = 5), "vaultkit:vault.caCertFile", "expected a file path", "5"],
        ["caCertFile empty", (r) => (r.vault.caCertFile = ""), "vaultkit:vault.caCertFile", "expected a file path", '""'],
        ["sealConfig as a number", (r) => (r.vault.sealConfig = 5), "vaultkit:vault.sealConfig", "expected an HCL seal stanza as a string", "5"],
        ...(["storage \"raft\" {}", 'seal"transit" {}', 'seal "Transit" {}', 'seal "" {}', 'xseal "transit" {}', 'seal "transit" {} x', 'seal "transit" {'].map(
            (hcl): ExactCase => [`sealConfig ${hcl}`, (r) => (r.vault.sealConfig = hcl), "vaultkit:vault.sealConfig", "expected an HCL stanza like 'seal \"transit\" { ... }'", JSON.stringify(hcl)],
        )),
        ...(['seal "transit" {\n  token = "hvs.x"\n}', 'seal "transit" { token="x" }', 'seal "awskms" { secret_key = "x" }', 'seal "azurekeyvault" { client_secret= "x" }', 'seal "awskms" { access_key ="x" }'].map(
            (hcl): ExactCase => [
                `credentials in ${hcl}`,
                (r) => (r.vault.sealConfig = hcl),
                "vaultkit:vault.sealConfig",
                "expected no credentials in the seal stanza (it ends up in a ConfigMap): pass them through vault.sealSecretEnv, e.g. VAULT_TOKEN for transit",
                JSON.stringify(hcl),
            ],
        )),
        ["sealSecretEnv not a list", (r) => (r.vault.sealSecretEnv = "VAULT_TOKEN"), "vaultkit:vault.sealSecretEnv", "expected a list of { envName, secretName, secretKey }", '"VAULT_TOKEN"'],
        ...(["vault_token", "1TOKEN", "VAULT TOKEN", "VAULT-TOKEN"].map(
            (envName): ExactCase => [`seal env name ${envName}`, (r) => (r.vault.sealSecretEnv = [{ envName, secretName: "s", secretKey: "k" }]), "vaultkit:vault.sealSecretEnv[0].envName", "expected an environment variable name like VAULT_TOKEN", JSON.stringify(envName)],
        )),
        ["seal env name a number", (r) => (r.vault.sealSecretEnv = [{ envName: 1, secretName: "s", secretKey: "k" }]), "vaultkit:vault.sealSecretEnv[0].envName", "expected a string", "1"],
        ...(["a/b", "", "a b"].map(
            (secretKey): ExactCase => [`seal env Secret key '${secretKey}'`, (r) => (r.vault.sealSecretEnv = [{ envName: "T", secretName: "s", secretKey }]), "vaultkit:vault.sealSecretEnv[0].secretKey", "expected a Secret data key", JSON.stringify(secretKey)],
        )),
        ["seal env Secret key a number", (r) => (r.vault.sealSecretEnv = [{ envName: "T", secretName: "s", secretKey: 1 }]), "vaultkit:vault.sealSecretEnv[0].secretKey", "expected a string", "1"],
    ];
    itRefusesEachExactly(exact);

    const accepted: Accepted[] = [
        ["mode and server written out as their defaults", (r) => ((r.vault.mode = "deploy"), (r.vault.server = "dev"))],
        ["haReplicas 7", (r) => (r.vault.haReplicas = 7)],
        ["haReplicas 3", (r) => (r.vault.haReplicas = 3)],
        ["a chart version of several digits each", (r) => (r.vault.chartVersion = "10.234.15")],
        ["a seal stanza with blanks around it and lines inside", (r) => (haBootstrap(r), (r.vault.sealConfig = '  seal  "awskms"{\n  region = "eu-west-1"\n  kms_key_id = "k"\n}\n'))],
        ["a seal stanza whose keys only contain a credential's name", (r) => (haBootstrap(r), (r.vault.sealConfig = 'seal "transit" {\n  token_file = "/t"\n  mytoken = "x"\n}'))],
        [
            "seal env names and Secret keys of every allowed character",
            (r) => (
                haBootstrap(r),
                (r.vault.sealSecretEnv = [
                    { envName: "_VAULT_TOKEN_2", secretName: "transit", secretKey: "-tls.crt_A9" },
                    { envName: "T", secretName: "t", secretKey: "k" },
                ])
            ),
        ],
    ];
    itAcceptsEach(accepted);
});

describe("vault.bootstrap, word for word", () => {
    const keys = (n: number, from = 1) => Array.from({ length: n }, (_, i) => publicKey(from + i));
    const withBootstrap = (b: Record<string, unknown>) => (r: Record<string, any>) => (haBootstrap(r), Object.assign(r.vault.bootstrap, b));
    const exact: ExactCase[] = [
        ["pgpKeys not a list", withBootstrap({ pgpKeys: "k" }), "vaultkit:vault.bootstrap.pgpKeys", "expected a list of base64 PGP public keys", '"k"'],
        ["no pgpKeys", withBootstrap({ pgpKeys: [], threshold: 1 }), "vaultkit:vault.bootstrap.pgpKeys", "expected at least one PGP public key", "[]"],
        ["256 pgpKeys", withBootstrap({ pgpKeys: keys(256, 10) }), "vaultkit:vault.bootstrap.pgpKeys", "expected at most 255 PGP public keys", expect.any(String) as unknown as string],
        ["a pgpKey that is not a string", withBootstrap({ pgpKeys: [5] }), "vaultkit:vault.bootstrap.pgpKeys[0]", "expected a base64 PGP public key (gpg --export KEYID | base64 -w0)", "5"],
        [
            "an armored root token key",
            withBootstrap({ rootTokenPgpKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----" }),
            "vaultkit:vault.bootstrap.rootTokenPgpKey",
            "expected the base64 of the binary key (gpg --export KEYID | base64 -w0), not an ASCII-armored block",
            '"-----BEGIN PGP PUBLIC KEY BLOCK-----"',
        ],
        ["threshold as a string", withBootstrap({ threshold: "2" }), "vaultkit:vault.bootstrap.threshold", "expected a number", '"2"'],
        ["threshold not whole", withBootstrap({ threshold: 1.5 }), "vaultkit:vault.bootstrap.threshold", "expected a whole number", "1.5"],
        ["threshold 0", withBootstrap({ pgpKeys: keys(1), threshold: 0 }), "vaultkit:vault.bootstrap.threshold", "expected a threshold of at least 1", "0"],
        ["threshold above the number of keys", withBootstrap({ threshold: 4 }), "vaultkit:vault.bootstrap.threshold", "expected at most 3 (the number of vault.bootstrap.pgpKeys)", "4"],
        ["threshold 1 of 2 keys", withBootstrap({ pgpKeys: keys(2), threshold: 1 }), "vaultkit:vault.bootstrap.threshold", "expected at least 2 with several key shares (Vault refuses a threshold of 1 for multiple shares)", "1"],
        ["a repeated key", withBootstrap({ pgpKeys: [publicKey(1), publicKey(2), publicKey(1)] }), "vaultkit:vault.bootstrap.pgpKeys", "expected a distinct key per key holder (a key repeats)", expect.any(String) as unknown as string],
        ["a timeout under a minute", withBootstrap({ timeout: 59 }), "vaultkit:vault.bootstrap.timeout", "expected a duration from 60s to 21600s, which is 59s", "59"],
        ["a timeout over 6 hours", withBootstrap({ timeout: 21601 }), "vaultkit:vault.bootstrap.timeout", "expected a duration from 60s to 21600s, which is 21601s", "21601"],
    ];
    itRefusesEachExactly(exact);

    const accepted: Accepted[] = [
        ["255 keys", withBootstrap({ pgpKeys: keys(255, 10) })],
        ["as many shares as keys needed", withBootstrap({ threshold: 3 })],
        ["one key, threshold 1", withBootstrap({ pgpKeys: keys(1), threshold: 1 })],
        ["two keys, threshold 2", withBootstrap({ pgpKeys: keys(2), threshold: 2 })],
        ["a one-minute timeout", withBootstrap({ timeout: 60 })],
        ["a six-hour timeout", withBootstrap({ timeout: "6h" })],
    ];
    itAcceptsEach(accepted);
});

describe("vault rules, word for word", () => {
    const MISSING = "nothing (the key is missing)";
    const prodHa = (r: Record<string, any>) => {
        r.production = true;
        r.vault.server = "ha";
        r.vault.caSecretName = "vault-ca";
        r.vault.sealConfig = 'seal "transit" {\n  address = "https://unseal:8200"\n}';
    };
    const pem = (detail: string) =>
        `expected a readable PEM file (relative to the project directory) with the CA that signed the certificate served at vault.address (${detail}); ` +
        "for an OpenShift edge Route: oc -n openshift-ingress-operator get secret router-ca -o jsonpath='{.data.tls\\.crt}' | base64 -d > ingress-ca.crt";
    const mount = (example: string, what: string) =>
        `expected a mount path chosen for this stack when vault.mode is 'existing' (e.g. '<stack>-${example}'): this stack enables ${what} there and owns it, ` +
        "and a shared Vault's default path is usually taken already (Vault refuses a second mount) or another stack's";
    const exact: ExactCase[] = [
        ["dev mode in production", (r) => (r.production = true), "vaultkit:vault.server", "expected 'ha' in a stack marked production (vaultkit:production is true): Vault dev mode keeps everything in memory with a single unsealed node", MISSING],
        [
            "configure false on a deployed Vault",
            (r) => (r.vault.configure = false),
            "vaultkit:vault.configure",
            "expected true when vault.mode is 'deploy' (this stack configures the Vault it deploys); false needs vault.mode 'existing'",
            "false",
        ],
        ["existing Vault without an address", (r) => (inClusterVault(r), delete r.vault.address), "vaultkit:vault.address", "expected the URL of the existing Vault when vault.mode is 'existing'", MISSING, { vaultToken: "t" }],
        [
            "existing Vault without a token",
            inClusterVault,
            "vaultkit:vaultToken",
            "expected a Vault token when vault.mode is 'existing': `pulumi config set --secret vaultkit:vaultToken ...` or VAULT_TOKEN in the environment",
            MISSING,
        ],
        [
            "deployed Vault without an address",
            (r) => delete r.vault.address,
            "vaultkit:vault.address",
            "expected the URL where `pulumi` reaches the deployed Vault (its Route/Ingress, or a port-forward like http://127.0.0.1:8200)",
            MISSING,
        ],
        ["token for a dev Vault", (r) => (r.vaultToken = "s.abc"), "vaultkit:vaultToken", "expected no token for a dev-mode Vault (the program generates its root token)", "[secret]"],
        [
            "HA Vault without a token",
            (r) => ((r.vault.server = "ha"), (r.vault.caSecretName = "ca")),
            "vaultkit:vaultToken",
            "expected an admin token for the HA Vault once it is initialised (`pulumi config set --secret vaultkit:vaultToken ...` or VAULT_TOKEN), or vault.bootstrapOnly true for the first up; see docs/ha-vault.md",
            MISSING,
        ],
        [
            "bootstrapOnly without bootstrap",
            (r) => (haBootstrap(r), delete r.vault.bootstrap),
            "vaultkit:vault.bootstrapOnly",
            "expected vault.bootstrap (the PGP public keys and threshold) with bootstrapOnly: without them nothing initialises Vault",
            "true",
        ],
        [
            "HA without a CA Secret",
            (r) => (r.vault.server = "ha"),
            "vaultkit:vault.caSecretName",
            "expected the name of a Secret with Vault's CA (ca.crt) in the consuming namespaces: HA Vault serves TLS, and pods must verify it",
            MISSING,
            { vaultToken: "t" },
        ],
        [
            "production HA without auto-unseal",
            (r) => (prodHa(r), delete r.vault.sealConfig),
            "vaultkit:vault.sealConfig",
            "expected an auto-unseal seal stanza in a stack marked production: with Shamir keys every pod restart waits for key holders (docs/ha-vault.md)",
            MISSING,
            { vaultToken: "t" },
        ],
        [
            "seal env without a seal stanza",
            (r) => ((r.vault.server = "ha"), (r.vault.caSecretName = "ca"), (r.vault.sealSecretEnv = [{ envName: "T", secretName: "s", secretKey: "k" }])),
            "vaultkit:vault.sealSecretEnv",
            "expected vault.sealConfig: these variables only feed a seal stanza",
            '[{"envName":"T","secretName":"s","secretKey":"k"}]',
            { vaultToken: "t" },
        ],
        ...(["bootstrap", "bootstrapOnly", "sealSecretEnv"] as const).map((k): ExactCase => {
            const value = { bootstrap: { pgpKeys: [publicKey(1)], rootTokenPgpKey: publicKey(2), threshold: 1 }, bootstrapOnly: true, sealSecretEnv: [{ envName: "T", secretName: "s", secretKey: "k" }] }[k];
            return [
                `${k} on a dev Vault`,
                (r) => (r.vault[k] = value),
                `vaultkit:vault.${k}`,
                "expected only with vault.mode 'deploy' and vault.server 'ha' (a dev Vault initialises itself; an existing one already is)",
                JSON.stringify(value).length > 80 ? `${JSON.stringify(value).slice(0, 77)}...` : JSON.stringify(value),
            ];
        }),
        [
            "bootstrapOnly on an existing HA Vault",
            (r) => (inClusterVault(r), (r.vault.server = "ha"), (r.vault.bootstrapOnly = true)),
            "vaultkit:vault.bootstrapOnly",
            "expected only with vault.mode 'deploy' and vault.server 'ha' (a dev Vault initialises itself; an existing one already is)",
            "true",
            { vaultToken: "t" },
        ],
        ["Route host on plain Kubernetes", (r) => (r.platform = "kubernetes"), "vaultkit:vault.routeHost", "expected no Route host on platform 'kubernetes' (Routes are OpenShift objects; use vault.ingressHost)", '"vault.apps.example.com"'],
        ["Ingress host on OpenShift", (r) => (r.vault.ingressHost = "vault.example.com"), "vaultkit:vault.ingressHost", "expected no Ingress host on platform 'openshift' (use vault.routeHost)", '"vault.example.com"'],
        ["skipTlsVerify in production", (r) => (prodHa(r), (r.vault.skipTlsVerify = true)), "vaultkit:vault.skipTlsVerify", "expected false in a stack marked production", "true", { vaultToken: "t" }],
        ...(["1", "true", "t", "T", "TRUE", "yes"].map(
            (skip): ExactCase => [
                `VAULT_SKIP_VERIFY=${skip} in production`,
                prodHa,
                "VAULT_SKIP_VERIFY",
                "expected it unset in a stack marked production (vaultkit:production is true): the Vault provider reads it and stops verifying Vault's certificate; trust the CA with vaultkit:vault.caCertFile instead",
                JSON.stringify(skip),
                { vaultToken: "t", vaultSkipVerify: skip },
            ],
        )),
        ["CA file and skipTlsVerify", (r) => ((r.vault.caCertFile = "ca.crt"), (r.vault.skipTlsVerify = true)), "vaultkit:vault.caCertFile", "expected either a CA file or vault.skipTlsVerify, not both", '"ca.crt"'],
        ["CA file that cannot be read", (r) => (r.vault.caCertFile = "ingress-ca.crt"), "vaultkit:vault.caCertFile", pem("ENOENT: no such file or directory, open 'ingress-ca.crt'"), '"ingress-ca.crt"', { readFile: enoent }],
        ["CA file without a certificate", (r) => (r.vault.caCertFile = "notes.txt"), "vaultkit:vault.caCertFile", pem("it holds no PEM certificate"), '"notes.txt"', { readFile: () => "hello" }],
        ["existing Vault, default auth mount", (r) => (inClusterVault(r), delete r.kubernetesAuth.mount), "vaultkit:kubernetesAuth.mount", mount("kubernetes", "the Kubernetes auth method"), MISSING, { vaultToken: "t" }],
        ["existing Vault, default KV mount", (r) => (inClusterVault(r), delete r.database.kvMount), "vaultkit:database.kvMount", mount("kv", "the KV v2 engine of the admin credentials"), MISSING, { vaultToken: "t" }],
        ["existing Vault, default database mount", (r) => (inClusterVault(r), delete r.database.databaseMount), "vaultkit:database.databaseMount", mount("database", "the database secrets engine"), MISSING, { vaultToken: "t" }],
        ["existing Vault without kubernetesAuth at all", (r) => (inClusterVault(r), delete r.kubernetesAuth), "vaultkit:kubernetesAuth.mount", mount("kubernetes", "the Kubernetes auth method"), MISSING, { vaultToken: "t" }],
    ];
    itRefusesEachExactly(exact);

    it("refuses, word for word, the keys a stack that configures nothing in Vault must not set", () => {
        const raw = platformOwned();
        raw.vaultToken = "hvs.unused";
        raw.kubernetesTokenReviewerJwt = REVIEWER_JWT;
        raw.kubernetesAuth = { kubernetesCaCert: PEM };
        const unused = "when vault.configure is false (this stack configures nothing in Vault; the team that owns Vault's configuration sets it)";
        expect(problemsOf(raw)).toEqual([
            { key: "vaultkit:vaultToken", expected: `expected no token ${unused}`, given: "[secret]" },
            { key: "vaultkit:kubernetesTokenReviewerJwt", expected: `expected no token reviewer ${unused}`, given: "[secret]" },
            { key: "vaultkit:kubernetesAuth.kubernetesCaCert", expected: `expected no API CA ${unused}`, given: JSON.stringify(PEM) },
        ]);
    });

    const accepted: Accepted[] = [
        ["an HA Vault with a token in config", (r) => ((r.vault.server = "ha"), (r.vault.caSecretName = "ca"), (r.vaultToken = "hvs.t"))],
        ["an existing Vault with a token in config", (r) => (inClusterVault(r), (r.vaultToken = "hvs.t"))],
        ["an existing Vault said to be HA (the shape matters only when deploying)", (r) => (inClusterVault(r), (r.vault.server = "ha")), { vaultToken: "t" }],
        ["dev mode in production on an existing Vault", (r) => (externalVault(r), (r.production = true))],
        ["a dev Vault with bootstrapOnly false and no seal env, written out", (r) => ((r.vault.bootstrapOnly = false), (r.vault.sealSecretEnv = []))],
        ["an HA Vault with an empty seal env and no seal stanza", (r) => ((r.vault.server = "ha"), (r.vault.caSecretName = "ca"), (r.vault.sealSecretEnv = [])), { vaultToken: "t" }],
        ["an Ingress host on plain Kubernetes", (r) => ((r.platform = "kubernetes"), delete r.vault.routeHost, (r.vault.ingressHost = "vault.example.com"))],
        ["skipTlsVerify outside production", (r) => (r.vault.skipTlsVerify = true)],
        ...(["f", "FALSE", "False", "false", "0", "F", ""].map((skip): Accepted => [`VAULT_SKIP_VERIFY=${JSON.stringify(skip)} in production`, prodHa, { vaultToken: "t", vaultSkipVerify: skip }])),
        ["a CA file nobody reads", (r) => (r.vault.caCertFile = "ingress-ca.crt")],
        ["a deployed Vault on the default mounts", () => undefined],
    ];
    itAcceptsEach(accepted);
});

describe("missingVaultComponent", () => {
    const deployed = (csiProvider: boolean, injector: boolean) => ({ mode: "deploy", csiProvider, injector }) as unknown as Parameters<typeof missingVaultComponent>[1];
    const existing = { mode: "existing", csiProvider: true, injector: true } as unknown as Parameters<typeof missingVaultComponent>[1];
    const notInstalled = (what: string, key: string) =>
        `runs in the cluster: with vault.mode 'existing' nothing here installs the ${what} (only a Vault deployed from its chart does), so the pods would never get their secret; set vault.${key} true if it is installed`;

    it("needs nothing for the sync and direct patterns", () => {
        expect(missingVaultComponent("sync", deployed(false, false), {})).toBeUndefined();
        expect(missingVaultComponent("direct", existing, {})).toBeUndefined();
    });

    it("needs a deployed Vault's own switch on: csiProvider for csi, injector for injector", () => {
        expect(missingVaultComponent("csi", deployed(true, false), {})).toBeUndefined();
        expect(missingVaultComponent("csi", deployed(false, true), {})).toBe("is enabled (vault.csiProvider is false)");
        expect(missingVaultComponent("injector", deployed(false, true), {})).toBeUndefined();
        expect(missingVaultComponent("injector", deployed(true, false), {})).toBe("is enabled (vault.injector is false)");
    });

    it("needs the switch set to true explicitly for an existing Vault (the default does not count)", () => {
        expect(missingVaultComponent("csi", existing, { vault: { csiProvider: true } })).toBeUndefined();
        expect(missingVaultComponent("csi", existing, { vault: { injector: true } })).toBe(notInstalled("Vault CSI provider", "csiProvider"));
        expect(missingVaultComponent("csi", existing, { vault: { csiProvider: "true" } })).toBe(notInstalled("Vault CSI provider", "csiProvider"));
        expect(missingVaultComponent("injector", existing, { vault: { injector: true } })).toBeUndefined();
        expect(missingVaultComponent("injector", existing, { vault: { csiProvider: true } })).toBe(notInstalled("Vault agent injector", "injector"));
        expect(missingVaultComponent("injector", existing, {})).toBe(notInstalled("Vault agent injector", "injector"));
    });
});
