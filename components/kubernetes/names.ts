/**
 * Kubernetes name checks. Names are validated before they reach a manifest or are spliced into a
 * shell script, so a script never needs to quote them.
 */

/** An RFC 1123 label: namespaces, Services, StatefulSet pods, SGClusters. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** An RFC 1123 subdomain: most object names (Secrets, ServiceAccounts, CRDs, CSVs). */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True for a DNS label of at most `maxLength` characters (63, or less where a suffix is appended). */
export function isDnsLabel(value: string, maxLength = 63): boolean {
    return typeof value === "string" && DNS_LABEL.test(value) && value.length <= maxLength;
}

/** True for a DNS subdomain of at most `maxLength` characters (253). */
export function isDnsSubdomain(value: string, maxLength = 253): boolean {
    return typeof value === "string" && DNS_SUBDOMAIN.test(value) && value.length <= maxLength;
}
