/**
 * The delivery components' `pulumi.Input<T>` arguments under the recording mock engine: an Output
 * (another resource's result) reaches the child objects with its value and its dependency, and a
 * bad Output fails with the same message a bad plain value fails with at construction.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { one, registrations, settle, setupMocks } from "../../../support/mocks";
import { DEFAULT_AUDIENCE as AUDIENCE, DEPLOYMENT, DEV_VAULT_ADDRESS as VAULT, SERVICE_ACCOUNT as SA, VAULT_AUTH as VA, VAULT_CONNECTION as VC, VAULT_DYNAMIC_SECRET as VDS } from "../../../support/types";

type Mod = typeof import("../../../../components/delivery");
let mod: Mod;
let k8s: typeof import("@pulumi/kubernetes");

/**
 * The promise behind an Output, its rejection included (which `apply` never shows). All of an
 * Output's promises reject together, so all are awaited (vitest would report the others as unhandled).
 */
async function settled<T>(o: pulumi.Input<T>): Promise<T> {
    const out = pulumi.output(o) as any;
    await Promise.allSettled([out.isKnown, out.isSecret, out.allResources()]);
    return out.promise();
}

/**
 * The rejections nobody handles while `build` registers resources and the mock engine settles: a
 * child whose input Output failed its check fails to register, which is how the deployment fails.
 * Vitest's own listeners are set aside meanwhile and put back after.
 */
async function unhandledDuring(build: () => void): Promise<string[]> {
    const seen: string[] = [];
    const vitestListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const record = (reason: unknown) => void seen.push(reason instanceof Error ? reason.message : String(reason));
    process.on("unhandledRejection", record);
    try {
        build();
        await settle();
        await new Promise((r) => setTimeout(r, 50));
    } finally {
        process.off("unhandledRejection", record);
        for (const l of vitestListeners) process.on("unhandledRejection", l);
    }
    return seen;
}

const UBI = "registry.access.redhat.com/ubi9/ubi:9.4";

beforeAll(async () => {
    await setupMocks();
    mod = await import("../../../../components/delivery");
    k8s = await import("@pulumi/kubernetes");
});

describe("delivery components fed with Outputs", () => {
    it("InjectedSecret: the namespace, role, path and image of other resources reach the pod, with their dependencies", async () => {
        const ns = new k8s.core.v1.Namespace("ns-orders", { metadata: { name: "orders" } });
        const role = new k8s.core.v1.ConfigMap("role-source", { metadata: { name: "orders-role" } });
        const path = pulumi.output("database/static-creds/orders");
        new mod.InjectedSecret("orders", {
            namespace: ns.metadata.name,
            login: { role: role.metadata.name, audience: pulumi.output(AUDIENCE) },
            files: [{ fileName: "password", apiPath: path, template: path.apply(mod.staticCredsPasswordTemplate) }],
            workload: { serviceAccountName: pulumi.output("orders"), createServiceAccount: true },
            container: { image: pulumi.output(UBI) },
        });
        await settle();
        const d = one(DEPLOYMENT, "orders-deployment");
        expect(d.inputs.metadata).toMatchObject({ name: "orders", namespace: "orders" });
        const pod = d.inputs.spec.template;
        expect(pod.metadata.annotations).toMatchObject({
            "vault.hashicorp.com/role": "orders-role",
            "vault.hashicorp.com/agent-inject-secret-password": "database/static-creds/orders",
            "vault.hashicorp.com/agent-inject-template-password": mod.staticCredsPasswordTemplate("database/static-creds/orders"),
        });
        expect(pod.spec.serviceAccountName).toBe("orders");
        expect(pod.spec.containers[0].image).toBe(UBI);
        expect(pod.spec.volumes).toContainEqual({
            name: "vault-token",
            projected: { sources: [{ serviceAccountToken: { audience: AUDIENCE, expirationSeconds: 3600, path: "token" } }] },
        });
        // The Namespace and the role's source are dependencies of what reads them, with no dependsOn.
        expect(d.dependencies).toEqual(expect.arrayContaining([one("kubernetes:core/v1:Namespace", "ns-orders").urn, one("kubernetes:core/v1:ConfigMap", "role-source").urn]));
        expect(one(SA, "orders-serviceaccount").dependencies).toContain(one("kubernetes:core/v1:Namespace", "ns-orders").urn);
    });

    it("DynamicSecretSync: an Output namespace and role reach all three VSO objects; the connection waits for the Namespace", async () => {
        const ns = new k8s.core.v1.Namespace("ns-reports", { metadata: { name: "reports" } });
        const sync = new mod.DynamicSecretSync("reports-sync", {
            namespace: ns.metadata.name,
            vault: { address: pulumi.output(VAULT) },
            login: { role: pulumi.output("reports"), serviceAccountName: pulumi.output("reports") },
            databaseMount: pulumi.output("database"),
            staticRoleName: pulumi.output("reports"),
            destinationSecretName: pulumi.output("reports-db"),
            rolloutRestartDeployments: [pulumi.output("reports")],
        });
        expect(await settled(sync.secretName)).toBe("reports-db");
        await settle();
        for (const [type, name] of [[VC, "reports-sync-connection"], [VA, "reports-sync-auth"], [VDS, "reports-sync-secret"]] as const) {
            expect(one(type, name).inputs.metadata.namespace, name).toBe("reports");
        }
        expect(one(VC, "reports-sync-connection").dependencies).toContain(one("kubernetes:core/v1:Namespace", "ns-reports").urn);
        expect(one(VC, "reports-sync-connection").inputs.spec).toEqual({ address: VAULT, skipTLSVerify: false });
        expect(one(VA, "reports-sync-auth").inputs.spec.kubernetes).toEqual({ role: "reports", serviceAccount: "reports" });
        expect(one(VDS, "reports-sync-secret").inputs.spec).toMatchObject({ path: "static-creds/reports", rolloutRestartTargets: [{ kind: "Deployment", name: "reports" }] });
    });
});

