/**
 * stacks/delivery.ts under the mock engine: the admin sync, the seed's debug workloads, and one
 * application per delivery pattern (plus one without a workload). Checks what each object
 * references (path, role), what it waits for, and that applications never see each other's creds.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Registration, dependsOnTransitively, one, ofType, parentOf, registrations, settle, setupMocks } from "../../support/mocks";
import { VAULT_CONNECTION as VC, VAULT_AUTH as VA, VAULT_STATIC_SECRET as VSS, VAULT_DYNAMIC_SECRET as VDS, SECRET_PROVIDER_CLASS as SPC, DEPLOYMENT, SERVICE_ACCOUNT as SA, DEFAULT_AUDIENCE as AUDIENCE } from "../../support/types";

const APPS = ["alpha", "beta", "gamma", "delta"] as const;

type Delivery = typeof import("../../../stacks/delivery");
let delivery: Delivery;
let config: import("../../../stacks/config").StackConfig;
let adminSync: import("../../../components/delivery").SecretSync | undefined;
let workloads: pulumi.Resource[];

function rawConfig(): Record<string, unknown> {
    return {
        platform: "openshift",
        vault: { address: "http://127.0.0.1:8200" },
        debugWorkloads: { csi: true, injector: true, direct: true },
        applications: [
            { name: "alpha", namespace: "team-a", serviceAccount: "alpha", databaseRole: "alpha_user", delivery: "sync" },
            { name: "beta", namespace: "team-b", serviceAccount: "beta", databaseRole: "beta_user", delivery: "csi" },
            { name: "gamma", namespace: "team-b", serviceAccount: "gamma-sa", databaseRole: "gamma_user", delivery: "injector" },
            { name: "delta", namespace: "team-b", serviceAccount: "delta-sa", databaseRole: "delta_user", delivery: "direct" },
            { name: "epsilon", namespace: "team-a", serviceAccount: "default", databaseRole: "epsilon_user", deployWorkload: false },
        ],
    };
}

/** Stand-ins for resources other parts create, so dependencies can be traced. */
class Marker extends pulumi.CustomResource {
    constructor(name: string) {
        super("test:index:Marker", name, {});
    }
}

function marker(name: string): pulumi.CustomResource {
    return new Marker(name);
}

beforeAll(async () => {
    await setupMocks();
    const k8s = await import("@pulumi/kubernetes");
    const vault = await import("@pulumi/vault");
    const { parseStackConfig } = await import("../../../stacks/config");
    delivery = await import("../../../stacks/delivery");
    config = parseStackConfig("test", rawConfig());

    const provider = new k8s.Provider("kubernetes", {});
    const namespaces = Object.fromEntries(
        ["rhbk", "team-a", "team-b"].map((n) => [n, new k8s.core.v1.Namespace(`ns-${n}`, { metadata: { name: n } }, { provider })]),
    );
    const operators = { vaultSecretsOperator: [marker("vso-ready")], stackgres: [marker("stackgres-ready")], secretsStoreCsi: [marker("csi-ready")] };
    const vaultPart = {
        vaultProvider: new vault.Provider("vault", { address: "http://127.0.0.1:8200", token: "test-token" }),
        connection: { address: config.vault.inClusterAddress },
        authMount: "kubernetes",
        admin: { kvMount: "kv-v2", secretPath: "keycloak-postgresql/config", policyName: "keycloak-postgresql-policy", authRoleName: "keycloak-role" },
        vaultAdminPassword: pulumi.secret("unused"),
        adminCredentialsPath: pulumi.output("kv-v2/data/keycloak-postgresql/config"),
        serverReady: [marker("vault-server")],
        adminCredentialsReady: [marker("admin-credentials")],
    };
    const applications = config.applications.map((a) => ({
        name: a.name,
        authRoleName: a.name,
        policyName: `${a.name}-database-creds`,
        staticRoleName: a.name,
        databaseMount: "database",
        credsPath: `database/static-creds/${a.name}`,
        ready: [marker(`${a.name}-access`)],
    }));

    adminSync = delivery.buildAdminSecretSync(config, { providers: { kubernetes: provider }, namespaces, operators, vault: vaultPart });
    workloads = delivery.buildDelivery(config, {
        providers: { kubernetes: provider },
        namespaces,
        operators,
        vault: vaultPart,
        applications,
        databaseHost: "keycloak-postgresql-primary.rhbk.svc.cluster.local",
        databasePort: 5432,
    }).workloads;
    await settle();
});

