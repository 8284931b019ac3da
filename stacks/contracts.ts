/**
 * What the parts of the composition hand to each other. `stacks/index.ts` wires them in this
 * order: namespaces -> operators -> Vault part -> database part -> database secrets -> delivery.
 * Every `build*` takes its providers as `opts.providers` (`{ kubernetes, vault }`), the spelling
 * component options use, and hands them on unchanged.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { VaultConnection } from "../components/delivery/args";
import type { OperatorName } from "../components/operators/catalog";
import type { StackGresAdminCredentials } from "../components/stackgres/stackGresAdminCredentials";
import type { VaultBootstrap } from "../components/vault/vaultBootstrap";
import type { VaultKubernetesAuth } from "../components/vault/vaultKubernetesAuth";
import type { VaultServer } from "../components/vault/vaultServer";

/**
 * The Kubernetes provider, as every part that declares Kubernetes objects takes it (a type, not an
 * interface, so it is a `ComponentResourceOptions.providers` map as it stands).
 */
export type KubernetesProviders = {
    kubernetes: k8s.Provider;
};

/** Kubernetes namespaces the stack creates, by name. */
export type Namespaces = Record<string, k8s.core.v1.Namespace>;

/**
 * For each operator of the catalog, the resources to `dependsOn` before creating its custom resources.
 * They count as ready only once the operator is installed (its CSV succeeded / its chart is ready), so
 * CRs never race their CRDs. An empty list means "not installed by this stack".
 */
export type OperatorsReady = Record<OperatorName, pulumi.Resource[]>;

/** Where an application's credentials live in Vault and who may read them. */
export interface ApplicationVaultAccess {
    /** Application name from config. */
    name: string;
    /** Kubernetes auth role bound to the app's service account and namespace. */
    authRoleName: string;
    /** Policy granting read on exactly this app's static credentials. */
    policyName: string;
    /** Vault static role name. */
    staticRoleName: string;
    /** Mount of the database secrets engine. */
    databaseMount: string;
    /** API path of the credentials, e.g. `database/static-creds/app`. */
    credsPath: string;
    /** Everything that must exist before a pod can read the credentials. */
    ready: pulumi.Resource[];
}

/** The Vault part: what the parts after it use, and the components a stack may export from. */
export interface VaultPart {
    /** The provider configured against this stack's Vault; absent with `vault.configure: false`. */
    vaultProvider?: vault.Provider;
    /** Deploy mode: the Vault server. */
    server?: VaultServer;
    /** HA with `vault.bootstrap`: the init/unseal gate every Vault resource waits for. */
    bootstrap?: VaultBootstrap;
    /** Absent with `vault.configure: false` (Vault's owner configures it), like the one below. */
    kubernetesAuth?: VaultKubernetesAuth;
    adminCredentials?: StackGresAdminCredentials;
    /** API path of the admin credentials pods read (`<kvMount>/data/<adminSecretPath>`). */
    adminCredentialsPath: pulumi.Output<string>;
    /**
     * Where pods reach Vault (`address`), and `caSecretName`: a Secret with `ca.crt` (Vault's CA) in
     * every consuming namespace, unset for plain HTTP or a public CA.
     */
    connection: VaultConnection;
    /** Mount path of the Kubernetes auth method. */
    authMount: string;
    /** The admin credentials in KV v2 and the role that reads them. */
    admin: {
        kvMount: string;
        secretPath: string;
        policyName: string;
        authRoleName: string;
    };
    /** The Vault admin PostgreSQL role's password (secret); the SGScript creates the role with it. */
    vaultAdminPassword: pulumi.Output<string>;
    /** The Vault server objects (deploy mode); empty for an existing Vault. */
    serverReady: pulumi.Resource[];
    /** KV secret, policy and auth role exist: the admin credentials can be synced. */
    adminCredentialsReady: pulumi.Resource[];
}

/** What the database part hands on. */
export interface DatabasePart {
    /** Host Vault's database connection uses. */
    host: string;
    port: number;
    database: string;
    /** Primary is running and the app + Vault admin roles exist (SGScript applied). */
    ready: pulumi.Resource[];
}
