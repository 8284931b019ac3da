/**
 * The privileged-settings review in index.yaml: what a reviewer looks at first, gathered from the
 * Kubernetes objects and Helm values: every container image (with the files using it) and every
 * container, pod or chart value that asks for elevated privileges.
 */
import { Plain, joinPath } from "../wire";
import { Prepared, compareStrings, isObj, str } from "./prepared";

/** One setting that asks for more than a restricted pod gets. */
export interface ElevatedSetting {
    file: string;
    path: string;
    setting: string;
}

/** The review section of index.yaml, from the prepared registrations and the files they went to. */
export function review(prepared: Prepared[], fileOf: ReadonlyMap<string, string>): Record<string, unknown> {
    const images = new Map<string, Set<string>>();
    const elevated: ElevatedSetting[] = [];
    const visit = (node: Plain, path: string, file: string) => {
        if (Array.isArray(node)) {
            node.forEach((x, i) => visit(x, joinPath(path, i), file));
            return;
        }
        if (!isObj(node)) return;
        for (const key of ["containers", "initContainers", "ephemeralContainers"]) {
            const list = node[key];
            if (!Array.isArray(list)) continue;
            list.forEach((c, i) => {
                if (!isObj(c)) return;
                const image = str(c.image);
                if (image) {
                    if (!images.has(image)) images.set(image, new Set());
                    images.get(image)!.add(file);
                }
                const sc = isObj(c.securityContext) ? c.securityContext : {};
                const at = joinPath(joinPath(path, key), i);
                if (sc.privileged === true) elevated.push({ file, path: `${at}.securityContext.privileged`, setting: "privileged: true" });
                if (sc.allowPrivilegeEscalation === true) elevated.push({ file, path: `${at}.securityContext.allowPrivilegeEscalation`, setting: "allowPrivilegeEscalation: true" });
                if (sc.runAsNonRoot === false) elevated.push({ file, path: `${at}.securityContext.runAsNonRoot`, setting: "runAsNonRoot: false" });
                if (sc.runAsUser === 0) elevated.push({ file, path: `${at}.securityContext.runAsUser`, setting: "runAsUser: 0" });
                const caps = isObj(sc.capabilities) && Array.isArray(sc.capabilities.add) ? sc.capabilities.add : [];
                if (caps.length) elevated.push({ file, path: `${at}.securityContext.capabilities.add`, setting: `capabilities.add: ${caps.join(", ")}` });
            });
        }
        for (const key of ["hostNetwork", "hostPID", "hostIPC"]) {
            if (node[key] === true) elevated.push({ file, path: joinPath(path, key), setting: `${key}: true` });
        }
        if (Array.isArray(node.volumes)) {
            node.volumes.forEach((v, i) => {
                if (isObj(v) && v.hostPath !== undefined) elevated.push({ file, path: `${joinPath(joinPath(path, "volumes"), i)}.hostPath`, setting: "hostPath volume" });
            });
        }
        for (const [k, v] of Object.entries(node)) if (typeof v === "object" && v !== null) visit(v, joinPath(path, k), file);
    };
    // Helm values that ask for privileges (e.g. the Vault CSI provider's `privileged: true`).
    const visitValues = (node: Plain, path: string, file: string) => {
        if (Array.isArray(node)) return node.forEach((x, i) => visitValues(x, joinPath(path, i), file));
        if (!isObj(node)) return;
        for (const [k, v] of Object.entries(node)) {
            if (["privileged", "allowPrivilegeEscalation", "hostNetwork", "hostPID"].includes(k) && v === true) elevated.push({ file, path: joinPath(path, k), setting: `${k}: true` });
            else visitValues(v, joinPath(path, k), file);
        }
    };
    for (const p of prepared) {
        const file = fileOf.get(p.r.urn);
        if (p.category === "kubernetes" && file) visit(p.inputs, "", file);
        if (p.category === "helm" && file && p.inputs.values !== undefined) visitValues(p.inputs.values, "values", file);
    }
    return {
        images: Object.fromEntries([...images].sort(([a], [b]) => compareStrings(a, b)).map(([img, files]) => [img, [...files].sort()])),
        elevatedPrivileges: elevated.sort((a, b) => compareStrings(`${a.file} ${a.path}`, `${b.file} ${b.path}`)),
    };
}