describe("a bad Output fails with the message a bad plain value fails with", () => {
    it("SecretSync: StackGres's own Secret as destination, plain at construction and as an Output once known", async () => {
        const args = (destinationSecretName: pulumi.Input<string>) => ({
            namespace: "db",
            vault: { address: VAULT },
            login: { role: "r", serviceAccountName: "s" },
            kvMount: "kv-v2",
            secretPath: "x/config",
            destinationSecretName,
            stackGresClusterName: "orders-db",
        });
        const message = "destinationSecretName 'orders-db' is the Secret StackGres creates and owns for SGCluster 'orders-db'";
        expect(() => new mod.SecretSync("plain-owned", args("orders-db"))).toThrow(message);
        let secretName: Promise<string> | undefined;
        const failures = await unhandledDuring(() => {
            secretName = settled(new mod.SecretSync("output-owned", args(pulumi.output("orders-db"))).secretName);
        });
        await expect(secretName).rejects.toThrow(message);
        // The VaultStaticSecret reading the destination fails to register, with that message only.
        expect(failures.length).toBeGreaterThan(0);
        expect(failures.every((f) => f.includes(message)), failures.join("\n")).toBe(true);
    });

    it("DirectVaultAccess: a wildcard API path, plain at construction and as an Output once known", async () => {
        const args = (apiPath: pulumi.Input<string>) => ({
            namespace: "rhbk",
            vault: { address: VAULT },
            login: { role: "r", audience: AUDIENCE },
            apiPath,
            workload: { serviceAccountName: "default" },
            container: { image: UBI },
        });
        const message = 'authMount and apiPath must be Vault paths without wildcards, got "kubernetes" and "kv-v2/data/*"';
        expect(() => new mod.DirectVaultAccess("plain-wildcard", args("kv-v2/data/*"))).toThrow(message);
        const failures = await unhandledDuring(() => new mod.DirectVaultAccess("output-wildcard", args(pulumi.output("kv-v2/data/*"))));
        expect(failures.length).toBeGreaterThan(0);
        expect(failures.every((f) => f.includes(message)), failures.join("\n")).toBe(true);
    });

    it("SyncedSecretApp: creating the 'default' ServiceAccount, plain at construction and as an Output once known", async () => {
        const args = (serviceAccountName: pulumi.Input<string>) => ({
            namespace: "rhbk",
            secretName: "app-db",
            workload: { serviceAccountName, createServiceAccount: true },
            container: { image: UBI },
        });
        const message = "createServiceAccount is true but serviceAccountName is 'default', which Kubernetes creates in every namespace";
        expect(() => new mod.SyncedSecretApp("plain-default-sa", args("default"))).toThrow(message);
        const failures = await unhandledDuring(() => new mod.SyncedSecretApp("output-default-sa", args(pulumi.output("default"))));
        expect(failures.length).toBeGreaterThan(0);
        expect(failures.every((f) => f.includes(message)), failures.join("\n")).toBe(true);
    });

    it("CsiSecretMount: an unpinned image, plain at construction and as an Output once known", async () => {
        const args = (image: pulumi.Input<string>) => ({
            namespace: "rhbk",
            login: { role: "r" },
            objects: [{ objectName: "f", apiPath: "kv-v2/data/app/config" }],
            workload: { serviceAccountName: "default" },
            container: { image },
        });
        const message = `container main: image must be an image pinned to a tag or digest (not ':latest'), got "ubi:latest"`;
        expect(() => new mod.CsiSecretMount("plain-latest", args("ubi:latest"))).toThrow(message);
        const failures = await unhandledDuring(() => new mod.CsiSecretMount("output-latest", args(pulumi.output("ubi:latest"))));
        expect(failures.length).toBeGreaterThan(0);
        expect(failures.every((f) => f.includes(message)), failures.join("\n")).toBe(true);
    });
});

