/**
 * What the render modules share: a registration made plain and masked (`Prepared`), the category that
 * decides where it is written, and small helpers on plain data.
 */
import { CapturedResource } from "../engine";
import { Plain, isPlaceholder } from "../wire";

/** Where a registration goes: its own file by kind, or only the index. */
export type Category = "stack" | "component" | "read" | "provider" | "helm" | "kubernetes-component" | "kubernetes" | "vault" | "other";

const HELM_TYPE = /^kubernetes:helm\.sh\/v\d+:(Chart|Release)$/;

/** The category of a registration. */
export function categorize(r: CapturedResource): Category {
    if (r.type === "pulumi:pulumi:Stack") return "stack";
    if (r.read) return "read";
    if (r.type.startsWith("pulumi:providers:")) return "provider";
    if (HELM_TYPE.test(r.type)) return "helm";
    if (!r.custom) return r.type.startsWith("kubernetes:") ? "kubernetes-component" : "component";
    if (r.type.startsWith("kubernetes:")) return "kubernetes";
    if (r.type.startsWith("vault:")) return "vault";
    return "other";
}

/** Registration data made plain and masked. */
export interface Prepared {
    r: CapturedResource;
    id: string;
    category: Category;
    inputs: { [k: string]: Plain };
    secretPaths: string[];
    unknownPaths: string[];
}

/** A string leaf that is a real value (not a placeholder). */
export function str(v: Plain | undefined): string | undefined {
    return typeof v === "string" && !isPlaceholder(v) ? v : undefined;
}

/** A plain object (not an array, not null). */
export function isObj(v: unknown): v is { [k: string]: Plain } {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Code-point order (locale-independent). */
export function compareStrings(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** `kubernetes:apps/v1:Deployment` -> `Deployment`; `vault:kv/secretV2:SecretV2` -> `SecretV2`. */
export function shortType(type: string): string {
    return type.split(":").pop() ?? type;
}
