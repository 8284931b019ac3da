/**
 * A Job that runs under its own ServiceAccount with least-privilege RBAC: the shape of every Job
 * this package declares (the kubectl gates, the Vault bootstrap). Pulumi awaits Job completion, so
 * whatever `dependsOn` the Job waits for its verdict.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DependsOn, withDependencies } from "../dependencies";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;

/** A Job's RBAC: rules in the Job's namespace, and cluster-wide ones (e.g. CRDs). */
export interface JobRbacRules {
    namespaced: PolicyRule[];
    cluster: PolicyRule[];
}

/** What {@link declareJobWithRbac} declares. */
export interface JobWithRbacArgs {
    /** Namespace of the ServiceAccount, the Role and the Job. Must exist. */
    namespace: pulumi.Input<string>;
    /** Labels of every object and of the pod. */
    labels: Record<string, string>;
    rules: JobRbacRules;
    /** The ServiceAccount's `automountServiceAccountToken`; unset leaves the field out. */
    automountServiceAccountToken?: boolean;
    /** The pod, given the ServiceAccount's name. */
    pod: (serviceAccountName: pulumi.Output<string>) => k8s.types.input.core.v1.PodSpec;
    /** `spec.backoffLimit`. */
    backoffLimit: number;
    /** `spec.activeDeadlineSeconds`. */
    activeDeadlineSeconds: number;
    /** How long Pulumi awaits the Job (`pulumi.com/timeoutSeconds`); a little longer than its deadline. */
    awaitSeconds: number;
    /** What every child waits for (usually the component's own `dependsOn`: `childDependsOn(opts)`). */
    dependsOn?: DependsOn;
    /** What only the Job waits for (e.g. the object its script reads). */
    jobDependsOn?: DependsOn;
}

/**
 * Declares, as children of `parent`, `<name>-sa`, `<name>-role` + `<name>-rolebinding` (when there
 * are namespaced rules), `<name>-clusterrole` + `<name>-clusterrolebinding` (when there are
 * cluster rules) and `<name>-job`, which also waits for the bindings.
 */
export function declareJobWithRbac(parent: pulumi.ComponentResource, name: string, args: JobWithRbacArgs): k8s.batch.v1.Job {
    const { labels, namespace } = args;
    const deps = args.dependsOn;
    const serviceAccount = new k8s.core.v1.ServiceAccount(
        `${name}-sa`,
        { metadata: { namespace, labels }, ...(args.automountServiceAccountToken !== undefined ? { automountServiceAccountToken: args.automountServiceAccountToken } : {}) },
        { parent, dependsOn: deps },
    );
    const subjects = [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace }];
    const bindings: pulumi.Resource[] = [];
    if (args.rules.namespaced.length > 0) {
        const role = new k8s.rbac.v1.Role(`${name}-role`, { metadata: { namespace, labels }, rules: args.rules.namespaced }, { parent, dependsOn: deps });
        bindings.push(
            new k8s.rbac.v1.RoleBinding(
                `${name}-rolebinding`,
                { metadata: { namespace, labels }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name }, subjects },
                { parent, dependsOn: deps },
            ),
        );
    }
    if (args.rules.cluster.length > 0) {
        const clusterRole = new k8s.rbac.v1.ClusterRole(`${name}-clusterrole`, { metadata: { labels }, rules: args.rules.cluster }, { parent, dependsOn: deps });
        bindings.push(
            new k8s.rbac.v1.ClusterRoleBinding(
                `${name}-clusterrolebinding`,
                { metadata: { labels }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name }, subjects },
                { parent, dependsOn: deps },
            ),
        );
    }
    const jobDeps = (args.jobDependsOn === undefined ? [] : Array.isArray(args.jobDependsOn) ? args.jobDependsOn : [args.jobDependsOn]) as pulumi.Input<pulumi.Resource>[];
    // Autonamed, so a changed pod replaces the Job create-before-delete (a Job's pod template is
    // immutable). No ttlSecondsAfterFinished: a vanished Job would show as drift.
    return new k8s.batch.v1.Job(
        `${name}-job`,
        {
            metadata: { namespace, labels, annotations: { "pulumi.com/timeoutSeconds": String(args.awaitSeconds) } },
            spec: {
                backoffLimit: args.backoffLimit,
                activeDeadlineSeconds: args.activeDeadlineSeconds,
                template: { metadata: { labels }, spec: args.pod(serviceAccount.metadata.name) },
            },
        },
        { parent, dependsOn: withDependencies(deps, ...bindings, ...jobDeps) },
    );
}
