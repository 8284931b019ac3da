/**
 * The gate Jobs of this project (operator install, OLM InstallPlan approval, StackGres scripts): a
 * POSIX sh script run with `kubectl` in a {@link declareJobWithRbac} Job. A script that gives up
 * exits non-zero printing why; the container's `FallbackToLogsOnError` makes those last lines its
 * termination message, which Pulumi's Job awaiter reports in the `pulumi up` error.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DependsOn } from "../dependencies";
import { JobRbacRules, declareJobWithRbac } from "./jobWithRbac";
import { standardLabels } from "./labels";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./securityContexts";

/** A gate's RBAC: rules in the Job's namespace, and cluster-wide ones (e.g. CRDs). */
export type KubectlJobRules = JobRbacRules;

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
        securityContext: restrictedPodSecurityContext(a.runAsUser, { fsGroup: false }),
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
                securityContext: restrictedContainerSecurityContext(),
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

/** The gate's ServiceAccount, RBAC and Job (see {@link declareJobWithRbac} for the children's names). */
export function declareKubectlJob(parent: pulumi.ComponentResource, name: string, args: KubectlJobArgs): k8s.batch.v1.Job {
    return declareJobWithRbac(parent, name, {
        namespace: args.namespace,
        labels: standardLabels({ name, component: args.component, partOf: false }),
        rules: args.rules,
        pod: (serviceAccountName) => kubectlJobPodSpec({ serviceAccountName, image: args.image, script: args.script, runAsUser: args.runAsUser }),
        backoffLimit: KUBECTL_JOB_BACKOFF_LIMIT,
        activeDeadlineSeconds: args.timeoutSeconds + 60,
        awaitSeconds: args.timeoutSeconds + 120,
        dependsOn: args.dependsOn,
        jobDependsOn: args.jobDependsOn,
    });
}
