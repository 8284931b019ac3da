/** The `app.kubernetes.io/*` labels this package puts on what it creates. */

/** Labels that select the pods of one workload (stable: a Deployment selector is immutable). */
export function selectorLabels(workloadName: string): Record<string, string> {
    return { "app.kubernetes.io/name": workloadName, "app.kubernetes.io/instance": workloadName };
}

/** Which of the recommended labels to set besides `managed-by: pulumi`. */
export interface StandardLabelParts {
    /** `app.kubernetes.io/name`. */
    name?: string;
    /** `app.kubernetes.io/instance`. */
    instance?: string;
    /** `app.kubernetes.io/component`, e.g. `vault-bootstrap`. */
    component?: string;
    /**
     * `app.kubernetes.io/part-of: vaultkit`; default true. The gate Jobs never carried it, and adding
     * it now would replace every gate Job on the next update (a Job's pod template is immutable).
     */
    partOf?: boolean;
}

/** `managed-by: pulumi`, `part-of: vaultkit` (unless `partOf: false`) and the parts given. */
export function standardLabels(parts: StandardLabelParts = {}): Record<string, string> {
    return {
        ...(parts.name !== undefined ? { "app.kubernetes.io/name": parts.name } : {}),
        ...(parts.instance !== undefined ? { "app.kubernetes.io/instance": parts.instance } : {}),
        ...(parts.component !== undefined ? { "app.kubernetes.io/component": parts.component } : {}),
        ...(parts.partOf === false ? {} : { "app.kubernetes.io/part-of": "vaultkit" }),
        "app.kubernetes.io/managed-by": "pulumi",
    };
}
