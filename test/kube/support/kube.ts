/**
 * A small typed client for the kube tier's real kube-apiserver (scripts/kube-test-server.sh), over
 * node:https with the server's CA and a bearer token. It speaks just what the tests need: get, list,
 * create, delete, server-side apply (optionally dryRun=All), status patches, TokenRequest and
 * TokenReview, CRD installation, and polling. Resource paths come from the server's own discovery,
 * so custom resources work as soon as their CRD is established.
 *
 * Every non-2xx answer becomes a KubeError carrying the server's Status message (what `kubectl`
 * would print), so a refused object fails a test with the server's own words.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { Agent, request as httpsRequest } from "node:https";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

/** Where the server is (the export lines of `scripts/kube-test-server.sh env`). */
export interface KubeEnv {
    /** VAULTKIT_KUBE_SERVER, e.g. https://127.0.0.1:56010 */
    server: string;
    /** PEM of the CA that signed the serving certificate (VAULTKIT_KUBE_CA_FILE's content). */
    ca: string;
    /** VAULTKIT_KUBE_CA_FILE */
    caFile: string;
    /** VAULTKIT_KUBE_TOKEN: an admin bearer token (group system:masters). */
    token: string;
    /** VAULTKIT_KUBE_DIR: the server's state dir (kubeconfig, sa.key, logs). */
    dir: string;
}

/** True when the kube tier must run (scripts/test-kube.sh sets VAULTKIT_KUBE_REQUIRED=1). */
export function kubeRequired(): boolean {
    return process.env.VAULTKIT_KUBE_REQUIRED === "1";
}

export const KUBE_SKIP_REASON = "VAULTKIT_KUBE_SERVER is not set (run scripts/test-kube.sh for the kube tier)";

/**
 * The server to test against, or undefined (with a printed reason) when the tier should skip: only
 * when VAULTKIT_KUBE_SERVER is unset and VAULTKIT_KUBE_REQUIRED is not 1. A partial environment or
 * an unreadable CA file always throws.
 */
export function kubeEnv(): KubeEnv | undefined {
    const server = process.env.VAULTKIT_KUBE_SERVER;
    if (!server) {
        if (kubeRequired()) {
            throw new Error("kube tier: VAULTKIT_KUBE_REQUIRED=1 but VAULTKIT_KUBE_SERVER is unset; start the server with scripts/test-kube.sh");
        }
        console.warn(`[kube] skipped: ${KUBE_SKIP_REASON}`);
        return undefined;
    }
    const need = (name: string): string => {
        const v = process.env[name];
        if (!v) throw new Error(`kube tier: VAULTKIT_KUBE_SERVER is set but ${name} is not; eval "$(scripts/kube-test-server.sh env)"`);
        return v;
    };
    const caFile = need("VAULTKIT_KUBE_CA_FILE");
    let ca: string;
    try {
        ca = readFileSync(caFile, "utf8");
    } catch (e) {
        throw new Error(`kube tier: cannot read VAULTKIT_KUBE_CA_FILE ${caFile}: ${(e as Error).message}`);
    }
    return { server: server.replace(/\/+$/, ""), ca, caFile, token: need("VAULTKIT_KUBE_TOKEN"), dir: need("VAULTKIT_KUBE_DIR") };
}

/** Any Kubernetes object. */
export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: {
        name: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        uid?: string;
        resourceVersion?: string;
        [k: string]: unknown;
    };
    [k: string]: unknown;
}

/** Which object: apiVersion + kind + name (+ namespace for namespaced kinds). */
export interface ObjectRef {
    apiVersion: string;
    kind: string;
    name: string;
    namespace?: string;
}

/** A refused request: the HTTP status and the server's Status object. */
export class KubeError extends Error {
    constructor(
        readonly method: string,
        readonly path: string,
        readonly status: number,
        /** Status.reason, e.g. Invalid, Forbidden, NotFound, AlreadyExists. */
        readonly reason: string,
        /** Status.message: the server's own explanation. */
        readonly serverMessage: string,
        readonly body: unknown,
    ) {
        super(`${method} ${path}: ${status} ${reason}: ${serverMessage}`);
        this.name = "KubeError";
    }
}

