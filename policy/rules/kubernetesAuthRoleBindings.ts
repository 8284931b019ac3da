import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { show } from "../lib/values";

export const AUTH_BACKEND_ROLE_TYPE = "vault:kubernetes/authBackendRole:AuthBackendRole";

/** Problems with one bound list (`boundServiceAccountNames` or `boundServiceAccountNamespaces`). */
export function bindingProblems(field: string, value: unknown): string[] {
    if (value === undefined || value === null) {
        return [`has no ${field}`];
    }
    if (!Array.isArray(value)) {
        return [`has ${field} ${show(value)}, expected a list`];
    }
    if (value.length === 0) {
        return [`has an empty ${field}`];
    }
    const problems: string[] = [];
    for (const entry of value) {
        if (typeof entry !== "string" || entry.trim() === "") {
            problems.push(`has an invalid ${field} entry ${show(entry)}`);
        } else if (entry.includes("*")) {
            problems.push(`binds ${field} to '${entry}': any ${field === "boundServiceAccountNames" ? "service account" : "namespace"} matching it could log in`);
        }
    }
    return problems;
}

/**
 * Kubernetes auth roles must bind explicit service accounts in explicit namespaces: no `*`
 * (Vault treats it, and `prefix*` globs, as "any"), no empty lists, and no namespace label
 * selector (which admits namespaces created later by anyone allowed to label them).
 */
export function validateKubernetesAuthRoleBindings(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
    if (args.type !== AUTH_BACKEND_ROLE_TYPE) {
        return;
    }
    const role = typeof args.props["roleName"] === "string" ? args.props["roleName"] : args.name;
    for (const p of bindingProblems("boundServiceAccountNames", args.props["boundServiceAccountNames"])) {
        reportViolation(`Kubernetes auth role '${role}' ${p}.`);
    }
    const selector = args.props["boundServiceAccountNamespaceSelector"];
    if (typeof selector === "string" && selector.trim() !== "") {
        reportViolation(`Kubernetes auth role '${role}' binds namespaces by label selector ${show(selector)}: list the namespaces explicitly in boundServiceAccountNamespaces.`);
    }
    for (const p of bindingProblems("boundServiceAccountNamespaces", args.props["boundServiceAccountNamespaces"])) {
        reportViolation(`Kubernetes auth role '${role}' ${p}.`);
    }
}

export const kubernetesAuthRoleBindings: ResourceValidationPolicy = {
    name: "vault-kubernetes-auth-role-explicit-bindings",
    description: "Vault Kubernetes auth roles must be bound to explicit service accounts and namespaces (no '*', not empty, no namespace selector).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "List the exact service account names and namespaces of the workloads that log in with this role.",
    validateResource: validateKubernetesAuthRoleBindings,
};
