/**
 * The Vault part on its own (stacks/vault.ts): what buildVaultServer, buildVaultPart and buildDatabaseSecrets
 * hand the server, the provider and the engine, for a dev server, an HA server with its bootstrap, a Vault
 * configured by another team and a stack without applications. The whole stacks are in index.*.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type * as k8sTypes from "@pulumi/kubernetes";
import type { DatabasePart } from "../../../stacks/contracts";
import { withTestPgpKeys } from "../../support/docStacks";
import { dependencyNames, ofType, one, registrations, settle, setupMocks } from "../../support/mocks";

type Vault = typeof import("../../../stacks/vault");
type Config = typeof import("../../../stacks/config");
let vault: Vault;
let config: Config;
let k8s: typeof k8sTypes;
let provider: k8sTypes.Provider;
let database: DatabasePart;

const SERVER = "vaultkit:index:VaultServer";
const ENGINE = "vaultkit:index:DatabaseSecretsEngine";
const ACCESS = "vaultkit:index:ApplicationDatabaseAccess";
const BILLING = { name: "billing", namespace: "payments", serviceAccount: "billing-api", databaseRole: "billing_rw" };

/** A stack against an existing Vault and PostgreSQL (with a token), with these applications. */
function existingVaultConfig(stack: string, applications: (typeof BILLING)[]): import("../../../stacks/config").StackConfig {
    return config.parseStackConfig(stack, {
        platform: "kubernetes",
        vault: { mode: "existing", address: "https://vault.example.com:8200" },
        vaultToken: `hvs.${stack}-token`,
        databaseAdminPassword: "existing-admin-password-0123",
        kubernetesAuth: { mount: `${stack}-k8s`, vaultRunsInCluster: true },
        database: { mode: "existing", host: "pg.example.com", kvMount: `${stack}-kv`, databaseMount: `${stack}-db` },
        applications,
    });
}

/** URNs of the direct children of a component: a dependency on a component reaches the engine as these. */
function childUrns(type: string, name: string): string[] {
    const urn = one(type, name).urn;
    const children = registrations.filter((r) => r.parent === urn).map((r) => r.urn);
    expect(children.length).toBeGreaterThan(0);
    return children;
}

/** The provider reference (`urn::id`) the mock engine records for resources that use `p`. */
async function providerRef(p: k8sTypes.Provider): Promise<string> {
    const [urn, id] = await Promise.all([new Promise<string>((r) => p.urn.apply(r)), new Promise<string>((r) => p.id.apply((v) => r(v as string)))]);
    return `${urn}::${id}`;
}

beforeAll(async () => {
    await setupMocks({ stack: "vault-part" });
    k8s = await import("@pulumi/kubernetes");
    vault = await import("../../../stacks/vault");
    config = await import("../../../stacks/config");
    provider = new k8s.Provider("kubernetes", {});
    database = { host: "orders-db.pg.svc", port: 5432, database: "orders", ready: [new k8s.core.v1.ConfigMap("database-ready", { metadata: { namespace: "pg" } }, { provider })] };
    await settle();
});

describe("a dev server", () => {
    let part: import("../../../stacks/contracts").VaultPart;
    let secrets: ReturnType<Vault["buildDatabaseSecrets"]>;

    beforeAll(async () => {
        registrations.length = 0;
        const c = config.parseStackConfig("dev", {
            platform: "kubernetes",
            vault: { address: "http://127.0.0.1:8200" },
            // The engine then has a child that no application input comes from: rotate-root.
            database: { rotateVaultAdminPassword: true },
            applications: [BILLING],
        });
        part = vault.buildVaultPart(c, { providers: { kubernetes: provider }, namespaces: {} });
        secrets = vault.buildDatabaseSecrets(c, part, database);
        await settle();
    });

    it("gives the server no TLS Secret, seal stanza or seal variables (those are HA's, even though tlsSecretName has a default)", () => {
        const inputs = one(SERVER, "vault").inputs;
        expect(inputs.mode).toBe("dev");
        expect(inputs.tlsSecretName).toBeUndefined();
        expect(inputs.sealConfig).toBeUndefined();
        expect(inputs.sealSecretEnv).toBeUndefined();
    });

    it("has the Vault provider keep its own token (no child token that would expire mid-run) and wait for the server", () => {
        const p = one("pulumi:providers:vault", "vault");
        expect(JSON.parse(p.inputs.skipChildToken)).toBe(true);
        expect(p.dependencies).toEqual(expect.arrayContaining(childUrns(SERVER, "vault")));
        expect(part.serverReady).toEqual([part.server]);
    });

    it("declares the server's chart with the stack's Kubernetes provider", async () => {
        const release = ofType("kubernetes:helm.sh/v4:Chart").concat(ofType("kubernetes:helm.sh/v3:Release"));
        expect(release.length).toBeGreaterThan(0);
        const ref = await providerRef(provider);
        for (const r of release) {
            expect(r.provider).toBe(ref);
        }
    });

    it("makes each application's access wait for the whole engine (rotate-root too), and the engine for the database and Kubernetes auth", () => {
        expect(secrets.engine).toBeDefined();
        const engine = one(ENGINE, "database-secrets");
        expect(dependencyNames(engine)).toContain("kubernetes:core/v1:ConfigMap::database-ready");
        expect(engine.dependencies).toEqual(expect.arrayContaining(childUrns("vaultkit:index:VaultKubernetesAuth", "kubernetes-auth")));
        expect(childUrns(ENGINE, "database-secrets").map((u) => u.split("::")[3])).toContain("database-secrets-rotate-root");
        expect(one(ACCESS, "app-billing").dependencies).toEqual(expect.arrayContaining(childUrns(ENGINE, "database-secrets")));
        expect(secrets.applications.map((a) => a.name)).toEqual(["billing"]);
    });
});

