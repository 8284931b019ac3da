/**
 * A declarative "is the operator installed?" gate: a Job running `kubectl wait` that completes only
 * once the operator's ClusterServiceVersion succeeded (OLM) and its CRDs are Established. Pulumi
 * awaits Job completion natively, so custom resources that `dependsOn` this gate never race their
 * CRDs (the kubernetes provider retries a missing CRD for only ~30 s).
 */
import { PINNED } from "../versions";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childDependsOn } from "../dependencies";

/** Pinned `kubectl` images for the wait Job; where each pin comes from is in components/versions.ts. */
export const OPERATOR_WAIT_IMAGES = PINNED.kubectlImages;

/** UID for the wait Job on plain Kubernetes (the kubectl image would otherwise run as root). */
export const KUBERNETES_WAIT_UID = 65532;

/** Default time the gate waits for the operator before failing the deployment. */
export const DEFAULT_OPERATOR_WAIT_SECONDS = 900;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What the wait script checks. */
export interface OperatorWaitSpec {
    /** Namespace of the Subscription and its CSV (OLM only). */
    namespace: string;
    /** OLM Subscription whose installed CSV must reach `Succeeded`; omit for Helm-installed operators. */
    subscriptionName?: string;
    /** The installed CSV must be named `<csvPrefix>.v<version>` (guards against another package's CSV). */
    csvPrefix?: string;
    /** CRDs that must be Established. */
    crdNames: string[];
    /** Overall deadline in seconds. */
    timeoutSeconds: number;
}

function assertName(what: string, value: string): void {
    if (!DNS_SUBDOMAIN.test(value) || value.length > 253) {
        throw new Error(`${what} must be a Kubernetes object name (lower-case DNS subdomain), got ${JSON.stringify(value)}`);
    }
}

/**
 * The POSIX sh script the wait Job runs. Every name is validated as a DNS subdomain before it is
 * spliced in, so nothing needs shell quoting.
 */
export function operatorWaitScript(spec: OperatorWaitSpec): string {
    assertName("namespace", spec.namespace);
    spec.crdNames.forEach((c) => assertName("CRD name", c));
    if (spec.subscriptionName !== undefined) assertName("subscription name", spec.subscriptionName);
    if (spec.csvPrefix !== undefined) assertName("CSV prefix", spec.csvPrefix);
    if (spec.csvPrefix !== undefined && spec.subscriptionName === undefined) {
        throw new Error("csvPrefix needs subscriptionName: the CSV to check is the one the Subscription installed");
    }
    if (spec.subscriptionName === undefined && spec.crdNames.length === 0) {
        throw new Error("nothing to wait for: give a subscriptionName, crdNames, or both");
    }
    if (!Number.isInteger(spec.timeoutSeconds) || spec.timeoutSeconds < 30) {
        throw new Error(`timeoutSeconds must be a whole number of at least 30, got ${spec.timeoutSeconds}`);
    }
    const lines = [
        "set -eu",
        `deadline=$(( $(date +%s) + ${spec.timeoutSeconds} ))`,
        `left() { n=$(( deadline - $(date +%s) )); [ "$n" -gt 1 ] && echo "$n" || echo 1; }`,
        `expired() { [ "$(date +%s)" -ge "$deadline" ]; }`,
    ];
    if (spec.subscriptionName !== undefined) {
        const sub = spec.subscriptionName;
        const ns = spec.namespace;
        lines.push(
            `# OLM resolves the Subscription into an InstallPlan; with Manual approval a person approves it.`,
            `csv=""`,
            `while [ -z "$csv" ]; do`,
            `  csv="$(kubectl get subscriptions.operators.coreos.com ${sub} -n ${ns} -o jsonpath='{.status.installedCSV}' 2>/dev/null || true)"`,
            `  if [ -z "$csv" ]; then`,
            `    if expired; then echo "timed out: Subscription ${ns}/${sub} reports no installed CSV (Manual approval? approve its InstallPlan)" >&2; exit 1; fi`,
            `    sleep 5`,
            `  fi`,
            `done`,
            `echo "Subscription ${ns}/${sub} installed CSV $csv"`,
        );
        if (spec.csvPrefix !== undefined) {
            lines.push(
                `case "$csv" in`,
                `  ${spec.csvPrefix}.v*) ;;`,
                `  *) echo "unexpected CSV $csv: expected ${spec.csvPrefix}.v<version> (another package already installed?)" >&2; exit 1 ;;`,
                `esac`,
            );
        }
        lines.push(
            `until kubectl get clusterserviceversions.operators.coreos.com "$csv" -n ${ns} >/dev/null 2>&1; do`,
            `  if expired; then echo "timed out: CSV $csv not found in ${ns}" >&2; exit 1; fi`,
            `  sleep 5`,
            `done`,
            `kubectl wait --for=jsonpath='{.status.phase}'=Succeeded clusterserviceversions.operators.coreos.com/"$csv" -n ${ns} --timeout="$(left)s"`,
        );
    }
    if (spec.crdNames.length > 0) {
        const crds = spec.crdNames.join(" ");
        lines.push(
            `for crd in ${crds}; do`,
            `  until kubectl get customresourcedefinitions.apiextensions.k8s.io "$crd" >/dev/null 2>&1; do`,
            `    if expired; then echo "timed out: CRD $crd does not exist" >&2; exit 1; fi`,
            `    sleep 5`,
            `  done`,
            `done`,
            `kubectl wait --for=condition=Established ${spec.crdNames.map((c) => `customresourcedefinitions.apiextensions.k8s.io/${c}`).join(" ")} --timeout="$(left)s"`,
        );
    }
    lines.push(`echo "operator ready"`, "");
    return lines.join("\n");
}

