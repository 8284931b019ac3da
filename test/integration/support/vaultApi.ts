/**
 * A tiny client for the Vault HTTP API (OpenBao speaks the same API), over Node's own `fetch`.
 * It never throws on an HTTP status: policy tests need the status of denied calls.
 */

export type VaultOp = "read" | "list" | "write" | "delete";

export interface VaultResult {
    status: number;
    /** Parsed JSON body, or undefined for an empty body (204). */
    body: any;
    /** Vault's `errors` array, empty when there is none. */
    errors: string[];
}

const METHOD: Record<VaultOp, string> = { read: "GET", list: "GET", write: "POST", delete: "DELETE" };

export class VaultApi {
    constructor(
        readonly addr: string,
        private readonly token: string,
    ) {}

    /** The same server, another token. */
    withToken(token: string): VaultApi {
        return new VaultApi(this.addr, token);
    }

    async call(op: VaultOp, path: string, body?: unknown): Promise<VaultResult> {
        const clean = path.replace(/^\/+/, "").replace(/^v1\//, "");
        const url = `${this.addr}/v1/${clean}${op === "list" ? "?list=true" : ""}`;
        const res = await fetch(url, {
            method: METHOD[op],
            headers: { "X-Vault-Token": this.token, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        let parsed: any;
        if (text.trim() !== "") {
            try {
                parsed = JSON.parse(text);
            } catch {
                parsed = { raw: text };
            }
        }
        const errors = Array.isArray(parsed?.errors) ? parsed.errors.map(String) : [];
        return { status: res.status, body: parsed, errors };
    }

    read(path: string): Promise<VaultResult> {
        return this.call("read", path);
    }
    list(path: string): Promise<VaultResult> {
        return this.call("list", path);
    }
    write(path: string, body: unknown = {}): Promise<VaultResult> {
        return this.call("write", path, body);
    }
    delete(path: string): Promise<VaultResult> {
        return this.call("delete", path);
    }

    /** Like `call`, but throws unless the status is 2xx (for setup and teardown). */
    async must(op: VaultOp, path: string, body?: unknown): Promise<any> {
        const r = await this.call(op, path, body);
        if (r.status < 200 || r.status > 299) {
            throw new Error(`vault ${op} ${path} -> HTTP ${r.status}: ${r.errors.join("; ") || JSON.stringify(r.body)}`);
        }
        return r.body;
    }

    async policyWrite(name: string, hcl: string): Promise<void> {
        await this.must("write", `sys/policies/acl/${name}`, { policy: hcl });
    }

    /** A fresh token carrying exactly `policies` (plus `default`, as a real login token would). */
    async tokenCreate(policies: string[], ttl = "15m"): Promise<string> {
        const body = await this.must("write", "auth/token/create", { policies, ttl, renewable: false });
        const token = body?.auth?.client_token;
        if (typeof token !== "string" || token === "") {
            throw new Error(`auth/token/create returned no client_token: ${JSON.stringify(body)}`);
        }
        return token;
    }

    async tokenRevoke(token: string): Promise<void> {
        await this.call("write", "auth/token/revoke", { token });
    }

    async mounts(): Promise<Record<string, { type: string }>> {
        const body = await this.must("read", "sys/mounts");
        return (body?.data ?? body) as Record<string, { type: string }>;
    }

    /** Enables a secrets engine at `path`, first disabling whatever a crashed earlier run left there. */
    async mountFresh(path: string, type: string, options?: Record<string, string>): Promise<void> {
        await this.unmount(path);
        await this.must("write", `sys/mounts/${path}`, { type, ...(options ? { options } : {}) });
    }

    async unmount(path: string): Promise<void> {
        const mounts = await this.mounts();
        if (`${path}/` in mounts) {
            await this.must("delete", `sys/mounts/${path}`);
        }
    }
}
