/** Pulumi type tokens of the resources tests look up, and a stand-in for resources other parts create. */
import * as pulumi from "@pulumi/pulumi";

export const VAULT_CONNECTION = "kubernetes:secrets.hashicorp.com/v1beta1:VaultConnection";
export const VAULT_AUTH = "kubernetes:secrets.hashicorp.com/v1beta1:VaultAuth";
export const VAULT_STATIC_SECRET = "kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret";
export const VAULT_DYNAMIC_SECRET = "kubernetes:secrets.hashicorp.com/v1beta1:VaultDynamicSecret";
export const SECRET_PROVIDER_CLASS = "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass";
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";

/** The in-cluster Vault address of a default dev stack. */
export const DEV_VAULT_ADDRESS = "http://vault.vault.svc.cluster.local:8200";
/** OpenShift's default API audience, bound on every Kubernetes auth role. */
export const DEFAULT_AUDIENCE = "https://kubernetes.default.svc";

/** A stand-in for a resource another part creates (CustomResource is abstract in its typings). */
export class Marker extends pulumi.CustomResource {
    constructor(type: string, name: string) {
        super(type, name, {});
    }
}

/**
 * The seven keys of StackGres's own credentials Secret, sorted, written out here rather than imported
 * from components/stackgres (the tests check that constant against this list, not against itself).
 */
export const STACKGRES_SECRET_KEYS = [
    "authenticator-password",
    "authenticator-username",
    "replication-password",
    "replication-username",
    "restapi-password",
    "superuser-password",
    "superuser-username",
];
