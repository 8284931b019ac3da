/**
 * A declarative "is the operator installed?" gate: a Job running `kubectl` that completes only
 * once the operator's ClusterServiceVersion succeeded (OLM) and its CRDs are Established. Pulumi
 * awaits Job completion natively, so custom resources that `dependsOn` this gate never race their
 * CRDs (the kubernetes provider retries a missing CRD for only ~30 s). For a pinned OLM operator
 * the same script approves the one InstallPlan that installs the pinned CSV, and it gives up at
 * once, with OLM's message, when OLM says it will not install anything.
 */
import { PINNED } from "../versions";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childDependsOn } from "../dependencies";
import { derivedInput } from "../inputs";
import { KUBECTL_JOB_UID, KubectlJobRules, declareKubectlJob } from "../kubernetes/kubectlJob";
import { isDnsSubdomain } from "../kubernetes/names";

/** Pinned `kubectl` images for the wait Job; where each pin comes from is in components/versions.ts. */
export const OPERATOR_WAIT_IMAGES = PINNED.kubectlImages;

/** UID for the wait Job on plain Kubernetes (the kubectl image would otherwise run as root). */
export const KUBERNETES_WAIT_UID = KUBECTL_JOB_UID;

/** Default time the gate waits for the operator before failing the deployment. */
export const DEFAULT_OPERATOR_WAIT_SECONDS = 900;

/** What the wait script checks. */
export interface OperatorWaitSpec {
    /** Namespace of the Subscription and its CSV (OLM only). */
    namespace: string;
    /** OLM Subscription whose installed CSV must reach `Succeeded`; omit for Helm-installed operators. */
    subscriptionName?: string;
    /** The installed CSV must be named `<csvPrefix>.v<version>` (guards against another package's CSV). */
    csvPrefix?: string;
    /**
     * The CSV the Subscription is pinned to (its `startingCSV`, with Manual approval): the script
     * approves the Subscription's InstallPlan only if it installs this CSV, and requires this CSV
     * to be the installed one.
     */
    pinnedCsv?: string;
    /** Other CSVs an InstallPlan approved for the pin may also install (the stack's other pins in the namespace). */
    approvableCsvs?: string[];
    /** CRDs that must be Established. */
    crdNames: string[];
    /** Overall deadline in seconds. */
    timeoutSeconds: number;
}

function assertName(what: string, value: string): void {
    if (!isDnsSubdomain(value)) {
        throw new Error(`${what} must be a Kubernetes object name (lower-case DNS subdomain), got ${JSON.stringify(value)}`);
    }
}

/**
 * Subscription conditions (`<type> <reason>` prefixes) after which OLM installs nothing until a
 * person changes something: `ResolutionFailed` with reason `ConstraintsNotSatisfiable`, which
 * operator-lifecycle-manager (`syncResolvingNamespace`) itself treats as "terminal and most likely
 * require intervention" (e.g. the pinned CSV is not in the catalog), and `InstallPlanFailed`.
 * Other conditions (`ResolutionFailed ErrorPreventedResolution`, unhealthy catalog sources) are
 * retried by OLM; the script prints them and keeps waiting.
 */
export const OLM_TERMINAL_CONDITIONS = ["ResolutionFailed ConstraintsNotSatisfiable", "InstallPlanFailed"] as const;

