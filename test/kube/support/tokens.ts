/**
 * Service-account tokens the TokenRequest API cannot issue: one that has already expired (the API
 * refuses `expirationSeconds` below 600, and the kube-apiserver flag
 * `--service-account-max-token-expiration` bounds the maximum, not the minimum), and one signed by a
 * key the API server does not trust. Both start from a real token of the server and change only
 * what the test is about; the expired one is signed with the server's own key (`sa.key` in the kube
 * test server's state dir), so a copy with the original times is accepted (the control).
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeEnv } from "./kube";

type Json = Record<string, any>;

function part(jwt: string, i: number): Json {
    const parts = jwt.split(".");
    if (parts.length !== 3) {
        throw new Error(`not a JWT: ${parts.length} parts`);
    }
    return JSON.parse(Buffer.from(parts[i]!, "base64url").toString("utf8"));
}

/** The header and claims of a JWT (not verified). */
export function decodeJwt(jwt: string): { header: Json; claims: Json } {
    return { header: part(jwt, 0), claims: part(jwt, 1) };
}

/** An RS256 JWT with `header` and `claims`, signed with `key`. */
export function signJwt(header: Json, claims: Json, key: KeyObject | string): string {
    const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
    return `${input}.${sign("RSA-SHA256", Buffer.from(input), key).toString("base64url")}`;
}

/** The private key the test kube-apiserver signs service-account tokens with. */
export function serviceAccountSigningKey(env: KubeEnv): string {
    return readFileSync(join(env.dir, "sa.key"), "utf8");
}

/**
 * `jwt` re-issued with its lifetime moved to start `shiftSeconds` from now (negative: in the past)
 * and a fresh `jti`, everything else (issuer, audience, service account name and UID, header `kid`)
 * unchanged.
 */
export function reissued(jwt: string, key: KeyObject | string, shiftSeconds: number): string {
    const { header, claims } = decodeJwt(jwt);
    const lifetime = claims.exp - claims.iat;
    const iat = Math.floor(Date.now() / 1000) + shiftSeconds;
    return signJwt(header, { ...claims, iat, nbf: iat, exp: iat + lifetime, jti: randomUUID() }, key);
}

/** `jwt` with its claims unchanged but signed by a fresh key the API server has never seen. */
export function forged(jwt: string): string {
    const { header, claims } = decodeJwt(jwt);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return signJwt(header, { ...claims, jti: randomUUID() }, privateKey);
}
