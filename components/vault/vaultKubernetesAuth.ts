import * as pulumi from "@pulumi/pulumi";
import { childDependsOn } from "../dependencies";
import * as vault from "@pulumi/vault";
import { kubernetesAuthRoleInputs, type KubernetesAuthRoleSpec } from "./kubernetesAuthRole";

/**
 * One role to create on the auth method: its bindings, policies, audience and TTL may be outputs of
 * other resources (checked when they resolve). A nested type, so the schema analyzer keeps the
 * inherited fields.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named type for the schema, nothing to add
export interface VaultKubernetesAuthRoleArgs extends KubernetesAuthRoleSpec<pulumi.Input<string>, pulumi.Input<number>> {}

/** Arguments of {@link VaultKubernetesAuth}. */
export interface VaultKubernetesAuthArgs {
    /** Mount path of the auth method. Default `kubernetes` (seed: `vault auth enable kubernetes`). */
    path?: pulumi.Input<string>;
    /**
     * API server URL Vault calls for TokenReview. Default `https://kubernetes.default.svc`: the
     * in-cluster name, not the seed's hard-coded service IP (which differs per cluster).
     */
    kubernetesHost?: pulumi.Input<string>;
    /** Roles to create. */
    roles?: VaultKubernetesAuthRoleArgs[];
    /**
     * Vault outside the cluster: PEM CA of the API server. Inside the cluster Vault reads its pod's
     * CA; outside there is none, and writing the config without one fails.
     */
    kubernetesCaCert?: pulumi.Input<string>;
    /**
     * Vault outside the cluster: a long-lived token of a service account bound to
     * `system:auth-delegator`, used for TokenReview (secret). Inside, Vault uses its own pod token.
     */
    tokenReviewerJwt?: pulumi.Input<string>;
}

/** The in-cluster API server name Vault inside a pod calls for TokenReview (not the seed's service IP, which differs per cluster). */
export const IN_CLUSTER_KUBERNETES_HOST = "https://kubernetes.default.svc";

/**
 * The fields of `auth/<mount>/config` (as `vault.kubernetes.AuthBackendConfig` takes them). With a
 * reviewer JWT Vault is outside the cluster: it must not look for a pod CA and token
 * (`disableLocalCaJwt`), so the API server's CA comes from the args. Without one Vault runs in a pod
 * and reads both from /var/run/secrets/kubernetes.io/serviceaccount (a CA given here still wins).
 */
export function kubernetesAuthConfigInputs<T, H = string>(args: { kubernetesHost?: H; kubernetesCaCert?: T; tokenReviewerJwt?: T }): {
    kubernetesHost: H | string;
    kubernetesCaCert?: T;
    tokenReviewerJwt?: T;
    disableLocalCaJwt: boolean;
} {
    return {
        kubernetesHost: args.kubernetesHost ?? IN_CLUSTER_KUBERNETES_HOST,
        ...(args.kubernetesCaCert !== undefined ? { kubernetesCaCert: args.kubernetesCaCert } : {}),
        ...(args.tokenReviewerJwt !== undefined ? { tokenReviewerJwt: args.tokenReviewerJwt } : {}),
        // There is no pod CA/JWT to fall back to outside the cluster.
        disableLocalCaJwt: args.tokenReviewerJwt !== undefined,
    };
}

/**
 * Vault's Kubernetes auth method: the backend, its config and roles. Vault reviews tokens with its
 * own pod service account (the chart's `system:auth-delegator` binding), so no reviewer JWT or CA
 * is stored in state.
 */
export class VaultKubernetesAuth extends pulumi.ComponentResource {
    /** The mount path in use. */
    public readonly path: pulumi.Output<string>;
    /** Created roles by name. */
    public readonly roleNames: pulumi.Output<string[]>;
    /** The backend, for `dependsOn` of roles created elsewhere. */
    public readonly backend: vault.AuthBackend;
    /** The backend's config. */
    public readonly config: vault.kubernetes.AuthBackendConfig;

    constructor(name: string, args: VaultKubernetesAuthArgs, opts?: pulumi.ComponentResourceOptions) {
        // Every role is checked before anything is registered (outputs when they resolve).
        const roleInputs = (args.roles ?? []).map((role) => ({ name: role.name, inputs: kubernetesAuthRoleInputs(role) }));
        super("vaultkit:index:VaultKubernetesAuth", name, args, opts);
        const path = args.path ?? "kubernetes";
        this.backend = new vault.AuthBackend(`${name}-backend`, { type: "kubernetes", path }, { parent: this, dependsOn: childDependsOn(opts) });
        const configInputs = kubernetesAuthConfigInputs({
            kubernetesHost: args.kubernetesHost,
            kubernetesCaCert: args.kubernetesCaCert,
            tokenReviewerJwt: args.tokenReviewerJwt === undefined ? undefined : pulumi.secret(args.tokenReviewerJwt),
        });
        this.config = new vault.kubernetes.AuthBackendConfig(`${name}-config`, { backend: this.backend.path, ...configInputs }, { parent: this });
        const roles = roleInputs.map(
            (role) => new vault.kubernetes.AuthBackendRole(`${name}-role-${role.name}`, { ...role.inputs, backend: this.backend.path }, { parent: this, dependsOn: [this.config] }),
        );
        this.path = this.backend.path;
        this.roleNames = pulumi.all(roles.map((r) => r.roleName));
        this.registerOutputs({ path: this.path, roleNames: this.roleNames });
    }
}