describe("a nested argument given whole as one Output is refused before anything is registered", () => {
    // Another language may pass `vault`, `login` or `workload` as one secret or computed object. Its
    // fields would then read as lifted Outputs: an absent `login.serviceAccountName` would look given
    // and an absent `workload.createServiceAccount` true.
    const vault = { address: VAULT };
    const fetcherLogin = { role: "r", audience: AUDIENCE };
    const workload = { serviceAccountName: "default" };
    const container = { image: UBI };
    // The nested types are plain, so a whole Output reaches them only through a language without TypeScript's types.
    type Whole = <T>(v: T) => T;
    const asSecret: Whole = (v) => pulumi.secret(v) as unknown as typeof v;
    const asOutput: Whole = (v) => pulumi.output(v) as unknown as typeof v;
    const cases: [string, string, (whole: Whole) => () => unknown][] = [
        ["CsiSecretMount", "workload", (w) => () => new mod.CsiSecretMount("whole-csi", { namespace: "ns", login: { role: "r" }, objects: [{ objectName: "f", apiPath: "kv-v2/data/a" }], workload: w(workload), container })],
        ["CsiSecretMount", "vault", (w) => () => new mod.CsiSecretMount("whole-csi-vault", { namespace: "ns", vault: w({}), login: { role: "r" }, objects: [{ objectName: "f", apiPath: "kv-v2/data/a" }], workload, container })],
        ["DirectVaultAccess", "vault", (w) => () => new mod.DirectVaultAccess("whole-direct", { namespace: "ns", vault: w(vault), login: fetcherLogin, apiPath: "kv-v2/data/a", workload, container })],
        ["DynamicSecretSync", "login", (w) => () => new mod.DynamicSecretSync("whole-dynamic", { namespace: "ns", vault, login: w({ role: "r", serviceAccountName: "s" }), databaseMount: "database", staticRoleName: "r", destinationSecretName: "d", rolloutRestartDeployments: ["x"] })],
        ["InjectedSecret", "login", (w) => () => new mod.InjectedSecret("whole-injected", { namespace: "ns", login: w({ role: "r" }), files: [{ fileName: "f", apiPath: "kv-v2/data/a", template: mod.kvJsonTemplate("kv-v2/data/a") }], workload, container })],
        ["SecretSync", "vault", (w) => () => new mod.SecretSync("whole-sync", { namespace: "ns", vault: w(vault), login: { role: "r", serviceAccountName: "s" }, kvMount: "kv-v2", secretPath: "a", destinationSecretName: "d" })],
        ["SyncedSecretApp", "workload", (w) => () => new mod.SyncedSecretApp("whole-synced", { namespace: "ns", secretName: "d", workload: w(workload), container })],
        ["UserCredentialsApp", "login", (w) => () => new mod.UserCredentialsApp("whole-user", { namespace: "ns", vault, login: w(fetcherLogin), apiPath: "database/static-creds/app", databaseUser: "app", databaseHost: "db", workload, fetcher: container, psql: { image: "docker.io/library/postgres:16.1" } })],
    ];
    it.each(cases)("%s refuses %s as one Output, naming it; the same object given plain is accepted", async (component, key, build) => {
        const before = registrations.length;
        const message = `${component}: ${key} must be an object whose fields may be outputs, but was given as one Output`;
        expect(build(asSecret)).toThrow(message);
        expect(build(asOutput)).toThrow(message);
        expect(registrations.length, "nothing registered").toBe(before);
        expect(build((v) => v)).not.toThrow();
    });
});
