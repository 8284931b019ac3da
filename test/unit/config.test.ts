import { describe, expect, it } from "vitest";
import { configWarnings, ConfigError, type ConfigEnvironment, editDistance, parseDurationSeconds, parseStackConfig, rawConfigFromPulumi } from "../../stacks/config";

/** A base64 byte string whose first packet is an OpenPGP public-key packet (old format, tag 6). */
function publicKey(seed: number): string {
    return Buffer.from([0x99, ...Array.from({ length: 80 }, (_, i) => (i * 7 + seed) & 0xff)]).toString("base64");
}

/** An HA stack on its first up: bootstrap with three key holders, auto-unseal through transit. */
function haBootstrap(r: Record<string, any>): void {
    r.vault.server = "ha";
    r.vault.caSecretName = "vault-ca";
    r.vault.sealConfig = 'seal "transit" {\n  address = "https://unseal:8200"\n}';
    r.vault.bootstrapOnly = true;
    r.vault.bootstrap = { pgpKeys: [publicKey(1), publicKey(2), publicKey(3)], rootTokenPgpKey: publicKey(4), threshold: 2 };
}

/** A throw-away self-signed CA (public certificate only), as `kubernetesAuth.kubernetesCaCert` takes it. */
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
const REVIEWER_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXZpZXdlciJ9.sig-0123456789";

/** An existing Vault outside the cluster, with everything Kubernetes auth needs from there. */
function externalVault(r: Record<string, any>): void {
    r.vault = { mode: "existing", address: "https://vault.example.com:8200" };
    r.vaultToken = "hvs.t";
    r.kubernetesTokenReviewerJwt = REVIEWER_JWT;
    r.kubernetesAuth = { kubernetesHost: "https://api.cluster.example.com:6443", kubernetesCaCert: PEM, mount: "team-kubernetes" };
    r.database = { kvMount: "team-kv", databaseMount: "team-database" };
}

/** An existing Vault running in this cluster, with the per-stack mounts an existing Vault needs. */
function inClusterVault(r: Record<string, any>): void {
    r.vault = { mode: "existing", address: "https://vault.example.com" };
    r.kubernetesAuth = { vaultRunsInCluster: true, mount: "team-kubernetes" };
    r.database = { ...r.database, kvMount: "team-kv", databaseMount: "team-database" };
}

