/**
 * Watches kinds on the real API server and records, per object, the etcd revision (resourceVersion)
 * of its creation and of the moment it became ready. Revisions are global and strictly increasing,
 * so "B was created after A became ready" is an exact comparison, with no clock involved.
 */
import { Agent, request } from "node:https";
import type { ClientRequest } from "node:http";
import type { Kube, KubeObject } from "../../kube/support/kube";

/** `Kind/namespace/name` (namespace empty for cluster-scoped objects). */
export type ObjectKey = string;

export function objectKey(kind: string, namespace: string | undefined, name: string): ObjectKey {
    return `${kind}/${namespace ?? ""}/${name}`;
}

/** When an object counts as ready, per kind (what the Kubernetes provider awaits). */
export type Readiness = (obj: KubeObject & { status?: any; spec?: any }) => boolean;

/** Pulumi's await logic for the built-in kinds this project declares (Job complete, Deployment available). */
export const BUILTIN_READINESS: Record<string, Readiness> = {
    Job: (o) => (o.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Complete" && c.status === "True"),
    Deployment: (o) =>
        (o.status?.observedGeneration ?? 0) >= ((o.metadata as { generation?: number }).generation ?? 1) &&
        (o.status?.updatedReplicas ?? 0) === (o.spec?.replicas ?? 1) &&
        (o.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Available" && c.status === "True"),
};

interface Entry {
    created: number;
    ready?: number;
}

export class ObjectLog {
    private readonly entries = new Map<ObjectKey, Entry>();
    private readonly requests: ClientRequest[] = [];
    private readonly agent: Agent;
    /** Stream errors (a test expects none while the server is up). */
    readonly errors: string[] = [];

    constructor(
        private readonly kube: Kube,
        private readonly readiness: Record<string, Readiness> = BUILTIN_READINESS,
    ) {
        this.agent = new Agent({ ca: kube.env.ca, keepAlive: true });
    }

    /** Starts a watch (all namespaces) per kind; resolves once every watch is established. */
    async watch(kinds: { apiVersion: string; kind: string }[]): Promise<void> {
        await Promise.all(kinds.map((k) => this.watchKind(k.apiVersion, k.kind)));
    }

    private async watchKind(apiVersion: string, kind: string): Promise<void> {
        const r = await this.kube.resource(apiVersion, kind);
        const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        const list = await this.kube.request("GET", `${base}/${r.plural}`);
        const body = list.body as { metadata: { resourceVersion: string }; items: KubeObject[] };
        for (const o of body.items) this.record(kind, "ADDED", o);
        await new Promise<void>((resolve, reject) => {
            const url = new URL(`${base}/${r.plural}?watch=1&allowWatchBookmarks=false&resourceVersion=${body.metadata.resourceVersion}`, this.kube.env.server);
            const req = request(url, { agent: this.agent, headers: { Authorization: `Bearer ${this.kube.env.token}`, Accept: "application/json" } }, (res) => {
                if (res.statusCode !== 200) {
                    reject(new Error(`watch ${kind}: HTTP ${res.statusCode}`));
                    return;
                }
                resolve();
                let buf = "";
                res.on("data", (chunk: Buffer) => {
                    buf += chunk.toString("utf8");
                    let nl: number;
                    while ((nl = buf.indexOf("\n")) >= 0) {
                        const line = buf.slice(0, nl);
                        buf = buf.slice(nl + 1);
                        if (line.trim() === "") continue;
                        const ev = JSON.parse(line) as { type: string; object: KubeObject };
                        if (ev.type === "ERROR") this.errors.push(`watch ${kind}: ${JSON.stringify(ev.object)}`);
                        else this.record(kind, ev.type, ev.object);
                    }
                });
                res.on("error", (e) => this.errors.push(`watch ${kind}: ${e.message}`));
            });
            req.on("error", (e) => {
                this.errors.push(`watch ${kind}: ${e.message}`);
                reject(e);
            });
            req.end();
            this.requests.push(req);
        });
    }

    private record(kind: string, type: string, o: KubeObject): void {
        const key = objectKey(kind, o.metadata.namespace, o.metadata.name);
        const rv = Number(o.metadata.resourceVersion);
        let e = this.entries.get(key);
        if (type === "ADDED" || !e) {
            // A re-created object (same name) starts over.
            e = { created: rv };
            this.entries.set(key, e);
        }
        if (e.ready === undefined && this.readiness[kind]?.(o as KubeObject & { status?: unknown })) {
            e.ready = rv;
        }
    }

    /** Marks an object ready at a revision (a status the test wrote itself, e.g. an operator's). */
    markReady(kind: string, namespace: string | undefined, name: string, resourceVersion: string): void {
        const e = this.entries.get(objectKey(kind, namespace, name));
        if (!e) throw new Error(`markReady: ${objectKey(kind, namespace, name)} was never seen`);
        e.ready = Number(resourceVersion);
    }

    /** The creation revision of an object, or undefined if it was never seen. */
    created(key: ObjectKey): number | undefined {
        return this.entries.get(key)?.created;
    }

    /** The revision at which an object became ready, or undefined. */
    ready(key: ObjectKey): number | undefined {
        return this.entries.get(key)?.ready;
    }

    stop(): void {
        for (const r of this.requests) r.destroy();
        this.agent.destroy();
    }
}