/** The raw answer to one request. */
export interface KubeResponse {
    status: number;
    body: unknown;
    /** Warning headers (e.g. Pod Security warnings on a Deployment), without the "299 - " prefix. */
    warnings: string[];
}

export interface RequestOptions {
    body?: unknown;
    contentType?: string;
    query?: Record<string, string | number | boolean | undefined>;
    /** Statuses returned instead of thrown (e.g. [404]). */
    allow?: number[];
}

export interface WriteOptions {
    /** dryRun=All: admission and validation run, nothing is stored. */
    dryRun?: boolean;
    /** Warning headers of the answer are pushed here. */
    warnings?: string[];
}

export interface ApplyOptions extends WriteOptions {
    /** Server-side apply field manager (default "vaultkit-test"). */
    fieldManager?: string;
    /** Take over fields owned by other managers (default true). */
    force?: boolean;
}

export interface TokenOptions {
    audiences?: string[];
    /** The server refuses less than 600. */
    expirationSeconds?: number;
    /** Bind the token to an object (the kubelet binds a pod's projected token to the Pod): deleting it invalidates the token. */
    boundObjectRef?: { apiVersion: string; kind: "Pod" | "Secret" | "Node"; name: string; uid: string };
}

export interface WaitOptions {
    /** Default 30 s. */
    timeoutMs?: number;
    /** Default 200 ms. */
    intervalMs?: number;
    /** Named in the timeout error. */
    what?: string;
}

interface Resource {
    plural: string;
    namespaced: boolean;
}

/**
 * Polls `check` until it returns something other than undefined/false/null, and returns that.
 * Errors thrown by `check` are retried until the deadline; the last one is in the timeout error.
 */
export async function waitUntil<T>(check: () => Promise<T | undefined | false | null> | T | undefined | false | null, options: WaitOptions = {}): Promise<T> {
    const timeout = options.timeoutMs ?? 30_000;
    const interval = options.intervalMs ?? 200;
    const deadline = Date.now() + timeout;
    let last: unknown;
    for (;;) {
        try {
            const v = await check();
            if (v !== undefined && v !== false && v !== null) return v;
        } catch (e) {
            last = e;
        }
        if (Date.now() >= deadline) {
            const why = last instanceof Error ? `; last error: ${last.message}` : "";
            throw new Error(`timed out after ${timeout} ms waiting for ${options.what ?? "a condition"}${why}`);
        }
        await new Promise((r) => setTimeout(r, interval));
    }
}

/** Every object in the YAML files of a directory tree (multi-document files, null documents skipped). */
export function readManifests(dir: string): KubeObject[] {
    const out: KubeObject[] = [];
    const walk = (d: string): void => {
        for (const name of readdirSync(d).sort()) {
            const p = join(d, name);
            if (statSync(p).isDirectory()) walk(p);
            else if (/\.ya?ml$/.test(name)) {
                // merge: some upstream CRDs (StackGres SGDbOps, SGDistributedLogs) use `<<: *anchor`.
                for (const doc of parseAllDocuments(readFileSync(p, "utf8"), { merge: true })) {
                    if (doc.errors.length > 0) throw new Error(`${p}: ${doc.errors[0].message}`);
                    const o = doc.toJS() as KubeObject | null;
                    if (o && typeof o === "object" && o.kind) out.push(o);
                }
            }
        }
    };
    walk(dir);
    return out;
}

/** The client. One per server and identity; `as(token)` gives another identity on the same server. */
export class Kube {
    private readonly agent: Agent;
    private readonly resources = new Map<string, Map<string, Resource>>();

    constructor(
        readonly env: KubeEnv,
        private readonly token: string = env.token,
        agent?: Agent,
    ) {
        this.agent = agent ?? new Agent({ ca: env.ca, keepAlive: true, maxSockets: 16 });
    }

    /** The same server as another identity (e.g. a ServiceAccount token), sharing the connection pool. */
    as(token: string): Kube {
        return new Kube(this.env, token, this.agent);
    }