/** A minimal valid raw config; each case below breaks one thing. */
function valid(): Record<string, any> {
    return {
        platform: "openshift",
        vault: { address: "https://vault.apps.example.com", routeHost: "vault.apps.example.com" },
        applications: [{ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app" }],
    };
}

function problemsOf(raw: Record<string, any>, env: ConfigEnvironment = {}): { key: string; expected: string; given: string }[] {
    try {
        parseStackConfig("test", raw, env);
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems;
    }
    throw new Error("expected a ConfigError");
}

describe("valid config", () => {
    it("fills the seed's defaults", () => {
        const c = parseStackConfig("dev", valid());
        expect(c.stackName).toBe("dev");
        expect(c.vault).toMatchObject({ mode: "deploy", server: "dev", namespace: "vault", releaseName: "vault", chartVersion: "0.34.1" });
        expect(c.vault.inClusterAddress).toBe("http://vault.vault.svc.cluster.local:8200");
        expect(c.kubernetesAuth).toEqual({ mount: "kubernetes", kubernetesHost: "https://kubernetes.default.svc", audience: "https://kubernetes.default.svc", vaultRunsInCluster: true });
        expect(c.database).toMatchObject({
            namespace: "rhbk",
            clusterName: "keycloak-postgresql",
            kvMount: "kv-v2",
            adminSecretPath: "keycloak-postgresql/config",
            adminPolicyName: "keycloak-postgresql-policy",
            adminAuthRole: "keycloak-postgresql-admin",
            adminServiceAccounts: [],
            adminTokenTtl: 86400,
            databaseMount: "database",
            connectionName: "keycloak-postgresql",
            vaultAdminRole: "vault_admin",
            syncedSecretName: "keycloak-postgresql-vault",
            sslMode: "require",
        });
        expect(c.applications[0]).toMatchObject({ rotationPeriod: 86400, delivery: "direct", tokenTtl: 3600 });
    });

    it("parses durations in seconds and Go-style units", () => {
        expect(parseDurationSeconds(86400)).toBe(86400);
        expect(parseDurationSeconds("86400")).toBe(86400);
        expect(parseDurationSeconds("24h")).toBe(86400);
        expect(parseDurationSeconds("1h30m")).toBe(5400);
        expect(parseDurationSeconds("7d")).toBe(604800);
        expect(parseDurationSeconds("1.5h")).toBeUndefined();
        expect(parseDurationSeconds(-1)).toBeUndefined();
        expect(parseDurationSeconds("")).toBeUndefined();
    });

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

    it("accepts OLM CSV pins of the right package, or false for none", () => {
        const raw = valid();
        raw.operators = { stackgresCatalog: "community-operators", stackgresCsv: "stackgres-community.v1.18.7", vaultSecretsOperatorCsv: false };
        const c = parseStackConfig("dev", raw);
        expect(c.operators).toMatchObject({ stackgresCsv: "stackgres-community.v1.18.7", vaultSecretsOperatorCsv: false });
        expect(parseStackConfig("dev", valid()).operators.vaultSecretsOperatorCsv).toBeUndefined();
    });

    it("accepts a PostgreSQL major written as a number, as YAML and `pulumi config set --path` write it", () => {
        const raw = valid();
        raw.database = { postgresVersion: 16 };
        expect(parseStackConfig("dev", raw).database.postgresVersion).toBe("16");
    });

    it("accepts secret keys that were set as secrets", () => {
        const raw = valid();
        inClusterVault(raw);
        raw.vaultToken = "hvs.set-with-secret";
        expect(parseStackConfig("dev", raw, { isSecret: (k) => k === "vaultToken" }).vaultToken).toBe("hvs.set-with-secret");
    });

    it("accepts an existing Vault outside the cluster with the API server's URL, CA and a reviewer token", () => {
        const raw = valid();
        externalVault(raw);
        const c = parseStackConfig("ext", raw);
        expect(c.kubernetesAuth.vaultRunsInCluster).toBe(false);
        expect(c.kubernetesTokenReviewerJwt).toBe(REVIEWER_JWT);
    });

    it("accepts an existing Vault that runs in this cluster without CA or reviewer token (its pod has both)", () => {
        const raw = valid();
        inClusterVault(raw);
        const c = parseStackConfig("in", raw, { vaultToken: "hvs.t" });
        expect(c.kubernetesAuth).toMatchObject({ vaultRunsInCluster: true, kubernetesHost: "https://kubernetes.default.svc" });
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

    it("names the database's Vault and Kubernetes objects after clusterName unless a name is given", () => {
        const raw = valid();
        raw.database = { clusterName: "orders-pg", adminAuthRole: "orders-login" };
        expect(parseStackConfig("t", raw).database).toMatchObject({
            connectionName: "orders-pg",
            adminSecretPath: "orders-pg/config",
            adminPolicyName: "orders-pg-policy",
            adminAuthRole: "orders-login",
            syncedSecretName: "orders-pg-vault",
        });
    });

    it("lets csi and injector apps use an existing Vault whose CSI provider and injector the user says are installed", () => {
        const raw = valid();
        inClusterVault(raw);
        raw.vault.csiProvider = true;
        raw.vault.injector = true;
        raw.applications[0].delivery = "csi";
        raw.applications.push({ name: "reports", namespace: "reports", serviceAccount: "reports", databaseRole: "reports", delivery: "injector" });
        expect(parseStackConfig("t", raw, { vaultToken: "hvs.t" }).applications.map((a) => a.delivery)).toEqual(["csi", "injector"]);
    });

    it("reads Pulumi's flat config map, JSON-decoding structured values", () => {
        const raw = rawConfigFromPulumi({
            "vaultkit:platform": "kubernetes",
            "vaultkit:production": "true",
            "vaultkit:vault": JSON.stringify({ address: "http://127.0.0.1:8200" }),
            "vaultkit:vaultToken": "123",
            "kubernetes:context": "ignored",
        });
        expect(raw).toEqual({ platform: "kubernetes", production: true, vault: { address: "http://127.0.0.1:8200" }, vaultToken: "123" });
    });
});

type Case = [string, (raw: Record<string, any>) => void, string, RegExp, ConfigEnvironment?];

const enoent = (f: string): string => {
    throw new Error(`ENOENT: no such file or directory, open '${f}'`);
};

const cases: Case[] = [
    ["missing platform", (r) => delete r.platform, "vaultkit:platform", /one of 'openshift', 'kubernetes'/],
    ["unknown platform", (r) => (r.platform = "openshfit"), "vaultkit:platform", /one of 'openshift', 'kubernetes'/],
    ["production not a boolean", (r) => (r.production = "yes"), "vaultkit:production", /true or false/],
    ["vault namespace with upper case", (r) => (r.vault.namespace = "Vault"), "vaultkit:vault.namespace", /Kubernetes namespace/],
    ["vault namespace too long", (r) => (r.vault.namespace = "a".repeat(64)), "vaultkit:vault.namespace", /at most 63/],
    ["database namespace with underscore", (r) => (r.database = { namespace: "rh_bk" }), "vaultkit:database.namespace", /Kubernetes namespace/],
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
    ["kv mount with a slash", (r) => (r.database = { kvMount: "kv/v2" }), "vaultkit:database.kvMount", /mount path/],
    ["secret path with a wildcard", (r) => (r.database = { adminSecretPath: "keycloak/*" }), "vaultkit:database.adminSecretPath", /no wildcards/],
    ["admin token TTL too long", (r) => (r.database = { adminTokenTtl: "800h" }), "vaultkit:database.adminTokenTtl", /from 60s to 2764800s/],
    ["VSO refresh too short", (r) => (r.database = { refreshAfter: "1s" }), "vaultkit:database.refreshAfter", /from 5s/],
    ["non-default port for StackGres", (r) => (r.database = { port: 6432 }), "vaultkit:database.port", /always listens on 5432/],
    ["CSI OperatorGroup switch not a boolean", (r) => (r.operators = { createCsiOperatorGroup: "no" }), "vaultkit:operators.createCsiOperatorGroup", /true or false/],
    ["VSO CSV pin of another package", (r) => (r.operators = { vaultSecretsOperatorCsv: "stackgres.v1.18.6" }), "vaultkit:operators.vaultSecretsOperatorCsv", /'vault-secrets-operator\.v<version>'/],
    ["VSO CSV pin true instead of a name", (r) => (r.operators = { vaultSecretsOperatorCsv: true }), "vaultkit:operators.vaultSecretsOperatorCsv", /CSV name .* or false/],
    ["StackGres CSV pin of another catalog's package", (r) => (r.operators = { stackgresCatalog: "community-operators", stackgresCsv: "stackgres.v1.18.6" }), "vaultkit:operators.stackgresCsv", /'stackgres-community\.v<version>'/],
    ["kubectl image unpinned", (r) => (r.kubectlImage = "registry.k8s.io/kubectl"), "vaultkit:kubectlImage", /pinned to a tag or digest/],
    ["volume size not a quantity", (r) => (r.database = { volumeSize: "5 GB" }), "vaultkit:database.volumeSize", /quantity/],
    ["postgres minor version as a number", (r) => (r.database = { postgresVersion: 15.6 }), "vaultkit:database.postgresVersion", /as a string, like '15.6'/],
    ["postgres version out of range", (r) => (r.database = { postgresVersion: 11 }), "vaultkit:database.postgresVersion", /12 to 18/],
    ["instances as a string", (r) => (r.database = { instances: "3" }), "vaultkit:database.instances", /a number/],
    ["synced secret named like the cluster", (r) => (r.database = { syncedSecretName: "keycloak-postgresql" }), "vaultkit:database.syncedSecretName", /StackGres creates and owns/],
    ["existing database without host", (r) => (r.database = { mode: "existing" }), "vaultkit:database.host", /PostgreSQL host/],
    ["existing database without the admin password", (r) => (r.database = { mode: "existing", host: "db" }), "vaultkit:databaseAdminPassword", /password of the existing 'vault_admin' role/],
    ["admin password given for StackGres", (r) => (r.databaseAdminPassword = "0123456789abcdefgh"), "vaultkit:databaseAdminPassword", /generates it/],
    ["admin password too short", (r) => ((r.database = { mode: "existing", host: "db" }), (r.databaseAdminPassword = "short")), "vaultkit:databaseAdminPassword", /at least 16/],
    ["applications not a list", (r) => (r.applications = { name: "app" }), "vaultkit:applications", /list of applications/],
    ["application without a namespace", (r) => delete r.applications[0].namespace, "vaultkit:applications[0].namespace", /expected a string/],
    ["rotation period too short", (r) => (r.applications[0].rotationPeriod = "30s"), "vaultkit:applications[0].rotationPeriod", /from 60s/],
    ["rotation period unparseable", (r) => (r.applications[0].rotationPeriod = "daily"), "vaultkit:applications[0].rotationPeriod", /duration/],
    ["rotation period over a year", (r) => (r.applications[0].rotationPeriod = "400d"), "vaultkit:applications[0].rotationPeriod", /to 31536000s/],
    ["database role with the pg_ prefix", (r) => (r.applications[0].databaseRole = "pg_app"), "vaultkit:applications[0].databaseRole", /reserved prefix/],
    ["database role is the superuser", (r) => (r.applications[0].databaseRole = "postgres"), "vaultkit:applications[0].databaseRole", /not the superuser/],
    ["unknown delivery pattern", (r) => (r.applications[0].delivery = "env"), "vaultkit:applications[0].delivery", /'sync', 'csi', 'injector', 'direct'/],
    ["duplicate application names", (r) => r.applications.push({ ...r.applications[0], databaseRole: "other" }), "vaultkit:applications[1].name", /unique application name/],
    ["two applications sharing a role", (r) => r.applications.push({ ...r.applications[0], name: "app2" }), "vaultkit:applications[1].databaseRole", /no other application uses/],
    ["image pinned to latest", (r) => (r.applications[0].image = "registry.example.com/app:latest"), "vaultkit:applications[0].image", /not ':latest'/],
    ["image without a tag", (r) => (r.applications[0].image = "registry.example.com/app"), "vaultkit:applications[0].image", /pinned to a tag or digest/],
    ["csi delivery with the CSI provider off", (r) => ((r.vault.csiProvider = false), (r.applications[0].delivery = "csi")), "vaultkit:applications[0].delivery", /csiProvider is false/],
    ["debug workloads in production", (r) => ((r.production = true), (r.vault.server = "ha"), (r.debugWorkloads = { direct: true })), "vaultkit:debugWorkloads", /no debug workloads/, { vaultToken: "t" }],
    ["misspelled top-level key", (r) => (r.aplications = []), "vaultkit:aplications", /no such key/],
    ["misspelled nested key", (r) => (r.vault.adress = "x"), "vaultkit:vault.adress", /no such key/],
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
    ["token reviewer for a Vault in the cluster", (r) => (r.kubernetesTokenReviewerJwt = "eyJhbGciOiJSUzI1NiJ9.e30.sig-0123456789"), "vaultkit:kubernetesTokenReviewerJwt", /deployed in the cluster/],
    ["API CA that is not PEM", (r) => (r.kubernetesAuth = { kubernetesCaCert: "MIIB..." }), "vaultkit:kubernetesAuth.kubernetesCaCert", /PEM certificate/],
    ["HA without a CA Secret for clients", (r) => (r.vault.server = "ha"), "vaultkit:vault.caSecretName", /Vault's CA/, { vaultToken: "t" }],
    ["seal config that is not a seal stanza", (r) => (r.vault.sealConfig = "storage \"raft\" {}"), "vaultkit:vault.sealConfig", /seal/],
    ["existing Vault outside the cluster without the API CA", (r) => (externalVault(r), delete r.kubernetesAuth.kubernetesCaCert), "vaultkit:kubernetesAuth.kubernetesCaCert", /API server's CA.*vaultRunsInCluster true/],
    ["existing Vault outside the cluster without a reviewer token", (r) => (externalVault(r), delete r.kubernetesTokenReviewerJwt), "vaultkit:kubernetesTokenReviewerJwt", /system:auth-delegator.*vaultRunsInCluster true/],
    ["existing Vault outside the cluster calling kubernetes.default.svc", (r) => (externalVault(r), delete r.kubernetesAuth.kubernetesHost), "vaultkit:kubernetesAuth.kubernetesHost", /kubernetes\.default\.svc resolves only inside a cluster/],
    ["existing Vault outside the cluster with an in-cluster API name", (r) => (externalVault(r), (r.kubernetesAuth.kubernetesHost = "https://kubernetes.default.svc.cluster.local:443")), "vaultkit:kubernetesAuth.kubernetesHost", /resolves only inside a cluster/],
    ["deployed Vault said to run outside the cluster", (r) => (r.kubernetesAuth = { vaultRunsInCluster: false }), "vaultkit:kubernetesAuth.vaultRunsInCluster", /deploys runs in the cluster/],
    ["VAULT_SKIP_VERIFY in production", (r) => ((r.production = true), (r.vault.server = "ha")), "VAULT_SKIP_VERIFY", /unset in a stack marked production.*vault\.caCertFile/, { vaultToken: "t", vaultSkipVerify: "1" }],
    ["skipTlsVerify in production with an existing Vault", (r) => (externalVault(r), (r.production = true), (r.vault.skipTlsVerify = true)), "vaultkit:vault.skipTlsVerify", /false in a stack marked production/],
    ["Vault CA file that cannot be read", (r) => (r.vault.caCertFile = "ingress-ca.crt"), "vaultkit:vault.caCertFile", /ENOENT.*router-ca/, { readFile: enoent }],
    ["Vault CA file without a certificate", (r) => (r.vault.caCertFile = "notes.txt"), "vaultkit:vault.caCertFile", /holds no PEM certificate/, { readFile: () => "hello" }],
    ["Vault CA file and skipTlsVerify together", (r) => ((r.vault.caCertFile = "ca.crt"), (r.vault.skipTlsVerify = true)), "vaultkit:vault.caCertFile", /not both/],
    ["kubernetes:context, which the explicit provider ignores", () => undefined, "kubernetes:context", /vaultkit:kubeContext instead/, { otherConfigKeys: ["kubernetes:context"] }],
    ["vault:token, which the explicit provider ignores", () => undefined, "vault:token", /vaultkit:vaultToken/, { otherConfigKeys: ["vault:token"] }],
    [
        "two applications running as the same service account",
        (r) => r.applications.push({ name: "reports", namespace: "rhbk", serviceAccount: "app", databaseRole: "reports" }),
        "vaultkit:applications[1].serviceAccount",
        /applications\[1\] \('reports'\) and applications\[0\] \('app'\) both run as rhbk\/app/,
    ],
    [
        "an application running as the admin sync's service account",
        (r) => (r.applications[0].serviceAccount = "keycloak-postgresql-vault-sync"),
        "vaultkit:applications[0].serviceAccount",
        /applications\[0\] \('app'\) runs as rhbk\/keycloak-postgresql-vault-sync, which the admin credentials role 'keycloak-postgresql-admin' binds/,
    ],
    [
        "an application running as a service account listed for the admin role",
        (r) => ((r.database = { adminServiceAccounts: ["default"] }), (r.applications[0].serviceAccount = "default")),
        "vaultkit:applications[0].serviceAccount",
        /runs as rhbk\/default, which the admin credentials role .* binds \(service accounts keycloak-postgresql-vault-sync, default in rhbk\)/,
    ],
    ["the admin role bound to 'default' in production", (r) => ((r.production = true), (r.vault.server = "ha"), (r.database = { adminServiceAccounts: ["default"] })), "vaultkit:database.adminServiceAccounts", /no 'default' in a stack marked production/, { vaultToken: "t" }],
    ["external application named like an application", (r) => (r.externalApplications = [{ name: "app", databaseRole: "team_b_app" }]), "vaultkit:externalApplications[0].name", /'app' is already used by applications\[0\]/],
    ["external application sharing a database role", (r) => (r.externalApplications = [{ name: "team-b-app", databaseRole: "app" }]), "vaultkit:externalApplications[0].databaseRole", /'app' belongs to applications\[0\]/],
    ["external application managing the Vault admin role", (r) => (r.externalApplications = [{ name: "team-b-app", databaseRole: "vault_admin" }]), "vaultkit:externalApplications[0].databaseRole", /not the superuser, replication, authenticator or Vault admin role/],
    ["existing Vault with the default auth mount", (r) => (inClusterVault(r), delete r.kubernetesAuth.mount), "vaultkit:kubernetesAuth.mount", /mount path chosen for this stack.*'<stack>-kubernetes'/, { vaultToken: "t" }],
    ["existing Vault with the default KV mount", (r) => (inClusterVault(r), delete r.database.kvMount), "vaultkit:database.kvMount", /mount path chosen for this stack.*Vault refuses a second mount/, { vaultToken: "t" }],
    ["existing Vault with the default database mount", (r) => (inClusterVault(r), delete r.database.databaseMount), "vaultkit:database.databaseMount", /mount path chosen for this stack/, { vaultToken: "t" }],
    ["csi app with an existing Vault whose CSI provider nobody installs", (r) => (inClusterVault(r), (r.applications[0].delivery = "csi")), "vaultkit:applications[0].delivery", /nothing here installs the Vault CSI provider.*vault\.csiProvider true/, { vaultToken: "t" }],
    ["injector app with an existing Vault whose injector nobody installs", (r) => (inClusterVault(r), (r.applications[0].delivery = "injector")), "vaultkit:applications[0].delivery", /nothing here installs the Vault agent injector.*vault\.injector true/, { vaultToken: "t" }],
    ["CSI debug pod with an existing Vault whose CSI provider nobody installs", (r) => (inClusterVault(r), (r.debugWorkloads = { csi: true })), "vaultkit:debugWorkloads.csi", /nothing here installs the Vault CSI provider/, { vaultToken: "t" }],
];

describe("bad input fails with the key, what was expected and what was given", () => {
    it.each(cases)("%s", (_title, breakIt, key, expected, env) => {
        const raw = valid();
        breakIt(raw);
        const problems = problemsOf(raw, env ?? {});
        const p = problems.find((x) => x.key === key);
        expect(p, `problems were: ${JSON.stringify(problems)}`).toBeDefined();
        expect(p!.expected).toMatch(expected);
        expect(p!.given.length).toBeGreaterThan(0);
    });

    it("quotes the given value", () => {
        const raw = valid();
        raw.platform = "openshfit";
        expect(problemsOf(raw)[0]).toEqual({ key: "vaultkit:platform", expected: "expected one of 'openshift', 'kubernetes'", given: '"openshfit"' });
    });

    it("says a missing key is missing", () => {
        const raw = valid();
        delete raw.platform;
        expect(problemsOf(raw)[0]!.given).toBe("nothing (the key is missing)");
    });

    it("never prints the Vault token", () => {
        const raw = valid();
        raw.vaultToken = 12345;
        const err = (() => {
            try {
                parseStackConfig("t", raw);
            } catch (e) {
                return e as Error;
            }
            throw new Error("expected an error");
        })();
        expect(err.message).toContain("vaultkit:vaultToken");
        expect(err.message).toContain("[secret]");
        expect(err.message).not.toContain("12345");
    });

    it("suggests the nearest key for a misspelt one", () => {
        const raw = valid();
        raw.applications[0].rotationPeriode = "24h";
        raw.vault.adress = "https://x";
        raw.aplications = [];
        const problems = problemsOf(raw);
        expect(problems.find((p) => p.key === "vaultkit:applications[0].rotationPeriode")!.expected).toMatch(/did you mean 'rotationPeriod'\?/);
        expect(problems.find((p) => p.key === "vaultkit:vault.adress")!.expected).toMatch(/did you mean 'address'\?/);
        expect(problems.find((p) => p.key === "vaultkit:aplications")!.expected).toMatch(/did you mean 'applications'\?/);
        raw.zzzzzz = 1;
        expect(problemsOf(raw).find((p) => p.key === "vaultkit:zzzzzz")!.expected).toBe("no such key (check the spelling against the README's configuration reference)");
    });

    it("says how to set a nested key that was set as one flat key (without --path)", () => {
        const raw = valid();
        raw["database.instances"] = 3;
        const p = problemsOf(raw).find((x) => x.key === "vaultkit:database.instances")!;
        expect(p.expected).toContain("`pulumi config set --path vaultkit:database.instances <value>`");
        expect(p.given).toBe("3");
    });

    it("says a missing required key is required", () => {
        const raw = valid();
        delete raw.applications[0].namespace;
        expect(problemsOf(raw)[0]).toEqual({ key: "vaultkit:applications[0].namespace", expected: "a value is required here (expected a string)", given: "nothing (the key is missing)" });
    });

    it("refuses secret keys set in plain text, without printing them", () => {
        const raw = valid();
        inClusterVault(raw);
        raw.vaultToken = "hvs.CAESIPlaintextTokenCommittedToGit";
        raw.database = { ...raw.database, mode: "existing", host: "db" };
        raw.databaseAdminPassword = "hunter2hunter2hunter2";
        const err = (() => {
            try {
                parseStackConfig("t", raw, { isSecret: () => false });
            } catch (e) {
                return e as ConfigError;
            }
            throw new Error("expected an error");
        })();
        expect(err.problems.map((p) => p.key)).toEqual(["vaultkit:vaultToken", "vaultkit:databaseAdminPassword"]);
        expect(err.problems[0]!.expected).toContain("`pulumi config set --secret vaultkit:vaultToken <value>`");
        expect(err.problems[0]!.given).toBe("a plain value (not shown)");
        expect(err.message).not.toContain("hvs.CAES");
        expect(err.message).not.toContain("hunter2");
        // without a way to tell (parseStackConfig called directly), nothing is refused
        expect(() => parseStackConfig("t", raw)).not.toThrow();
    });

    it("lists schema and cross-field problems together (the README's example)", () => {
        const raw = valid();
        raw.production = true;
        raw.applications[0].rotationPeriod = "10s";
        expect(problemsOf(raw).map((p) => p.key)).toEqual(["vaultkit:applications[0].rotationPeriod", "vaultkit:vault.server"]);
    });

    it("names the user's own list indexes when an invalid application is left out of the cross-field rules", () => {
        const raw = valid();
        delete raw.applications[0].namespace;
        raw.applications.push({ name: "two", namespace: "rhbk", serviceAccount: "two", databaseRole: "two" });
        raw.applications.push({ name: "two", namespace: "rhbk", serviceAccount: "three", databaseRole: "three", rotationPeriod: "1s" });
        raw.applications.push({ name: "four", namespace: "rhbk", serviceAccount: "four", databaseRole: "postgres" });
        const problems = problemsOf(raw);
        expect(problems.map((p) => p.key)).toEqual([
            "vaultkit:applications[0].namespace",
            "vaultkit:applications[2].rotationPeriod",
            "vaultkit:applications[2].name",
            "vaultkit:applications[3].databaseRole",
        ]);
        expect(problems[2]!.expected).toContain("already used by applications[1]");
        expect(problems[2]!.given).toBe('"two"');
    });

    it("leaves cross-field rules about an invalid key to the schema's message", () => {
        const raw = valid();
        haBootstrap(raw);
        raw.vault.bootstrap.threshold = "two";
        // bootstrap is taken out for the cross-field rules; "bootstrapOnly needs bootstrap" would be noise
        expect(problemsOf(raw, { vaultToken: "t" }).map((p) => p.key)).toEqual(["vaultkit:vault.bootstrap.threshold"]);
    });

    it("runs no cross-field rule when a key that selects them is invalid", () => {
        const raw = valid();
        raw.production = true;
        raw.vault.server = "standalone";
        raw.vaultToken = "s.x";
        expect(problemsOf(raw).map((p) => p.key)).toEqual(["vaultkit:vault.server"]);
    });

    it("lists every problem at once", () => {
        const raw = valid();
        raw.platform = "aws";
        raw.vault.namespace = "UPPER";
        raw.applications[0].rotationPeriod = "1s";
        const keys = problemsOf(raw).map((p) => p.key);
        expect(keys).toEqual(["vaultkit:platform", "vaultkit:vault.namespace", "vaultkit:applications[0].rotationPeriod"]);
    });
});

/** An existing Vault configured by another team, with StackGres and operators the platform team installed. */
function platformOwned(): Record<string, any> {
    return {
        platform: "kubernetes",
        vault: { mode: "existing", address: "https://vault.example.com:8200", configure: false },
        databaseAdminPassword: "owner-given-admin-password-0123",
        operators: { install: false },
        applications: [{ name: "app", namespace: "apps", serviceAccount: "app", databaseRole: "app", delivery: "sync" }],
    };
}

describe("vault.configure and operators.install", () => {
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

    it("accept an existing database with no admin password when Vault is configured elsewhere", () => {
        const raw = platformOwned();
        raw.database = { mode: "existing", host: "pg.example.com" };
        delete raw.databaseAdminPassword;
        expect(parseStackConfig("t", raw).database.mode).toBe("existing");
    });

    const refusals: [string, (r: Record<string, any>) => void, string, RegExp][] = [
        ["configure false with a Vault this stack deploys", (r) => (r.vault = { address: "http://127.0.0.1:8200", configure: false }), "vaultkit:vault.configure", /false needs vault.mode 'existing'/],
        ["configure that is not a boolean", (r) => (r.vault.configure = "no"), "vaultkit:vault.configure", /true or false/],
        ["install that is not a boolean", (r) => (r.operators.install = "no"), "vaultkit:operators.install", /true or false/],
        ["a CSV pin for operators this stack does not install", (r) => (r.operators.vaultSecretsOperatorCsv = "vault-secrets-operator.v1.4.1"), "vaultkit:operators.vaultSecretsOperatorCsv", /no CSV pin when operators.install is false/],
        ["a Vault token nothing would use", (r) => (r.vaultToken = "hvs.unused"), "vaultkit:vaultToken", /no token when vault.configure is false/],
        ["a token reviewer nothing would use", (r) => (r.kubernetesTokenReviewerJwt = "eyJhbGciOiJSUzI1NiJ9.e30.sig-0123456789"), "vaultkit:kubernetesTokenReviewerJwt", /vault.configure is false/],
        ["an API CA nothing would use", (r) => (r.kubernetesAuth = { kubernetesCaCert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----" }), "vaultkit:kubernetesAuth.kubernetesCaCert", /vault.configure is false/],
        ["StackGres without the password the Vault owner's connection uses", (r) => delete r.databaseAdminPassword, "vaultkit:databaseAdminPassword", /Vault's database connection uses for 'vault_admin'.*StackGres creates the role with it/],
        ["an existing database with a password nothing would use", (r) => (r.database = { mode: "existing", host: "pg.example.com" }), "vaultkit:databaseAdminPassword", /only Vault's database connection uses it/],
    ];
    it.each(refusals)("refuse %s", (_title, breakIt, key, expected) => {
        const raw = platformOwned();
        breakIt(raw);
        const problems = problemsOf(raw);
        const p = problems.find((x) => x.key === key);
        expect(p, `problems were: ${JSON.stringify(problems)}`).toBeDefined();
        expect(p!.expected).toMatch(expected);
        // One problem per mistake, not a second one about the same key from a rule that no longer applies.
        expect(problems.filter((x) => x.key === key)).toHaveLength(1);
    });

    it("never print the unused token it refuses", () => {
        const raw = platformOwned();
        raw.vaultToken = "hvs.do-not-print-me";
        expect(JSON.stringify(problemsOf(raw))).not.toContain("do-not-print-me");
    });
});

describe("configWarnings", () => {
    it("warns about keys in a namespace that looks like a misspelt vaultkit", () => {
        expect(configWarnings({ "valutkit:debugWorkloads": "{}", "vaultkt:production": "true", "VaultKit:platform": "openshift", "vaultkit:platform": "openshift" })).toEqual([
            "config key 'VaultKit:platform' is ignored: its namespace is 'VaultKit', not 'vaultkit' (did you mean 'vaultkit:platform'?)",
            "config key 'valutkit:debugWorkloads' is ignored: its namespace is 'valutkit', not 'vaultkit' (did you mean 'vaultkit:debugWorkloads'?)",
            "config key 'vaultkt:production' is ignored: its namespace is 'vaultkt', not 'vaultkit' (did you mean 'vaultkit:production'?)",
        ]);
    });

    it("leaves other providers' namespaces alone", () => {
        expect(configWarnings({ "vault:address": "x", "kubernetes:context": "y", "pulumi:tags": "z", "vaultkit:platform": "openshift" })).toEqual([]);
        expect(editDistance("vault", "vaultkit")).toBe(3);
    });
});

describe("parseDurationSeconds at its edges", () => {
    it("takes zero and surrounding blanks, and refuses what is not a whole duration", () => {
        expect(parseDurationSeconds(0)).toBe(0);
        expect(parseDurationSeconds(" 24h ")).toBe(86400);
        expect(parseDurationSeconds(" 90 ")).toBe(90);
        expect(parseDurationSeconds(undefined)).toBeUndefined();
        expect(parseDurationSeconds(null)).toBeUndefined();
        expect(parseDurationSeconds(true)).toBeUndefined();
        expect(parseDurationSeconds("h5")).toBeUndefined();
        expect(parseDurationSeconds("5mx")).toBeUndefined();
        expect(parseDurationSeconds("x5m")).toBeUndefined();
        expect(parseDurationSeconds("2d3h4m5s")).toBe(2 * 86400 + 3 * 3600 + 4 * 60 + 5);
    });
});

describe("how a problem is reported", () => {
    it("shows a given value of up to 80 characters whole and cuts a longer one to 77 and '...'", () => {
        const raw = valid();
        raw.vault.address = "a".repeat(78);
        expect(problemsOf(raw).find((p) => p.key === "vaultkit:vault.address")!.given).toBe(JSON.stringify("a".repeat(78)));
        raw.vault.address = "b".repeat(79);
        expect(problemsOf(raw).find((p) => p.key === "vaultkit:vault.address")!.given).toBe(`"${"b".repeat(76)}...`);
    });

    it("suggests the nearest of several close keys, wherever it stands in the schema", () => {
        const raw = valid();
        raw.vault.bootstrapOnl = true;
        raw.database = { slMode: "require" };
        const problems = problemsOf(raw);
        expect(problems.find((p) => p.key === "vaultkit:vault.bootstrapOnl")!.expected).toBe(
            "no such key; did you mean 'bootstrapOnly'? (the README's configuration reference lists every key)",
        );
        expect(problems.find((p) => p.key === "vaultkit:database.slMode")!.expected).toBe("no such key; did you mean 'sslMode'? (the README's configuration reference lists every key)");
    });
});