describe("an HA server with vault.bootstrap", () => {
    beforeAll(async () => {
        registrations.length = 0;
        const [alice, bob] = ["alice", "bob"].map((n) => withTestPgpKeys(`<${n}.b64>`));
        const c = config.parseStackConfig(
            "ha",
            {
                platform: "kubernetes",
                vault: { server: "ha", namespace: "secrets-ha", releaseName: "secrets", address: "https://127.0.0.1:8200", caSecretName: "secrets-ca", bootstrap: { pgpKeys: [alice, bob], rootTokenPgpKey: alice, threshold: 2 } },
                applications: [BILLING],
            },
            { vaultToken: "hvs.ha-token" },
        );
        vault.buildVaultServer(c, { providers: { kubernetes: provider }, namespaces: {} });
        await settle();
    });

    it("gives the server the TLS Secret", () => {
        expect(one(SERVER, "secrets").inputs.tlsSecretName).toBe("vault-tls");
    });

    it("declares the bootstrap's Job with the stack's Kubernetes provider, after the server", async () => {
        const ref = await providerRef(provider);
        const job = one("kubernetes:batch/v1:Job", ofType("kubernetes:batch/v1:Job").find((r) => r.name.endsWith("-bootstrap-job"))?.name ?? "no bootstrap Job");
        expect(job.provider).toBe(ref);
        expect(one("vaultkit:index:VaultBootstrap", "secrets-bootstrap").dependencies).toEqual(expect.arrayContaining(childUrns(SERVER, "secrets")));
    });
});

describe("an HA server without vault.bootstrap", () => {
    it("is the server alone: without the bootstrap block, initialising it is left to whoever runs it", async () => {
        registrations.length = 0;
        const c = config.parseStackConfig(
            "ha-manual",
            { platform: "kubernetes", vault: { server: "ha", releaseName: "manual", address: "https://127.0.0.1:8200", caSecretName: "manual-ca" }, applications: [BILLING] },
            { vaultToken: "hvs.ha-token" },
        );
        const built = vault.buildVaultServer(c, { providers: { kubernetes: provider }, namespaces: {} });
        await settle();
        expect(Object.keys(built)).toEqual(["server"]);
        expect(ofType("vaultkit:index:VaultBootstrap")).toEqual([]);
        expect(one(SERVER, "manual").inputs.mode).toBe("ha");
    });
});

describe("what parseStackConfig refuses first, refused again here", () => {
    const devConfig = () => config.parseStackConfig("dev", { platform: "kubernetes", vault: { address: "http://127.0.0.1:8200" }, applications: [BILLING] });

    it("deploying Vault without a Kubernetes provider fails before anything is declared", () => {
        registrations.length = 0;
        expect(() => vault.buildVaultServer(devConfig(), { providers: {}, namespaces: {} })).toThrow(/^deploying Vault needs a Kubernetes provider$/);
        expect(ofType(SERVER)).toEqual([]);
    });

    it("an existing Vault without vaultToken fails naming the key", () => {
        const c = existingVaultConfig("existing", [BILLING]);
        expect(() => vault.buildVaultPart({ ...c, vaultToken: undefined }, { providers: { kubernetes: provider }, namespaces: {} })).toThrow(
            /^vaultkit:vaultToken \(or VAULT_TOKEN\) is required for this Vault$/,
        );
    });
});

describe("vault.configure false", () => {
    it("waits for nothing on Vault's side: another team's Vault is ready when the stack runs", () => {
        const c = config.parseStackConfig("owned", {
            platform: "kubernetes",
            vault: { mode: "existing", address: "https://vault.example.com:8200", configure: false },
            databaseAdminPassword: "owner-given-admin-password-0123",
            applications: [BILLING],
        });
        const part = vault.buildVaultPart(c, { providers: { kubernetes: provider }, namespaces: {} });
        expect(part.serverReady).toEqual([]);
        expect(part.adminCredentialsReady).toEqual([]);
        expect(part.vaultProvider).toBeUndefined();
    });
});

describe("a stack without applications", () => {
    it("declares no database secrets engine (it would have no static role to serve)", async () => {
        registrations.length = 0;
        const c = existingVaultConfig("empty", []);
        const part = vault.buildVaultPart(c, { providers: { kubernetes: provider }, namespaces: {} });
        await settle();
        const before = registrations.length;
        const secrets = vault.buildDatabaseSecrets(c, part, database);
        await settle();
        expect(secrets).toEqual({ applications: [] });
        expect(registrations.length).toBe(before);
        expect(ofType(ENGINE)).toEqual([]);
    });
});
