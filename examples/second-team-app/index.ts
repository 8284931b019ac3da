/**
 * Team B's stack: application credentials for a second team, against the platform's EXISTING Vault
 * and EXISTING database connection, using vaultkit's components:
 *
 *   - ApplicationDatabaseAccess: a static role Vault rotates on the platform's connection, a policy
 *     that reads exactly `<mount>/static-creds/<role>`, and a Kubernetes auth role bound to this
 *     team's service account in this team's namespace;
 *   - InjectedSecret: the team's Deployment, whose Vault agent (injected by the platform's agent
 *     injector) renders the current password into /mnt/secrets-store/db-password.
 *
 * The platform team owns Vault, the connection and the PostgreSQL role; before `pulumi up` here,
 * its stack must list `staticRoleName` in the connection's allowed roles and create
 * `databaseUsername` in PostgreSQL (docs/packaging.md, "Second team").
 *
 * It is written exactly as a consumer outside this repository writes it: `vaultkit` is an npm
 * dependency (package.json), and tsconfig.json is the one `pulumi new typescript` generates.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { ApplicationDatabaseAccess, InjectedSecret, staticCredsPasswordTemplate } from "vaultkit";

const config = new pulumi.Config();

/** Reads an integer config key and checks its bounds before anything is registered. */
function integer(key: string, fallback: number, min: number, max: number): number {
    const value = config.getNumber(key) ?? fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new Error(`second-team-app:${key} must be a whole number from ${min} to ${max}, got ${value}`);
    }
    return value;
}

const settings = {
    vaultAddress: config.require("vaultAddress"),
    vaultInClusterAddress: config.get("vaultInClusterAddress") ?? "http://vault.vault.svc.cluster.local:8200",
    databaseMount: config.get("databaseMount") ?? "database",
    connectionName: config.get("connectionName") ?? "keycloak-postgresql",
    staticRoleName: config.get("staticRoleName") ?? "team-b-orders",
    databaseUsername: config.get("databaseUsername") ?? "team_b_orders",
    rotationPeriodSeconds: integer("rotationPeriodSeconds", 86400, 60, 365 * 86400),
    kubernetesAuthMount: config.get("kubernetesAuthMount") ?? "kubernetes",
    audience: config.get("audience") ?? "https://kubernetes.default.svc",
    namespace: config.get("namespace") ?? "team-b",
    createNamespace: config.getBoolean("createNamespace") ?? true,
    serviceAccount: config.get("serviceAccount") ?? "orders",
    image: config.get("image") ?? "registry.access.redhat.com/ubi9/ubi-minimal:9.6",
};

// The platform's Vault, reached with a token that may manage this team's objects. Without
// `vaultToken` the provider reads VAULT_TOKEN (e.g. exported by an ESC environment).
const vaultToken = config.getSecret("vaultToken");
const vaultProvider = new vault.Provider("platform-vault", {
    address: settings.vaultAddress,
    ...(vaultToken ? { token: vaultToken } : {}),
});
const kubernetesProvider = new k8s.Provider("cluster", {
    ...(config.get("kubeContext") ? { context: config.get("kubeContext") } : {}),
});

// The team's namespace: when this stack creates it, its `metadata.name` makes the Deployment wait for it.
const namespace: pulumi.Input<string> = settings.createNamespace
    ? new k8s.core.v1.Namespace(
          "team-namespace",
          { metadata: { name: settings.namespace, labels: { "app.kubernetes.io/managed-by": "pulumi", team: "b" } } },
          { provider: kubernetesProvider },
      ).metadata.name
    : settings.namespace;

// Static role + read policy + Kubernetes auth role, all on the platform's existing mounts.
const access = new ApplicationDatabaseAccess(
    settings.staticRoleName,
    {
        databaseMount: settings.databaseMount,
        connectionName: settings.connectionName,
        staticRoleName: settings.staticRoleName,
        databaseUsername: settings.databaseUsername,
        rotationPeriodSeconds: settings.rotationPeriodSeconds,
        authMount: settings.kubernetesAuthMount,
        serviceAccountNames: [settings.serviceAccount],
        namespaces: [settings.namespace],
        audience: settings.audience,
        tokenTtlSeconds: 3600,
    },
    { providers: { vault: vaultProvider } },
);

// The team's Deployment: the injected Vault agent logs in as the auth role above and keeps the
// rotated password current in a file. The role and the path are the access component's outputs (nothing
// here re-spells a Vault path); `dependsOn` waits for all of it, the policy included.
const app = new InjectedSecret(
    `${settings.staticRoleName}-app`,
    {
        namespace,
        vault: { address: settings.vaultInClusterAddress },
        login: { role: access.authRoleName, authMount: settings.kubernetesAuthMount, audience: settings.audience },
        files: [{ fileName: "db-password", apiPath: access.credsPath, template: access.credsPath.apply(staticCredsPasswordTemplate) }],
        workload: { serviceAccountName: settings.serviceAccount, createServiceAccount: true, deploymentName: "orders" },
        container: { image: settings.image },
    },
    { providers: { kubernetes: kubernetesProvider }, dependsOn: [access] },
);

export const staticCredentialsPath = access.credsPath;
export const vaultPolicy = access.policyName;
export const kubernetesAuthRole = access.authRoleName;
export const deployment = app.deploymentName;
