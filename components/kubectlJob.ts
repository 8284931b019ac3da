/**
 * The shape shared by this project's gate Jobs (operator install, OLM InstallPlan approval,
 * StackGres scripts): a POSIX sh script run with `kubectl` under its own ServiceAccount and
 * least-privilege RBAC. Pulumi awaits Job completion, so whatever `dependsOn` the Job waits for the
 * script's verdict. A script that gives up exits non-zero printing why; the container's
 * `FallbackToLogsOnError` makes those last lines its termination message, which Pulumi's Job
 * awaiter reports in the `pulumi up` error.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DependsOn, withDependencies } from "./dependencies";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;

/** A gate's RBAC: rules in the Job's namespace, and cluster-wide ones (e.g. CRDs). */
export interface KubectlJobRules {
    namespaced: PolicyRule[];
    cluster: PolicyRule[];
}

/** Pod UID on plain Kubernetes, where the kubectl images would otherwise run as root; never set on OpenShift. */
export const KUBECTL_JOB_UID = 65532;

/**
 * One retry (10 s later) for a pod lost to a node or a transient API error; a verdict is then
 * final. Not a `podFailurePolicy`: Pulumi's Job awaiter recognises only the `BackoffLimitExceeded`
 * and `DeadlineExceeded` failure reasons and would wait out its timeout on `PodFailurePolicy`.
 */
export const KUBECTL_JOB_BACKOFF_LIMIT = 1;

/** The Job's pod: restricted-v2/`restricted` compatible, with requests and limits. */
export function kubectlJobPodSpec(a: {
    serviceAccountName: pulumi.Input<string>;
    image: string;
    script: pulumi.Input<string>;
    /** Only on plain Kubernetes (the kubectl images' default user is root); never on OpenShift. */
    runAsUser?: number;
}): k8s.types.input.core.v1.PodSpec {
    return {
        serviceAccountName: a.serviceAccountName,
        restartPolicy: "Never",
        securityContext: {
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
            ...(a.runAsUser !== undefined ? { runAsUser: a.runAsUser, runAsGroup: a.runAsUser } : {}),
        },
        containers: [
            {
                name: "wait",
                image: a.image,
                command: ["/bin/sh", "-c", a.script],
                // kubectl caches discovery under $HOME; the root filesystem stays read-only.
                env: [{ name: "HOME", value: "/tmp" }],
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                terminationMessagePolicy: "FallbackToLogsOnError",
                resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                securityContext: {
                    runAsNonRoot: true,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                    seccompProfile: { type: "RuntimeDefault" },
                },
            },
        ],
        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "32Mi" } }],
    };
}

/** What {@link declareKubectlJob} declares. */
export interface KubectlJobArgs {
    /** Namespace of the ServiceAccount, the Role and the Job. Must exist. */
    namespace: pulumi.Input<string>;
    /** Pinned image with `sh` and `kubectl`. */
    image: string;
    /** The POSIX sh script (every value spliced in validated by its builder). */
    script: pulumi.Input<string>;
    rules: KubectlJobRules;
    /** The script's own deadline; the Job's and Pulumi's are a little longer. */
    timeoutSeconds: number;
    runAsUser?: number;
    /** `app.kubernetes.io/component` label, e.g. `operator-wait`. */
    component: string;
    /** What every child waits for (the component's own `dependsOn`: `childDependsOn(opts)`). */
    dependsOn: DependsOn;
    /** What only the Job waits for (e.g. the object its script reads). */
    jobDependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Declares, as children of `parent`, `<name>-sa`, `<name>-role` + `<name>-rolebinding` (when there
 * are namespaced rules), `<name>-clusterrole` + `<name>-clusterrolebinding` (when there are
 * cluster rules) and `<name>-job`.
 */
export function declareKubectlJob(parent: pulumi.ComponentResource, name: string, args: KubectlJobArgs): k8s.batch.v1.Job {
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/component": args.component, "app.kubernetes.io/managed-by": "pulumi" };
    const deps = args.dependsOn;
    const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: { namespace: args.namespace, labels } }, { parent, dependsOn: deps });
    const subjects = [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace: args.namespace }];
    const bindings: pulumi.Resource[] = [];
    if (args.rules.namespaced.length > 0) {
        const role = new k8s.rbac.v1.Role(`${name}-role`, { metadata: { namespace: args.namespace, labels }, rules: args.rules.namespaced }, { parent, dependsOn: deps });
        bindings.push(
            new k8s.rbac.v1.RoleBinding(
                `${name}-rolebinding`,
                { metadata: { namespace: args.namespace, labels }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name }, subjects },
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
    // Autonamed, so a changed script replaces the Job create-before-delete (a Job's pod template
    // is immutable). No ttlSecondsAfterFinished: a vanished Job would show as drift.
    return new k8s.batch.v1.Job(
        `${name}-job`,
        {
            metadata: { namespace: args.namespace, labels, annotations: { "pulumi.com/timeoutSeconds": String(args.timeoutSeconds + 120) } },
            spec: {
                backoffLimit: KUBECTL_JOB_BACKOFF_LIMIT,
                activeDeadlineSeconds: args.timeoutSeconds + 60,
                template: {
                    metadata: { labels },
                    spec: kubectlJobPodSpec({ serviceAccountName: serviceAccount.metadata.name, image: args.image, script: args.script, runAsUser: args.runAsUser }),
                },
            },
        },
        { parent, dependsOn: withDependencies(deps, ...bindings, ...(args.jobDependsOn ?? [])) },
    );
}