/** Everything a component (by type::name) owns, recursively. */
function descendants(type: string, name: string): Registration[] {
    const root = one(type, name);
    const out: Registration[] = [];
    const walk = (urn: string) => {
        for (const r of registrations.filter((x) => x.parent === urn)) {
            out.push(r);
            walk(r.urn);
        }
    };
    walk(root.urn);
    return out;
}

function marked(name: string): Registration {
    return one("test:index:Marker", name);
}

describe("admin secret sync", () => {
    it("syncs the admin KV secret into keycloak-postgresql-vault in rhbk as its own service account, with the admin role", () => {
        expect(adminSync).toBeDefined();
        expect(parentOf(one("vaultkit:index:SecretSync", "keycloak-postgresql-admin-sync"))).toBe("");
        const vss = one(VSS, "keycloak-postgresql-admin-sync-secret");
        expect(vss.inputs.metadata).toMatchObject({ name: "keycloak-postgresql", namespace: "rhbk" });
        expect(vss.inputs.spec).toMatchObject({ mount: "kv-v2", path: "keycloak-postgresql/config", destination: { name: "keycloak-postgresql-vault" }, refreshAfter: "30s" });
        const va = one(VA, "keycloak-postgresql-admin-sync-auth");
        expect(va.inputs.spec.kubernetes).toEqual({ role: "keycloak-role", serviceAccount: "keycloak-postgresql-vault-sync", audiences: [AUDIENCE] });
        const sa = one(SA, "keycloak-postgresql-admin-sync-serviceaccount");
        expect(sa.inputs.metadata).toMatchObject({ name: "keycloak-postgresql-vault-sync", namespace: "rhbk" });
        expect(sa.inputs.automountServiceAccountToken).toBe(false);
        expect(dependsOnTransitively(va, sa)).toBe(true);
        expect(one(VC, "keycloak-postgresql-admin-sync-connection").inputs.spec.address).toBe("http://vault.vault.svc.cluster.local:8200");
    });

    it("waits for the operator, the admin KV secret + role, and the namespace", () => {
        const conn = one(VC, "keycloak-postgresql-admin-sync-connection");
        expect(dependsOnTransitively(conn, marked("vso-ready"))).toBe(true);
        expect(dependsOnTransitively(conn, marked("admin-credentials"))).toBe(true);
        expect(dependsOnTransitively(conn, one("kubernetes:core/v1:Namespace", "ns-rhbk"))).toBe(true);
    });

    it("is not created for an existing database, and is never created twice", () => {
        expect(ofType("vaultkit:index:SecretSync")).toHaveLength(1);
        expect(ofType(VSS)).toHaveLength(1);
        const existing = { ...config, database: { ...config.database, mode: "existing" as const, host: "db.example.com" } };
        expect(delivery.buildAdminSecretSync(existing, {} as any)).toBeUndefined();
    });

    it("the admin role binds exactly the service accounts this stack creates for the sync and the debug pods, never 'default'", async () => {
        const { adminRoleBinding } = await import("../../../stacks/config");
        expect(adminRoleBinding(config)).toEqual({ serviceAccounts: ["keycloak-postgresql-vault-sync", "keycloak-postgresql-vault-debug"], namespaces: ["rhbk"] });
        const created = ofType(SA).map((r) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`);
        for (const sa of adminRoleBinding(config).serviceAccounts) {
            expect(created).toContain(`rhbk/${sa}`);
        }
    });
});

describe("debug workloads (the seed's three pods reading the admin secret)", () => {
    const path = "kv-v2/data/keycloak-postgresql/config";

    it("all four patterns point at the same Vault path and role", () => {
        const vss = one(VSS, "keycloak-postgresql-admin-sync-secret").inputs.spec;
        expect(`${vss.mount}/data/${vss.path}`).toBe(path);
        expect(one(VA, "keycloak-postgresql-admin-sync-auth").inputs.spec.kubernetes.role).toBe("keycloak-role");

        const spc = one(SPC, "keycloak-postgresql-debug-csi-spc").inputs.spec.parameters;
        expect(spc.roleName).toBe("keycloak-role");
        expect(spc.objects).toBe(`- objectName: keycloak-postgresql-vault\n  secretPath: ${path}\n`);

        const injector = one(DEPLOYMENT, "keycloak-postgresql-debug-injector-deployment").inputs.spec.template.metadata.annotations;
        expect(injector["vault.hashicorp.com/role"]).toBe("keycloak-role");
        expect(injector["vault.hashicorp.com/agent-inject-secret-keycloak-postgresql-vault"]).toBe(path);
        expect(injector["vault.hashicorp.com/agent-inject-template-keycloak-postgresql-vault"]).toContain(`secret "${path}"`);

        const script = one(DEPLOYMENT, "keycloak-postgresql-debug-direct-deployment").inputs.spec.template.spec.containers[0].command[2];
        expect(script).toContain("ROLE='keycloak-role'");
        expect(script).toContain(`SECRET_PATH='${path}'`);
        expect(script).toContain("OUT=\"${VAULTKIT_POD_ROOT:-}\"'/tmp/keycloak-postgresql-vault'");
    });

    it("run in rhbk as their own service account with the debug image, after the admin credentials exist", () => {
        for (const pattern of ["csi", "injector", "direct"]) {
            const d = one(DEPLOYMENT, `keycloak-postgresql-debug-${pattern}-deployment`);
            expect(d.inputs.metadata.namespace).toBe("rhbk");
            expect(d.inputs.spec.template.spec.serviceAccountName).toBe("keycloak-postgresql-vault-debug");
            expect(dependsOnTransitively(d, one(SA, "keycloak-postgresql-debug-serviceaccount")), pattern).toBe(true);
            expect(d.inputs.spec.template.spec.containers[0].image).toBe("registry.access.redhat.com/ubi9/ubi:9.4");
            expect(dependsOnTransitively(d, marked("admin-credentials")), pattern).toBe(true);
        }
        expect(dependsOnTransitively(one(SPC, "keycloak-postgresql-debug-csi-spc"), marked("csi-ready"))).toBe(true);
        expect(dependsOnTransitively(one(DEPLOYMENT, "keycloak-postgresql-debug-injector-deployment"), marked("vault-server"))).toBe(true);
        // The seed's default SA is never created or modified.
        expect(ofType(SA).map((r) => r.inputs.metadata.name)).not.toContain("default");
    });
});

describe("applications", () => {
    it("each gets its own ServiceAccount; 'default' is left alone", () => {
        const sas = ofType(SA)
            .filter((r) => r.inputs.metadata.labels["vaultkit.dev/application"])
            .map((r) => [r.name, r.inputs.metadata.namespace, r.inputs.metadata.name, r.inputs.automountServiceAccountToken]);
        expect(sas.sort()).toEqual([
            ["alpha-serviceaccount", "team-a", "alpha", false],
            ["beta-serviceaccount", "team-b", "beta", false],
            ["delta-serviceaccount", "team-b", "delta-sa", false],
            ["gamma-serviceaccount", "team-b", "gamma-sa", false],
        ]);
    });

    it("sync: VaultDynamicSecret of its own static creds, restarting its own Deployment", () => {
        const vds = one(VDS, "alpha-sync-secret");
        expect(vds.inputs.metadata.namespace).toBe("team-a");
        expect(vds.inputs.spec).toMatchObject({ mount: "database", path: "static-creds/alpha", allowStaticCreds: true, rolloutRestartTargets: [{ kind: "Deployment", name: "alpha" }] });
        const d = one(DEPLOYMENT, "alpha-deployment");
        expect(d.inputs.metadata).toMatchObject({ name: "alpha", namespace: vds.inputs.metadata.namespace });
        expect(d.inputs.spec.template.spec.volumes[0]).toEqual({ name: "credentials", secret: { secretName: "alpha-db-credentials", defaultMode: 0o440 } });
        expect(vds.inputs.spec.destination.name).toBe("alpha-db-credentials");
        expect(one(VA, "alpha-sync-auth").inputs.spec.kubernetes).toEqual({ role: "alpha", serviceAccount: "alpha", audiences: [AUDIENCE] });
        expect(dependsOnTransitively(vds, marked("vso-ready"))).toBe(true);
        expect(dependsOnTransitively(vds, marked("alpha-access"))).toBe(true);
        expect(dependsOnTransitively(d, vds)).toBe(true);
    });

    it("csi: SecretProviderClass of its own static creds' password", () => {
        const spc = one(SPC, "beta-spc");
        expect(spc.inputs.metadata).toMatchObject({ name: "beta", namespace: "team-b" });
        expect(spc.inputs.spec.parameters).toEqual({
            roleName: "beta",
            audience: AUDIENCE,
            objects: "- objectName: password\n  secretPath: database/static-creds/beta\n  secretKey: password\n",
        });
        expect(dependsOnTransitively(spc, marked("csi-ready"))).toBe(true);
        expect(dependsOnTransitively(one(DEPLOYMENT, "beta-deployment"), marked("beta-access"))).toBe(true);
    });

    it("injector: renders its own password and re-renders on an interval", () => {
        const d = one(DEPLOYMENT, "gamma-deployment");
        const a = d.inputs.spec.template.metadata.annotations;
        expect(a["vault.hashicorp.com/role"]).toBe("gamma");
        expect(a["vault.hashicorp.com/agent-inject-secret-password"]).toBe("database/static-creds/gamma");
        expect(a["vault.hashicorp.com/agent-inject-template-password"]).toBe('{{- with secret "database/static-creds/gamma" -}}{{ .Data.password }}{{- end -}}');
        expect(a["vault.hashicorp.com/template-static-secret-render-interval"]).toBe("30s");
        expect(d.inputs.spec.template.spec.serviceAccountName).toBe("gamma-sa");
        expect(dependsOnTransitively(d, marked("gamma-access"))).toBe(true);
    });

    it("direct: the user-credentials app fetching its own static creds", () => {
        const d = one(DEPLOYMENT, "delta-deployment");
        const [fetcher, psql] = d.inputs.spec.template.spec.containers;
        expect(fetcher.command[2]).toContain("ROLE='delta'");
        expect(fetcher.command[2]).toContain("SECRET_PATH='database/static-creds/delta'");
        expect(psql.command[2]).toContain("postgres://delta_user@keycloak-postgresql-primary.rhbk.svc.cluster.local:5432/postgres?sslmode=require");
        expect(dependsOnTransitively(d, marked("delta-access"))).toBe(true);
    });

    it("sample apps connect as their own database role with the password file of their pattern", () => {
        for (const [app, user, dir] of [
            ["alpha", "alpha_user", "/mnt/vault-synced"], // sync: the VSO-written Secret, not a CSI path
            ["beta", "beta_user", "/mnt/secrets-store"],
            ["gamma", "gamma_user", "/mnt/secrets-store"],
        ]) {
            const spec = one(DEPLOYMENT, `${app}-deployment`).inputs.spec.template.spec;
            const c = spec.containers[0];
            expect(c.image).toBe("docker.io/library/postgres:16.1");
            expect(c.command[2]).toContain(`PGPASSWORD="$(cat "\${VAULTKIT_POD_ROOT:-}"'${dir}/password')" psql 'postgres://${user}@`);
            if (app === "alpha") expect(c.volumeMounts).toContainEqual({ name: "credentials", mountPath: dir, readOnly: true });
            expect(c.readinessProbe.exec.command[2]).toContain(`postgres://${user}@`);
        }
    });

    it("never reference another application's credentials path or role", () => {
        const owners: Record<string, Registration[]> = {
            alpha: [...descendants("vaultkit:index:DynamicSecretSync", "alpha-sync"), ...descendants("vaultkit:index:SyncedSecretApp", "alpha")],
            beta: descendants("vaultkit:index:CsiSecretMount", "beta"),
            gamma: descendants("vaultkit:index:InjectedSecret", "gamma"),
            delta: descendants("vaultkit:index:UserCredentialsApp", "delta"),
        };
        for (const app of APPS) {
            expect(owners[app]!.length, app).toBeGreaterThan(0);
            const text = JSON.stringify(owners[app]!.map((r) => r.inputs));
            expect(text, app).toContain(`static-creds/${app}`);
            for (const other of [...APPS, "epsilon"].filter((o) => o !== app)) {
                expect(text, `${app} mentions ${other}`).not.toContain(`static-creds/${other}`);
                expect(text, `${app} mentions role ${other}`).not.toMatch(new RegExp(`"(role|roleName|vault\\.hashicorp\\.com/role)":"${other}"|ROLE='${other}'`));
            }
        }
    });

    it("an application without deployWorkload gets no workload", () => {
        expect(registrations.filter((r) => r.name.startsWith("epsilon") && r.type !== "test:index:Marker")).toEqual([]);
        expect(marked("epsilon-access")).toBeDefined();
    });

    it("returns every component and ServiceAccount it created as workloads", async () => {
        const urns = await Promise.all(workloads.map((w) => new Promise<string>((r) => w.urn.apply(r))));
        const names = urns.map((u) => u.split("::").slice(2).join("::").split("$").pop()!).sort();
        expect(names).toEqual(
            [
                "kubernetes:core/v1:ServiceAccount::alpha-serviceaccount",
                "kubernetes:core/v1:ServiceAccount::keycloak-postgresql-debug-serviceaccount",
                "kubernetes:core/v1:ServiceAccount::beta-serviceaccount",
                "kubernetes:core/v1:ServiceAccount::gamma-serviceaccount",
                "kubernetes:core/v1:ServiceAccount::delta-serviceaccount",
                "vaultkit:index:CsiSecretMount::beta",
                "vaultkit:index:CsiSecretMount::keycloak-postgresql-debug-csi",
                "vaultkit:index:DirectVaultAccess::keycloak-postgresql-debug-direct",
                "vaultkit:index:DynamicSecretSync::alpha-sync",
                "vaultkit:index:InjectedSecret::gamma",
                "vaultkit:index:InjectedSecret::keycloak-postgresql-debug-injector",
                "vaultkit:index:SyncedSecretApp::alpha",
                "vaultkit:index:UserCredentialsApp::delta",
            ].sort(),
        );
    });

    it("refuses an application without Vault access", () => {
        const opts = {
            providers: undefined as any,
            namespaces: {},
            operators: { vaultSecretsOperator: [], stackgres: [], secretsStoreCsi: [] },
            vault: {} as any,
            databaseHost: "h",
            databasePort: 5432,
        };
        const noDebug = { ...config, debugWorkloads: { ...config.debugWorkloads, csi: false, injector: false, direct: false } };
        expect(() => delivery.buildDelivery(noDebug, { ...opts, applications: [] })).toThrow(/'alpha' has no Vault access/);
    });
});

describe("platform and timing", () => {
    it("fixes a UID only on plain Kubernetes", () => {
        for (const d of ofType(DEPLOYMENT)) {
            expect(d.inputs.spec.template.spec.securityContext.runAsUser, d.name).toBeUndefined();
        }
        expect(delivery.workloadRunAsUser({ ...config, platform: "kubernetes" })).toBe(1001);
        expect(delivery.workloadRunAsUser(config)).toBeUndefined();
    });

    it("tabulates the worst-case propagation delay of the configured intervals", () => {
        expect(delivery.DELIVERY_INTERVALS.csiRotationPollIntervalSeconds).toBe(120);
        expect(delivery.deliveryPropagationTable()).toEqual({ sync: 31, csi: 120, injector: 2, direct: 30 });
    });
});
