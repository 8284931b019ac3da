/**
 * A fake Kubernetes API server with exactly one endpoint, TokenReview, for testing Vault's
 * Kubernetes auth method without a cluster. It issues JWT-shaped service-account tokens and
 * answers reviews the way kube-apiserver does, as far as Vault's kubernetes auth plugin
 * (vault-plugin-auth-kubernetes v0.23, in Vault v1.21) can tell:
 *
 * - Vault POSTs `/apis/authentication.k8s.io/v1/tokenreviews` with `{"metadata":{...},"spec":
 *   {"token":"<jwt>","audiences":[...]},"status":{...}}` and NO `kind`/`apiVersion` (it marshals a
 *   bare `authv1.TokenReview`); the URL names the type, as on a real API server.
 * - `Authorization: Bearer <reviewer>`: the configured `token_reviewer_jwt`, or (without one) the
 *   presented JWT itself. Only tokens granted with {@link FakeKubernetes.allowTokenReviews} (the
 *   `system:auth-delegator` binding) may create reviews: 401 for an unknown bearer, 403 otherwise.
 * - The answer is a TokenReview (HTTP 201) whose `status` carries `authenticated`, `user.username`
 *   `system:serviceaccount:<ns>:<sa>`, `user.uid` (the service account's UID), `groups`, `extra`, and
 *   `audiences`: the intersection of the token's audiences with the requested ones (the server's
 *   default audiences when the request names none). A token it did not issue, an expired
 *   one, or one whose audiences miss the requested ones gets `authenticated: false` plus `error`.
 *
 * Vault also decodes the JWT's claims itself, without verifying the signature unless `pem_keys` is
 * configured: it needs an RS/ES/PS algorithm, checks `aud` against the role's audience, takes the
 * name, namespace and UID from the `kubernetes.io` claim, and then requires the review's username
 * and UID to match them. So tokens here are real RS256 JWTs with projected-token claims.
 */
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

export const TOKEN_REVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews";
/** What kube-apiserver's `--api-audiences` default to, and the seed's role audience. */
export const DEFAULT_API_AUDIENCES = ["https://kubernetes.default.svc"];
export const DEFAULT_ISSUER = "https://kubernetes.default.svc";

export interface ServiceAccountRef {
    namespace: string;
    name: string;
}

export interface IssueOptions {
    /** `aud` claim. Default: the server's default API audiences. */
    audiences?: string[];
    /** Token lifetime in seconds. Default 3600 (kubelet's projected tokens). */
    lifetimeSeconds?: number;
    /**
     * Claims that lie: the token is registered (and reviewed) as the real service account, but its
     * JWT claims name this one instead. Vault must believe the review, not the claims.
     */
    claimsAs?: ServiceAccountRef;
}

/** One review the server answered, for assertions on what Vault sent. */
export interface TokenReviewRecord {
    /** The `Authorization` header as received. */
    authorization: string | undefined;
    /** The parsed request body. */
    request: any;
    /** HTTP status returned. */
    status: number;
    /** The body returned. */
    response: any;
}

interface Issued {
    sa: ServiceAccountRef;
    uid: string;
    audiences: string[];
    expiresAt: number;
    podName: string;
    podUid: string;
    jti: string;
}

function b64url(data: string | Buffer): string {
    return Buffer.from(data).toString("base64url");
}

/** The claims part of a JWT, decoded (no verification; for assertions). */
export function decodeJwtClaims(jwt: string): Record<string, any> {
    const parts = jwt.split(".");
    if (parts.length !== 3) {
        throw new Error(`not a JWT: ${parts.length} parts`);
    }
    return JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
}