/** The Subscription part of the script: ends with `$csv` set to the installed (and, if pinned, the pinned) CSV. */
function subscriptionLines(ns: string, sub: string, pin: string, approvable: string[]): string[] {
    const allowed = [...new Set([pin, ...approvable].filter((c) => c !== ""))].join(" ");
    const subscription = `subscriptions.operators.coreos.com ${sub} -n ${ns}`;
    // Pinned: approve the Subscription's InstallPlan only when it installs the pin (and nothing
    // this stack does not pin); fail when OLM installed something else and offers no way to the pin.
    const approvalLines = [
        `  if [ -n "$plan" ]; then`,
        `    ip="$(kubectl get installplans.operators.coreos.com "$plan" -n ${ns} -o jsonpath='{.spec.approved}{" "}{.spec.clusterServiceVersionNames[*]}' 2>/dev/null || true)"`,
        `    approved="\${ip%% *}"; csvs="\${ip#* }"; has_pin=no; others=""`,
        `    for c in $csvs; do`,
        `      if [ "$c" = "$pin" ]; then has_pin=yes; else case " ${allowed} " in *" $c "*) ;; *) others="$others $c" ;; esac; fi`,
        `    done`,
        `    if [ "$has_pin" = yes ] && [ -n "$others" ]; then`,
        `      echo "InstallPlan ${ns}/$plan installs the pinned $pin but also$others, which this stack does not pin; if that is intended, approve it yourself: oc patch installplan $plan -n ${ns} --type merge -p '{\\"spec\\":{\\"approved\\":true}}'" >&2; exit 1`,
        `    elif [ "$has_pin" = yes ] && [ "$approved" != true ]; then`,
        `      kubectl patch installplans.operators.coreos.com "$plan" -n ${ns} --type merge -p '{"spec":{"approved":true}}' >/dev/null`,
        `      echo "approved InstallPlan ${ns}/$plan ($csvs)"`,
        `    elif [ "$has_pin" = no ] && [ -n "$installed" ]; then`,
        `      echo "Subscription ${ns}/${sub} installed $installed, not the pinned $pin, and its InstallPlan $plan offers $csvs: OLM moves one upgrade step at a time, so pin the CSV it offers next (or approve the steps in between yourself)" >&2; exit 1`,
        `    fi`,
        `  fi`,
    ];
    return [
        `# OLM resolves the Subscription into an InstallPlan; its terminal conditions end the wait at once.`,
        `pin="${pin}"`,
        `seen=""`,
        `while :; do`,
        `  out="$(kubectl get ${subscription} -o jsonpath='{.status.installedCSV}{"\\n"}{.status.installPlanRef.name}{"\\n"}{range .status.conditions[?(@.status=="True")]}{.type}{" "}{.reason}{": "}{.message}{"\\n"}{end}' 2>/dev/null || true)"`,
        `  installed="$(printf '%s\\n' "$out" | sed -n 1p)"`,
        `  plan="$(printf '%s\\n' "$out" | sed -n 2p)"`,
        `  conditions="$(printf '%s\\n' "$out" | sed -n '3,$p')"`,
        `  terminal="$(printf '%s\\n' "$conditions" | grep -E '^(${OLM_TERMINAL_CONDITIONS.join("|")})[ :]' || true)"`,
        `  if [ -n "$terminal" ]; then echo "Subscription ${ns}/${sub}: OLM will not install it: $terminal" >&2; exit 1; fi`,
        `  if [ "$conditions" != "$seen" ]; then seen="$conditions"; [ -z "$conditions" ] || printf 'Subscription ${ns}/${sub}: %s\\n' "$conditions"; fi`,
        `  if [ -n "$installed" ] && { [ -z "$pin" ] || [ "$installed" = "$pin" ]; }; then break; fi`,
        ...(pin === "" ? [] : approvalLines),
        `  if expired; then echo "timed out: Subscription ${ns}/${sub} reports no installed CSV ${
            pin === "" ? "(with Manual approval, approve its InstallPlan)" : `${pin} (last conditions: \${seen:-none})`
        }" >&2; exit 1; fi`,
        `  sleep 5`,
        `done`,
        `csv="$installed"`,
        `echo "Subscription ${ns}/${sub} installed CSV $csv"`,
    ];
}

/**
 * The POSIX sh script the wait Job runs. Every name is validated as a DNS subdomain before it is
 * spliced in, so nothing needs shell quoting; globbing is off (`set -f`).
 */
export function operatorWaitScript(spec: OperatorWaitSpec): string {
    assertName("namespace", spec.namespace);
    spec.crdNames.forEach((c) => assertName("CRD name", c));
    if (spec.subscriptionName !== undefined) assertName("subscription name", spec.subscriptionName);
    if (spec.csvPrefix !== undefined) assertName("CSV prefix", spec.csvPrefix);
    if (spec.pinnedCsv !== undefined) assertName("pinned CSV", spec.pinnedCsv);
    (spec.approvableCsvs ?? []).forEach((c) => assertName("approvable CSV", c));
    if ((spec.csvPrefix !== undefined || spec.pinnedCsv !== undefined) && spec.subscriptionName === undefined) {
        throw new Error("csvPrefix and pinnedCsv need subscriptionName: the CSV to check is the one the Subscription installed");
    }
    if (spec.pinnedCsv !== undefined && spec.csvPrefix !== undefined && !spec.pinnedCsv.startsWith(`${spec.csvPrefix}.v`)) {
        throw new Error(`pinned CSV ${spec.pinnedCsv} is not a CSV of the package (${spec.csvPrefix}.v<version>)`);
    }
    if (spec.subscriptionName === undefined && spec.crdNames.length === 0) {
        throw new Error("nothing to wait for: give a subscriptionName, crdNames, or both");
    }
    if (!Number.isInteger(spec.timeoutSeconds) || spec.timeoutSeconds < 30) {
        throw new Error(`timeoutSeconds must be a whole number of at least 30, got ${spec.timeoutSeconds}`);
    }
    const lines = [
        "set -euf",
        `deadline=$(( $(date +%s) + ${spec.timeoutSeconds} ))`,
        `left() { n=$(( deadline - $(date +%s) )); [ "$n" -gt 1 ] && echo "$n" || echo 1; }`,
        `expired() { [ "$(date +%s)" -ge "$deadline" ]; }`,
    ];
    if (spec.subscriptionName !== undefined) {
        const ns = spec.namespace;
        lines.push(...subscriptionLines(ns, spec.subscriptionName, spec.pinnedCsv ?? "", spec.approvableCsvs ?? []));
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

/** RBAC of the wait Job: only what the script reads, plus `patch` on InstallPlans when it approves a pin. */
export function operatorWaitRules(spec: { subscriptionName?: pulumi.Input<string>; pinnedCsv?: pulumi.Input<string> }): KubectlJobRules {
    const namespaced: k8s.types.input.rbac.v1.PolicyRule[] =
        spec.subscriptionName === undefined
            ? []
            : [
                  // `kubectl get subscription NAME` is a plain GET, so it can be limited to the one name.
                  { apiGroups: ["operators.coreos.com"], resources: ["subscriptions"], resourceNames: [spec.subscriptionName], verbs: ["get"] },
                  // The CSV name is only known at run time (the Subscription's installedCSV).
                  { apiGroups: ["operators.coreos.com"], resources: ["clusterserviceversions"], verbs: ["get", "list", "watch"] },
                  // So is the InstallPlan's (the Subscription's installPlanRef); approving it is a merge patch.
                  ...(spec.pinnedCsv === undefined ? [] : [{ apiGroups: ["operators.coreos.com"], resources: ["installplans"], verbs: ["get", "patch"] }]),
              ];
    const cluster: k8s.types.input.rbac.v1.PolicyRule[] = [
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] },
    ];
    return { namespaced, cluster };
}