/** RBAC of the wait Job: read-only, and only what the script reads. */
export function operatorWaitRules(spec: Pick<OperatorWaitSpec, "subscriptionName">): {
    namespaced: k8s.types.input.rbac.v1.PolicyRule[];
    cluster: k8s.types.input.rbac.v1.PolicyRule[];
} {
    const namespaced: k8s.types.input.rbac.v1.PolicyRule[] =
        spec.subscriptionName === undefined
            ? []
            : [
                  // `kubectl get subscription NAME` is a plain GET, so it can be limited to the one name.
                  { apiGroups: ["operators.coreos.com"], resources: ["subscriptions"], resourceNames: [spec.subscriptionName], verbs: ["get"] },
                  // The CSV name is only known at run time (the Subscription's installedCSV).
                  { apiGroups: ["operators.coreos.com"], resources: ["clusterserviceversions"], verbs: ["get", "list", "watch"] },
              ];
    const cluster: k8s.types.input.rbac.v1.PolicyRule[] = [
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] },
    ];
    return { namespaced, cluster };
}

/** The wait Job's pod: restricted-v2/`restricted` compatible, with requests and limits. */
export function operatorWaitPodSpec(a: {
    serviceAccountName: pulumi.Input<string>;
    image: string;
    script: string;
    /** Only on plain Kubernetes (the kubectl image's default user is root); never on OpenShift. */
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

/** Arguments of {@link OperatorReadyWait}. */
export interface OperatorReadyWaitArgs {
    /** Namespace the Job runs in; for OLM operators, the Subscription's namespace. Must exist. */
    namespace: string;
    /** Pinned image with `sh` and `kubectl` (see {@link OPERATOR_WAIT_IMAGES}). */
    image: string;
    /** OLM Subscription whose installed CSV must succeed; omit for Helm-installed operators. */
    subscriptionName?: string;
    /** Expected CSV name prefix (`<prefix>.v<version>`); needs `subscriptionName`. */
    csvPrefix?: string;
    /** CRDs that must be Established before the gate opens. */
    crdNames: string[];
    /** How long to wait before failing. Defaults to {@link DEFAULT_OPERATOR_WAIT_SECONDS}. */
    timeoutSeconds?: number;
    /** Pod UID; set it only on plain Kubernetes (see {@link KUBERNETES_WAIT_UID}), never on OpenShift. */
    runAsUser?: number;
}

/**
 * A ServiceAccount with read-only RBAC and a Job that completes once the operator is installed.
 * `ready` is what custom resources of this operator must `dependsOn`.
 */
export class OperatorReadyWait extends pulumi.ComponentResource {
    /** The Job; it completes only when the operator is installed. */
    public readonly job: k8s.batch.v1.Job;
    /** Everything to `dependsOn` before creating the operator's custom resources. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: OperatorReadyWaitArgs, opts?: pulumi.ComponentResourceOptions) {
        const timeoutSeconds = args.timeoutSeconds ?? DEFAULT_OPERATOR_WAIT_SECONDS;
        const script = operatorWaitScript({
            namespace: args.namespace,
            subscriptionName: args.subscriptionName,
            csvPrefix: args.csvPrefix,
            crdNames: args.crdNames,
            timeoutSeconds,
        });
        super("vaultkit:index:OperatorReadyWait", name, args, opts);
        const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/component": "operator-wait", "app.kubernetes.io/managed-by": "pulumi" };
        const rules = operatorWaitRules(args);
        // Every child waits for the component's dependencies (e.g. its namespace, the operator install).
        const deps = childDependsOn(opts);

        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: { namespace: args.namespace, labels } },
            { parent: this, dependsOn: deps },
        );
        const bindings: pulumi.Resource[] = [];
        if (rules.namespaced.length > 0) {
            const role = new k8s.rbac.v1.Role(`${name}-role`, { metadata: { namespace: args.namespace, labels }, rules: rules.namespaced }, { parent: this, dependsOn: deps });
            bindings.push(
                new k8s.rbac.v1.RoleBinding(
                    `${name}-rolebinding`,
                    {
                        metadata: { namespace: args.namespace, labels },
                        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                        subjects: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace: args.namespace }],
                    },
                    { parent: this, dependsOn: deps },
                ),
            );
        }
        const clusterRole = new k8s.rbac.v1.ClusterRole(`${name}-clusterrole`, { metadata: { labels }, rules: rules.cluster }, { parent: this, dependsOn: deps });
        bindings.push(
            new k8s.rbac.v1.ClusterRoleBinding(
                `${name}-clusterrolebinding`,
                {
                    metadata: { labels },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name },
                    subjects: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace: args.namespace }],
                },
                { parent: this, dependsOn: deps },
            ),
        );

        // Autonamed, so a changed script replaces the Job create-before-delete (a Job's pod
        // template is immutable). No ttlSecondsAfterFinished: a vanished Job would show as drift.
        this.job = new k8s.batch.v1.Job(
            `${name}-job`,
            {
                metadata: {
                    namespace: args.namespace,
                    labels,
                    annotations: { "pulumi.com/timeoutSeconds": String(timeoutSeconds + 120) },
                },
                spec: {
                    backoffLimit: 2,
                    activeDeadlineSeconds: timeoutSeconds + 60,
                    template: {
                        metadata: { labels },
                        spec: operatorWaitPodSpec({ serviceAccountName: serviceAccount.metadata.name, image: args.image, script, runAsUser: args.runAsUser }),
                    },
                },
            },
            { parent: this, dependsOn: childDependsOn(opts, ...bindings) },
        );
        this.ready = [this.job];
        this.registerOutputs({ job: this.job });
    }
}
