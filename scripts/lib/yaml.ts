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

/**
 * File modes (`defaultMode` of a Secret/ConfigMap/projected volume, `mode` of one of its items) get
 * their octal form as a comment, `defaultMode: 288 # 0440`: the value stays decimal, which every
 * parser reads alike (YAML 1.2 tools such as yq would read a bare `0440` as 440), and a reviewer
 * reads the permission bits.
 */
function annotateFileModes(doc: YAML.Document): void {
    YAML.visit(doc, {
        Pair(_, pair, path) {
            if (!YAML.isScalar(pair.key) || !YAML.isScalar(pair.value) || typeof pair.value.value !== "number") return;
            const key = pair.key.value;
            const parent = path[path.length - 1];
            const isItemMode = key === "mode" && YAML.isMap(parent) && parent.has("path") && parent.has("key");
            if (key === "defaultMode" || isItemMode) pair.value.comment = ` 0${pair.value.value.toString(8)}`;
        },
    });
}

/** Stable YAML text for `value`. */
export function toYaml(value: unknown, opts: { keepTopOrder?: boolean } = {}): string {
    const doc = new YAML.Document(sortKeys(value, opts.keepTopOrder), { aliasDuplicateObjects: false, version: "1.1" });
    annotateFileModes(doc);
    return doc.toString({ lineWidth: 0, minContentWidth: 0 });
}

/** Parses rendered YAML back (YAML 1.1, as written). */
export function fromYaml(text: string): unknown {
    return YAML.parse(text, { version: "1.1" });
}