/**
 * Arguments of {@link OperatorReadyWait}. Names may come from another program (`pulumi.Input`); whether
 * a Subscription, a CSV prefix or a pin is given at all decides the script and the RBAC, so that is
 * known at construction. Every value is checked before it reaches the script (an Output's when known).
 */
export interface OperatorReadyWaitArgs {
    /** Namespace the Job runs in; for OLM operators, the Subscription's namespace. Must exist. */
    namespace: pulumi.Input<string>;
    /** Pinned image with `sh` and `kubectl` (see {@link OPERATOR_WAIT_IMAGES}). */
    image: string;
    /** OLM Subscription whose installed CSV must succeed; omit for Helm-installed operators. */
    subscriptionName?: pulumi.Input<string>;
    /** Expected CSV name prefix (`<prefix>.v<version>`); needs `subscriptionName`. */
    csvPrefix?: pulumi.Input<string>;
    /** The Subscription's pinned CSV: approve its InstallPlan, require it installed (see {@link OperatorWaitSpec.pinnedCsv}). */
    pinnedCsv?: pulumi.Input<string>;
    /** Other CSVs an approved InstallPlan may also install (the stack's other pins in the namespace). */
    approvableCsvs?: pulumi.Input<pulumi.Input<string>[]>;
    /** CRDs that must be Established before the gate opens. */
    crdNames: pulumi.Input<string>[];
    /** How long to wait before failing. Defaults to {@link DEFAULT_OPERATOR_WAIT_SECONDS}. */
    timeoutSeconds?: number;
    /** Pod UID; set it only on plain Kubernetes (see {@link KUBERNETES_WAIT_UID}), never on OpenShift. */
    runAsUser?: number;
}

/**
 * A ServiceAccount with least-privilege RBAC and a Job that completes once the operator is
 * installed. `ready` is what custom resources of this operator must `dependsOn`.
 */
export class OperatorReadyWait extends pulumi.ComponentResource {
    /** The Job; it completes only when the operator is installed. */
    public readonly job: k8s.batch.v1.Job;
    /** Everything to `dependsOn` before creating the operator's custom resources. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: OperatorReadyWaitArgs, opts?: pulumi.ComponentResourceOptions) {
        const timeoutSeconds = args.timeoutSeconds ?? DEFAULT_OPERATOR_WAIT_SECONDS;
        const script = derivedInput(
            {
                namespace: args.namespace,
                subscriptionName: args.subscriptionName,
                csvPrefix: args.csvPrefix,
                pinnedCsv: args.pinnedCsv,
                approvableCsvs: args.approvableCsvs,
                crdNames: args.crdNames,
                timeoutSeconds,
            },
            operatorWaitScript,
        );
        super("vaultkit:index:OperatorReadyWait", name, args, opts);
        this.job = declareKubectlJob(this, name, {
            namespace: args.namespace,
            image: args.image,
            script,
            rules: operatorWaitRules(args),
            timeoutSeconds,
            runAsUser: args.runAsUser,
            component: "operator-wait",
            // Every child waits for the component's dependencies (e.g. its namespace, the operator install).
            dependsOn: childDependsOn(opts),
        });
        this.ready = [this.job];
        this.registerOutputs({ job: this.job });
    }
}
