/**
 * The CRDs a live cluster serves, as a schema folder for `npm run render -- --validate
 * --schemas-from-cluster`: read through a kubeconfig (its current or a named context) straight from
 * the API server, no kubectl needed. Only the pinned CRD families' groups are kept
 * (scripts/lib/validate/crds.ts); a cluster has no chart values, so Helm values stay unvalidated.
 */
import * as fs from "fs";
import { request as httpsRequest, type RequestOptions } from "https";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { pinnedCrdFamilies } from "./validate/crds";

/** The marker a cluster-sourced schema folder carries (scripts/lib/schemas.ts reads it). */
export const CLUSTER_MARKER = path.join("crds", "FROM-CLUSTER.md");

/** How to reach one API server, from a kubeconfig. */
export interface ClusterAccess {
    server: string;
    context: string;
    tls: Pick<RequestOptions, "ca" | "cert" | "key" | "rejectUnauthorized">;
    headers: Record<string, string>;
}

type Obj = Record<string, any>;
const named = (list: unknown, name: string): Obj | undefined => (Array.isArray(list) ? (list as Obj[]).find((e) => e?.name === name) : undefined);

/**
 * Reads a kubeconfig (`file`, else the first of $KUBECONFIG, else ~/.kube/config) for `context` (else
 * its current context). Supports tokens, token files, client certificates and basic auth; credential
 * plugins (`exec`, `auth-provider`) are refused with what to do instead.
 */
export function clusterAccess(file?: string, context?: string): ClusterAccess {
    const kubeconfig = file ?? (process.env.KUBECONFIG || "").split(path.delimiter).find((p) => p !== "") ?? path.join(os.homedir(), ".kube", "config");
    if (!fs.existsSync(kubeconfig)) throw new Error(`no kubeconfig at ${kubeconfig} (give --kubeconfig, or set KUBECONFIG)`);
    const doc = (YAML.parse(fs.readFileSync(kubeconfig, "utf8")) ?? {}) as Obj;
    const base = path.dirname(path.resolve(kubeconfig));
    const ctxName: string | undefined = context ?? doc["current-context"];
    if (!ctxName) throw new Error(`${kubeconfig} has no current-context: give --kube-context`);
    const ctx = named(doc.contexts, ctxName)?.context as Obj | undefined;
    if (!ctx) throw new Error(`${kubeconfig} has no context '${ctxName}' (contexts: ${(doc.contexts ?? []).map((c: Obj) => c.name).join(", ")})`);
    const cluster = named(doc.clusters, ctx.cluster)?.cluster as Obj | undefined;
    const user = (named(doc.users, ctx.user)?.user ?? {}) as Obj;
    if (!cluster?.server) throw new Error(`${kubeconfig}: context '${ctxName}' names no cluster with a server`);
    const read = (dataKey: string, fileKey: string): Buffer | undefined =>
        user[dataKey] !== undefined || cluster[dataKey] !== undefined
            ? Buffer.from(String(user[dataKey] ?? cluster[dataKey]), "base64")
            : (user[fileKey] ?? cluster[fileKey]) !== undefined
              ? fs.readFileSync(path.resolve(base, String(user[fileKey] ?? cluster[fileKey])))
              : undefined;
    if (user.exec || user["auth-provider"]) {
        throw new Error(
            `context '${ctxName}' gets its credentials from a plugin (${user.exec ? "exec" : "auth-provider"}), which this reader does not run: ` +
                "use a kubeconfig with a token (e.g. `oc login` writes one) or a client certificate, or --schemas <dir>",
        );
    }
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = user.token ?? (user.tokenFile ? fs.readFileSync(path.resolve(base, user.tokenFile), "utf8").trim() : undefined);
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (user.username !== undefined) headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ""}`).toString("base64")}`;
    return {
        server: String(cluster.server).replace(/\/+$/, ""),
        context: ctxName,
        tls: {
            ca: read("certificate-authority-data", "certificate-authority"),
            cert: read("client-certificate-data", "client-certificate"),
            key: read("client-key-data", "client-key"),
            rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true,
        },
        headers,
    };
}

function getJson(access: ClusterAccess, apiPath: string): Promise<Obj> {
    return new Promise((resolve, reject) => {
        const req = httpsRequest(`${access.server}${apiPath}`, { ...access.tls, headers: access.headers, timeout: 30_000 }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
                const body = Buffer.concat(chunks).toString("utf8");
                if (res.statusCode !== 200) {
                    let message = body.slice(0, 200);
                    try {
                        message = (JSON.parse(body) as Obj).message ?? message;
                    } catch {
                        // not a Status object
                    }
                    reject(new Error(`${access.server} (context '${access.context}') answered ${res.statusCode} to GET ${apiPath}: ${message}`));
                    return;
                }
                resolve(JSON.parse(body) as Obj);
            });
        });
        req.on("timeout", () => req.destroy(new Error(`${access.server}: no answer within 30 s`)));
        req.on("error", (e) => reject(new Error(`${access.server} (context '${access.context}'): ${e.message}`)));
        req.end();
    });
}

/** What `crdsFromCluster` wrote. */
export interface ClusterCrds {
    server: string;
    /** Pinned families the cluster serves CRDs of, and those it serves none of. */
    families: string[];
    missing: string[];
}

/** Writes the CRDs of the pinned families that the cluster serves into `dest/crds/<family dir>/`. */
export async function crdsFromCluster(access: ClusterAccess, dest: string): Promise<ClusterCrds> {
    const families = pinnedCrdFamilies();
    const items: Obj[] = [];
    let next: string | undefined = "";
    while (next !== undefined) {
        const page: Obj = await getJson(access, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions?limit=250${next ? `&continue=${encodeURIComponent(next)}` : ""}`);
        items.push(...((page.items as Obj[]) ?? []));
        next = page.metadata?.continue || undefined;
    }
    const found = new Set<string>();
    for (const crd of items) {
        const family = families.find((f) => f.groups.includes(crd.spec?.group));
        if (!family) continue;
        found.add(family.family);
        const { managedFields: _managed, ...metadata } = crd.metadata ?? {};
        void _managed;
        const file = path.join(dest, "crds", family.dir, `${crd.metadata.name}.yaml`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        // The registry finds group and kind at the usual two-space indentation.
        // (A list's items carry no apiVersion/kind of their own.)
        fs.writeFileSync(file, YAML.stringify({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata, spec: crd.spec }));
    }
    const result: ClusterCrds = {
        server: access.server,
        families: families.filter((f) => found.has(f.family)).map((f) => f.family),
        missing: families.filter((f) => !found.has(f.family)).map((f) => f.family),
    };
    fs.mkdirSync(path.join(dest, "crds"), { recursive: true });
    fs.writeFileSync(
        path.join(dest, CLUSTER_MARKER),
        `# CRDs served by ${access.server} (context ${access.context})\n\nFamilies served: ${result.families.join(", ") || "none"}.\nNot served: ${result.missing.join(", ") || "none"}.\n`,
    );
    return result;
}