    /** Closes idle connections (call in afterAll). */
    close(): void {
        this.agent.destroy();
    }

    /** One HTTP request; a status outside 2xx (and `allow`) throws a KubeError. */
    request(method: string, path: string, options: RequestOptions = {}): Promise<KubeResponse> {
        const query = Object.entries(options.query ?? {})
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
            .join("&");
        const fullPath = query ? `${path}?${query}` : path;
        const url = new URL(fullPath, this.env.server);
        const payload = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
        const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: "application/json" };
        if (payload !== undefined) {
            headers["Content-Type"] = options.contentType ?? "application/json";
            headers["Content-Length"] = String(Buffer.byteLength(payload));
        }
        return new Promise((resolve, reject) => {
            const req = httpsRequest(url, { method, headers, agent: this.agent }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("error", reject);
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    let body: unknown = text;
                    try {
                        body = text ? JSON.parse(text) : undefined;
                    } catch {
                        // not JSON (e.g. /readyz): keep the text
                    }
                    const raw = res.headers.warning;
                    const warnings = (Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap(splitWarnings);
                    const status = res.statusCode ?? 0;
                    if ((status >= 200 && status < 300) || options.allow?.includes(status)) {
                        resolve({ status, body, warnings });
                        return;
                    }
                    const st = (body && typeof body === "object" ? body : {}) as { reason?: string; message?: string };
                    reject(new KubeError(method, fullPath, status, st.reason ?? res.statusMessage ?? "", st.message ?? text.slice(0, 500), body));
                });
            });
            req.on("error", (e) => reject(new Error(`${method} ${url.href}: ${e.message}`)));
            if (payload !== undefined) req.write(payload);
            req.end();
        });
    }

    /** plural + scope of a kind, from the server's discovery (refreshed once on a miss, for new CRDs). */
    async resource(apiVersion: string, kind: string): Promise<Resource> {
        for (const refresh of [false, true]) {
            let kinds = refresh ? undefined : this.resources.get(apiVersion);
            if (!kinds) {
                const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
                const res = await this.request("GET", path, { allow: [404, 503] });
                kinds = new Map();
                if (res.status === 200) {
                    for (const r of (res.body as { resources: { name: string; kind: string; namespaced: boolean }[] }).resources) {
                        if (!r.name.includes("/")) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced });
                    }
                }
                this.resources.set(apiVersion, kinds);
            }
            const r = kinds.get(kind);
            if (r) return r;
        }
        throw new Error(`the server serves no ${kind} in ${apiVersion} (is its CRD installed and established?)`);
    }

    /** The REST path of a collection (name undefined) or an object. */
    async path(apiVersion: string, kind: string, namespace: string | undefined, name?: string): Promise<string> {
        const r = await this.resource(apiVersion, kind);
        const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        if (r.namespaced && !namespace) throw new Error(`${kind} ${name ?? ""} is namespaced but no namespace was given`);
        const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace!)}` : "";
        return `${base}${ns}/${r.plural}${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;
    }

    /** An object, or undefined when it does not exist. */
    async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
        const res = await this.request("GET", await this.path(ref.apiVersion, ref.kind, ref.namespace, ref.name), { allow: [404] });
        return res.status === 404 ? undefined : (res.body as T);
    }

    /** The objects of a kind (in one namespace, or all namespaces when namespace is undefined). */
    async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace?: string, options: { labelSelector?: string; fieldSelector?: string } = {}): Promise<T[]> {
        const r = await this.resource(apiVersion, kind);
        const path = r.namespaced && namespace ? await this.path(apiVersion, kind, namespace) : `${apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`}/${r.plural}`;
        const res = await this.request("GET", path, { query: options });
        return ((res.body as { items: T[] }).items ?? []).map((o) => ({ ...o, apiVersion, kind }));
    }

    /** POST an object; returns what the server stored (or would store, with dryRun). */
    async create<T extends KubeObject = KubeObject>(obj: KubeObject, options: WriteOptions = {}): Promise<T> {
        const res = await this.request("POST", await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace), {
            body: obj,
            query: { dryRun: options.dryRun ? "All" : undefined },
        });
        options.warnings?.push(...res.warnings);
        return res.body as T;
    }

    /** Deletes an object; false when it did not exist. Foreground/Background propagation as given (server default otherwise). */
    async delete(ref: ObjectRef, options: { propagationPolicy?: "Foreground" | "Background" | "Orphan"; gracePeriodSeconds?: number } = {}): Promise<boolean> {
        const res = await this.request("DELETE", await this.path(ref.apiVersion, ref.kind, ref.namespace, ref.name), {
            body: { kind: "DeleteOptions", apiVersion: "v1", ...options },
            allow: [404],
        });
        return res.status !== 404;
    }

    /** Server-side apply (PATCH application/apply-patch+yaml; JSON is YAML). */
    async apply<T extends KubeObject = KubeObject>(obj: KubeObject, options: ApplyOptions = {}): Promise<T> {
        const res = await this.request("PATCH", await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name), {
            body: obj,
            contentType: "application/apply-patch+yaml",
            query: { fieldManager: options.fieldManager ?? "vaultkit-test", force: options.force ?? true, dryRun: options.dryRun ? "All" : undefined },
        });
        options.warnings?.push(...res.warnings);
        return res.body as T;
    }

    /** Merge-patches the status subresource (what an operator would write). */
    async patchStatus<T extends KubeObject = KubeObject>(ref: ObjectRef, status: unknown): Promise<T> {
        const res = await this.request("PATCH", `${await this.path(ref.apiVersion, ref.kind, ref.namespace, ref.name)}/status`, {
            body: { status },
            contentType: "application/merge-patch+json",
        });
        return res.body as T;
    }

    /** A ServiceAccount token from the TokenRequest API (what the kubelet projects into a pod). */
    async createToken(namespace: string, serviceAccount: string, options: TokenOptions = {}): Promise<{ token: string; expirationTimestamp: string }> {
        const res = await this.request("POST", `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`, {
            body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { audiences: options.audiences ?? [], expirationSeconds: options.expirationSeconds, boundObjectRef: options.boundObjectRef } },
        });
        const status = (res.body as { status: { token: string; expirationTimestamp: string } }).status;
        return { token: status.token, expirationTimestamp: status.expirationTimestamp };
    }

    /** A TokenReview of `token` (what Vault's Kubernetes auth posts), as this client's identity. */
    async reviewToken(token: string, audiences?: string[]): Promise<{ authenticated?: boolean; user?: { username: string; groups?: string[] }; audiences?: string[]; error?: string }> {
        const res = await this.request("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {
            body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token, audiences } },
        });
        return (res.body as { status: { authenticated?: boolean; user?: { username: string; groups?: string[] }; audiences?: string[]; error?: string } }).status;
    }

    /**
     * Installs every CustomResourceDefinition in the YAML under `dir` by server-side apply (client-side
     * apply of StackGres' SGCluster CRD is refused: its last-applied annotation is too long) and waits
     * until each is Established. Returns the CRD names.
     */
    async installCrds(dir: string, options: WaitOptions = {}): Promise<string[]> {
        const crds = readManifests(dir).filter((o) => o.kind === "CustomResourceDefinition");
        if (crds.length === 0) throw new Error(`no CustomResourceDefinition found under ${dir}`);
        await Promise.all(crds.map((c) => this.apply(c, { fieldManager: "vaultkit-crds" })));
        const names = crds.map((c) => c.metadata.name);
        await Promise.all(
            names.map((name) =>
                waitUntil(
                    async () => {
                        const crd = await this.get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name });
                        return crd?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
                    },
                    { what: `CRD ${name} Established`, ...options },
                ),
            ),
        );
        this.resources.clear();
        return names;
    }
}

/** `299 - "message"` warning headers (several may be comma-joined) to their messages. */
function splitWarnings(header: string): string[] {
    const out: string[] = [];
    const re = /\d{3} \S+ "((?:[^"\\]|\\.)*)"/g;
    for (let m = re.exec(header); m; m = re.exec(header)) out.push(m[1].replace(/\\(.)/g, "$1"));
    return out.length > 0 ? out : [header];
}
