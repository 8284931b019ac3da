/**
 * The gate that holds Pulumi until StackGres has applied this project's SGScript entries, judged
 * the way StackGres judges it, and that fails at once with StackGres's own message when an entry
 * failed. StackGres 1.18.6 (`common/.../ManagedSqlUtil.java`): an entry is up to date when its
 * status has the entry's `version` and no `intents`; `intents` with no `failureCode` means it is
 * running; `intents` with a `failureCode` means it failed (`failure` holds the message,
 * `ManagedSqlScriptEntryReconciliator.setFailure`). `retryOnError` entries are retried with
 * back-off, but each attempt clears `failureCode` first, so "no failure code" alone never meant
 * "applied" (field review finding 4).
 */
import * as k8s from "@pulumi/kubernetes";
import { KubectlJobRules } from "../kubernetes/kubectlJob";
import { isDnsLabel } from "../kubernetes/names";
import { MANAGED_SQL_SCRIPT_ID, assertClusterName } from "./clusterSpecs";

/** How long the gate waits for the entries after the primary is up, by default. */
export const DEFAULT_MANAGED_SQL_WAIT_SECONDS = 900;

/** What the gate checks. */
export interface ManagedSqlGateSpec {
    namespace: string;
    clusterName: string;
    /** The entries of our SGScript, at the versions that must be applied. */
    entries: { id: number; version: number }[];
    timeoutSeconds: number;
}

/**
 * The POSIX sh script of the gate Job. Names are validated DNS labels and ids/versions integers
 * before they are spliced in; globbing is off.
 */
export function managedSqlGateScript(spec: ManagedSqlGateSpec): string {
    if (!isDnsLabel(spec.namespace)) {
        throw new Error(`namespace must be a Kubernetes namespace, got ${JSON.stringify(spec.namespace)}`);
    }
    assertClusterName(spec.clusterName);
    if (spec.entries.length === 0) {
        throw new Error("managed SQL gate: no script entries to wait for");
    }
    for (const e of spec.entries) {
        if (!Number.isSafeInteger(e.id) || e.id < 0 || !Number.isSafeInteger(e.version) || e.version < 0) {
            throw new Error(`managed SQL gate: entry ids and versions must be whole numbers, got ${JSON.stringify(e)}`);
        }
    }
    if (!Number.isInteger(spec.timeoutSeconds) || spec.timeoutSeconds < 30) {
        throw new Error(`timeoutSeconds must be a whole number of at least 30, got ${spec.timeoutSeconds}`);
    }
    const cluster = `sgclusters.stackgres.io ${spec.clusterName} -n ${spec.namespace}`;
    const statusOf = `.status.managedSql.scripts[?(@.id==${MANAGED_SQL_SCRIPT_ID})].scripts`;
    return [
        "set -euf",
        `deadline=$(( $(date +%s) + ${spec.timeoutSeconds} ))`,
        `# One line per expected entry: "<id> <version>".`,
        `expected='${spec.entries.map((e) => `${e.id} ${e.version}`).join("\n")}'`,
        `seen=""`,
        `while :; do`,
        `  out="$(kubectl get ${cluster} -o jsonpath='{range ${statusOf}[*]}{.id}{"|"}{.version}{"|"}{.intents}{"|"}{.failureCode}{"\\n"}{end}' 2>/dev/null || true)"`,
        `  pending=""`,
        `  while read -r id version; do`,
        `    line="$(printf '%s\\n' "$out" | grep "^$id|" || true)"`,
        `    got_version="$(printf '%s' "$line" | cut -d'|' -f2)"; intents="$(printf '%s' "$line" | cut -d'|' -f3)"; code="$(printf '%s' "$line" | cut -d'|' -f4)"`,
        `    if [ "$got_version" != "$version" ]; then pending="$pending $id:not-run"; continue; fi`,
        `    if [ -z "$intents" ]; then continue; fi`,
        `    if [ -n "$code" ]; then`,
        `      failure="$(kubectl get ${cluster} -o jsonpath="{${statusOf}[?(@.id==$id)].failure}" 2>/dev/null || true)"`,
        `      echo "SGCluster ${spec.namespace}/${spec.clusterName}: StackGres failed SGScript entry $id (version $version, attempt $intents), SQLSTATE $code: $failure" >&2`,
        `      exit 1`,
        `    fi`,
        `    pending="$pending $id:running"`,
        `  done <<EOF`,
        `$expected`,
        `EOF`,
        `  if [ -z "$pending" ]; then echo "SGCluster ${spec.namespace}/${spec.clusterName}: StackGres applied every SGScript entry"; exit 0; fi`,
        `  if [ "$pending" != "$seen" ]; then seen="$pending"; echo "waiting for SGScript entries:$pending"; fi`,
        `  if [ "$(date +%s)" -ge "$deadline" ]; then echo "timed out: SGCluster ${spec.namespace}/${spec.clusterName} has not applied SGScript entries:$pending" >&2; exit 1; fi`,
        `  sleep 5`,
        `done`,
        "",
    ].join("\n");
}

/** RBAC of the gate: read the one SGCluster (a plain GET). */
export function managedSqlGateRules(clusterName: string): KubectlJobRules {
    const namespaced: k8s.types.input.rbac.v1.PolicyRule[] = [{ apiGroups: ["stackgres.io"], resources: ["sgclusters"], resourceNames: [clusterName], verbs: ["get"] }];
    return { namespaced, cluster: [] };
}
