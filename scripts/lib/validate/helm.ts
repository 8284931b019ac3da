/**
 * Helm values checked against the chart's own `values.schema.json` (where the chart ships one)
 * and against the keys of its default `values.yaml` (Helm silently ignores a misspelt key; a key the
 * chart's defaults do not declare under a non-empty map is almost always a typo).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** Reference data of one chart version. */
export interface ChartReference {
    chart: string;
    version: string;
    /** Folder relative to the shared dir. */
    dir: string;
    schema?: Record<string, unknown>;
    schemaFile?: string;
    defaults?: unknown;
}

/** Where a chart's reference files live in `<shared>/reference`, per version. */
function candidates(shared: string, chart: string, version: string): string[] {
    const ref = path.join(shared, "reference");
    switch (chart) {
        case "vault":
            return [path.join(ref, "vault-helm", `v${version}`), path.join(ref, "vault-helm", version)];
        case "stackgres-operator":
        case "stackgres-cluster":
            return [path.join(ref, "stackgres-helm", chart)];
        default:
            return [];
    }
}

/** Charts for which reference data exists in some version (a mismatching version is then an error). */
export const CHARTS_WITH_REFERENCE = ["vault", "stackgres-operator", "stackgres-cluster"];

/** Versions of a chart present in the reference folder. */
export function availableVersions(shared: string, chart: string): string[] {
    const ref = path.join(shared, "reference");
    if (chart === "vault") {
        const d = path.join(ref, "vault-helm");
        return fs.existsSync(d) ? fs.readdirSync(d).map((x) => x.replace(/^v/, "")).sort() : [];
    }
    if (chart.startsWith("stackgres-")) {
        const f = path.join(ref, "stackgres-helm", chart, "Chart.yaml");
        return fs.existsSync(f) ? [String((YAML.parse(fs.readFileSync(f, "utf8")) as { version: unknown }).version)] : [];
    }
    return [];
}

/** The reference data for `chart@version`, or undefined when none is kept. */
export function chartReference(shared: string, chart: string, version: string): ChartReference | undefined {
    for (const dir of candidates(shared, chart, version)) {
        const chartYaml = path.join(dir, "Chart.yaml");
        if (!fs.existsSync(chartYaml)) continue;
        const meta = YAML.parse(fs.readFileSync(chartYaml, "utf8")) as { name?: string; version?: unknown };
        if (String(meta.version) !== version || (meta.name !== undefined && meta.name !== chart)) continue;
        const ref: ChartReference = { chart, version, dir: path.relative(shared, dir) };
        const schemaFile = path.join(dir, "values.schema.json");
        if (fs.existsSync(schemaFile)) {
            ref.schema = JSON.parse(fs.readFileSync(schemaFile, "utf8")) as Record<string, unknown>;
            ref.schemaFile = path.relative(shared, schemaFile);
        }
        const valuesFile = path.join(dir, "values.yaml");
        if (fs.existsSync(valuesFile)) ref.defaults = YAML.parse(fs.readFileSync(valuesFile, "utf8"));
        return ref;
    }
    return undefined;
}

/** `oci://reg/x/vault`, `hashicorp/vault`, `vault` -> `vault`. */
export function chartName(chart: string): string {
    return chart.replace(/\/+$/, "").split("/").pop()!.replace(/-[0-9]+\.[0-9]+\.[0-9]+\.tgz$/, "");
}

/** Keys present in `values` that the chart's defaults do not declare (where the defaults list the keys). */
export function unknownValueKeys(values: unknown, defaults: unknown, pointer = ""): string[] {
    if (!isMap(values) || !isMap(defaults) || Object.keys(defaults).length === 0) return [];
    const out: string[] = [];
    for (const [k, v] of Object.entries(values)) {
        const p = `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`;
        if (!(k in defaults)) {
            out.push(p);
            continue;
        }
        out.push(...unknownValueKeys(v, defaults[k], p));
    }
    return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}
