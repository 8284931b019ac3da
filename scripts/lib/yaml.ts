/**
 * Deterministic YAML: keys sorted (Kubernetes-style leaders first), no anchors, no line folding,
 * YAML 1.1-safe quoting (`"yes"`, `"on"`, `"0755"` stay strings for Go/Kubernetes parsers).
 */
import * as YAML from "yaml";

/** Keys that come first, in this order, wherever they appear. */
const LEADING_KEYS = ["apiVersion", "kind", "metadata", "name", "namespace", "spec"];

function compareKeys(a: string, b: string): number {
    const ia = LEADING_KEYS.indexOf(a);
    const ib = LEADING_KEYS.indexOf(b);
    if (ia !== -1 || ib !== -1) {
        return (ia === -1 ? Infinity : ia) - (ib === -1 ? Infinity : ib);
    }
    return a < b ? -1 : a > b ? 1 : 0;
}

/** A deep copy with every mapping's keys in the stable order. `keepTopOrder` keeps the top level as built. */
export function sortKeys(value: unknown, keepTopOrder = false): unknown {
    if (Array.isArray(value)) {
        return value.map((v) => sortKeys(v));
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (!keepTopOrder) {
        entries.sort(([a], [b]) => compareKeys(a, b));
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

/** Stable YAML text for `value`. */
export function toYaml(value: unknown, opts: { keepTopOrder?: boolean } = {}): string {
    return YAML.stringify(sortKeys(value, opts.keepTopOrder), {
        lineWidth: 0,
        minContentWidth: 0,
        aliasDuplicateObjects: false,
        version: "1.1",
    });
}

/** Parses rendered YAML back (YAML 1.1, as written). */
export function fromYaml(text: string): unknown {
    return YAML.parse(text, { version: "1.1" });
}