function statusObject(code: number, reason: string, message: string): Record<string, unknown> {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

export class FakeKubernetes {
    /** Every review answered, in order. */
    readonly reviews: TokenReviewRecord[] = [];
    /** Requests to anything but the TokenReview endpoint (should stay empty). */
    readonly otherRequests: { method: string; url: string }[] = [];

    private readonly tokens = new Map<string, Issued>();
    private readonly reviewers = new Set<string>();
    private readonly saUids = new Map<string, string>();
    private readonly privateKey: KeyObject;
    private readonly keyId: string;

    private constructor(
        private readonly server: http.Server,
        readonly url: string,
        keys: { privateKey: KeyObject; publicKey: KeyObject },
        readonly apiAudiences: string[],
    ) {
        this.privateKey = keys.privateKey;
        this.keyId = createHash("sha256").update(keys.publicKey.export({ type: "spki", format: "der" })).digest("base64url");
    }

    /** Starts the server on 127.0.0.1 on a random free port. */
    static async start(opts: { apiAudiences?: string[]; tls?: { cert: string; key: string } } = {}): Promise<FakeKubernetes> {
        const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
        // HTTPS like a real API server when given a certificate (Vault must then trust its CA).
        const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }) : http.createServer();
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolve());
        });
        const { port } = server.address() as AddressInfo;
        const self = new FakeKubernetes(server, `${opts.tls ? "https" : "http"}://127.0.0.1:${port}`, keys, opts.apiAudiences ?? DEFAULT_API_AUDIENCES);
        server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
            self.handle(req, res).catch((err) => {
                if (!res.headersSent) {
                    res.writeHead(500, { "Content-Type": "application/json" });
                }
                res.end(JSON.stringify(statusObject(500, "InternalError", String(err))));
            });
        });
        return self;
    }

    async close(): Promise<void> {
        await new Promise<void>((resolve) => {
            this.server.close(() => resolve());
            this.server.closeAllConnections(); // Vault keeps its connections alive
        });
    }

    /** The UID of a service account (stable for the life of this server, like a real object's). */
    uidOf(sa: ServiceAccountRef): string {
        const key = `${sa.namespace}/${sa.name}`;
        let uid = this.saUids.get(key);
        if (!uid) {
            uid = randomUUID();
            this.saUids.set(key, uid);
        }
        return uid;
    }

    /** Issues a token the API server knows (like a kubelet-projected service-account token). */
    issue(sa: ServiceAccountRef, opts: IssueOptions = {}): string {
        const issued: Issued = {
            sa,
            uid: this.uidOf(sa),
            audiences: opts.audiences ?? [...this.apiAudiences],
            expiresAt: Math.floor(Date.now() / 1000) + (opts.lifetimeSeconds ?? 3600),
            podName: `${sa.name}-${randomUUID().slice(0, 8)}`,
            podUid: randomUUID(),
            jti: randomUUID(),
        };
        const claimed = opts.claimsAs ?? sa;
        const jwt = this.signJwt(claimed, claimed === sa ? issued.uid : this.uidOf(claimed), issued);
        this.tokens.set(jwt, issued);
        return jwt;
    }

    /** Lets the holder of `token` create TokenReviews (a `system:auth-delegator` binding). */
    allowTokenReviews(token: string): void {
        if (!this.tokens.has(token)) {
            throw new Error("allowTokenReviews: not a token this server issued");
        }
        this.reviewers.add(token);
    }

    /** The reviews whose `spec.token` was `token`. */
    reviewsOf(token: string): TokenReviewRecord[] {
        return this.reviews.filter((r) => r.request?.spec?.token === token);
    }

    private signJwt(sa: ServiceAccountRef, uid: string, t: Issued, key: KeyObject = this.privateKey): string {
        const now = Math.floor(Date.now() / 1000);
        const header = { alg: "RS256", kid: this.keyId };
        const claims = {
            aud: t.audiences,
            exp: t.expiresAt,
            iat: now,
            nbf: now,
            iss: DEFAULT_ISSUER,
            jti: t.jti,
            "kubernetes.io": {
                namespace: sa.namespace,
                node: { name: "fake-node-0", uid: randomUUID() },
                pod: { name: t.podName, uid: t.podUid },
                serviceaccount: { name: sa.name, uid },
                warnafter: now + 3000,
            },
            sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
        };
        const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
        const signature = sign("RSA-SHA256", Buffer.from(signingInput), key);
        return `${signingInput}.${b64url(signature)}`;
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const c of req) {
            chunks.push(c as Buffer);
        }
        const send = (status: number, body: unknown) => {
            res.writeHead(status, { "Content-Type": "application/json" });
            res.end(JSON.stringify(body));
        };
        const path = (req.url ?? "").split("?")[0];
        if (req.method !== "POST" || path !== TOKEN_REVIEW_PATH) {
            this.otherRequests.push({ method: req.method ?? "", url: req.url ?? "" });
            send(404, statusObject(404, "NotFound", "the server could not find the requested resource"));
            return;
        }
        const authorization = req.headers.authorization;
        const record: TokenReviewRecord = { authorization, request: undefined, status: 0, response: undefined };
        this.reviews.push(record);
        const answer = (status: number, body: unknown) => {
            record.status = status;
            record.response = body;
            send(status, body);
        };

        try {
            record.request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
            answer(400, statusObject(400, "BadRequest", "the request body is not JSON"));
            return;
        }

        // Authentication and authorization of the caller (the reviewer).
        const bearer = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
        const caller = bearer ? this.valid(bearer, this.apiAudiences) : undefined;
        if (!bearer || !caller?.ok) {
            answer(401, statusObject(401, "Unauthorized", "Unauthorized"));
            return;
        }
        if (!this.reviewers.has(bearer)) {
            const who = `system:serviceaccount:${caller.issued.sa.namespace}:${caller.issued.sa.name}`;
            answer(403, statusObject(403, "Forbidden", `tokenreviews.authentication.k8s.io is forbidden: User "${who}" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope`));
            return;
        }

        const body = record.request;
        if ((body.kind !== undefined && body.kind !== "TokenReview") || (body.apiVersion !== undefined && body.apiVersion !== "authentication.k8s.io/v1")) {
            answer(400, statusObject(400, "BadRequest", `expected TokenReview authentication.k8s.io/v1, got ${body.kind} ${body.apiVersion}`));
            return;
        }
        const token = body.spec?.token;
        if (typeof token !== "string" || token === "") {
            answer(422, statusObject(422, "Invalid", "TokenReview.authentication.k8s.io is invalid: spec.token: Required value"));
            return;
        }
        const requested: string[] = Array.isArray(body.spec?.audiences) && body.spec.audiences.length > 0 ? body.spec.audiences : this.apiAudiences;
        const result = this.valid(token, requested);
        const spec = { token, ...(Array.isArray(body.spec?.audiences) ? { audiences: body.spec.audiences } : {}) };
        const base = { kind: "TokenReview", apiVersion: "authentication.k8s.io/v1", metadata: { creationTimestamp: null }, spec };
        if (!result.ok) {
            answer(201, { ...base, status: { authenticated: false, user: {}, error: result.error } });
            return;
        }
        const { sa, uid, podName, podUid, jti } = result.issued;
        answer(201, {
            ...base,
            status: {
                authenticated: true,
                user: {
                    username: `system:serviceaccount:${sa.namespace}:${sa.name}`,
                    uid,
                    groups: ["system:serviceaccounts", `system:serviceaccounts:${sa.namespace}`, "system:authenticated"],
                    extra: {
                        "authentication.kubernetes.io/credential-id": [`JTI=${jti}`],
                        "authentication.kubernetes.io/pod-name": [podName],
                        "authentication.kubernetes.io/pod-uid": [podUid],
                    },
                },
                audiences: result.audiences,
            },
        });
    }

    /** Whether `token` authenticates for any of `audiences` (kube-apiserver's audience-aware check). */
    private valid(token: string, audiences: string[]): { ok: true; issued: Issued; audiences: string[] } | { ok: false; error: string } {
        const issued = this.tokens.get(token);
        if (!issued) {
            return { ok: false, error: "[invalid bearer token, square/go-jose: error in cryptographic primitive]" };
        }
        if (issued.expiresAt <= Math.floor(Date.now() / 1000)) {
            return { ok: false, error: "[invalid bearer token, service account token has expired]" };
        }
        const both = issued.audiences.filter((a) => audiences.includes(a));
        if (both.length === 0) {
            return {
                ok: false,
                error: `[invalid bearer token, token audiences ${JSON.stringify(issued.audiences)} is invalid for the target audiences ${JSON.stringify(audiences)}]`,
            };
        }
        return { ok: true, issued, audiences: both };
    }
}
