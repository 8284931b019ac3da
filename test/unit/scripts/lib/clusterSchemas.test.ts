/**
 * scripts/lib/clusterSchemas.ts reads a kubeconfig the way kubectl does for the parts it supports:
 * the current or a named context, CA and client certificates inline or as files relative to the
 * kubeconfig, tokens and token files; credential plugins are refused with what to do instead. The
 * reading of a real server's CRDs is in test/kube/schemas-from-cluster.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toYaml } from "../../../../scripts/lib/yaml";
import { clusterAccess } from "../../../../scripts/lib/clusterSchemas";

let dir: string;
beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "vaultkit-kubeconfig-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function kubeconfig(users: Record<string, unknown>[], current = "a"): string {
    const file = path.join(dir, "config");
    fs.writeFileSync(
        file,
        toYaml({
            apiVersion: "v1",
            kind: "Config",
            "current-context": current,
            clusters: [
                { name: "c1", cluster: { server: "https://one.example:6443/", "certificate-authority": "ca.crt" } },
                { name: "c2", cluster: { server: "https://two.example:6443", "certificate-authority-data": Buffer.from("CA-TWO").toString("base64"), "insecure-skip-tls-verify": true } },
            ],
            contexts: [
                { name: "a", context: { cluster: "c1", user: "u0" } },
                ...users.map((_, i) => ({ name: `b${i}`, context: { cluster: "c2", user: `u${i}` } })),
            ],
            users: users.map((user, i) => ({ name: `u${i}`, user })),
        }),
    );
    return file;
}

describe("clusterAccess", () => {
    it("uses the current context: server, CA file relative to the kubeconfig, bearer token", () => {
        fs.writeFileSync(path.join(dir, "ca.crt"), "CA-ONE");
        const a = clusterAccess(kubeconfig([{ token: "t0k3n" }]));
        expect(a).toMatchObject({ server: "https://one.example:6443", context: "a", headers: { Authorization: "Bearer t0k3n" } });
        expect(a.tls.ca!.toString()).toBe("CA-ONE");
        expect(a.tls.rejectUnauthorized).toBe(true);
    });

    it("takes a named context, inline certificates and a token file", () => {
        fs.writeFileSync(path.join(dir, "token"), "from-file\n");
        const file = kubeconfig([{ tokenFile: "token" }, { "client-certificate-data": Buffer.from("CERT").toString("base64"), "client-key-data": Buffer.from("KEY").toString("base64") }]);
        const withToken = clusterAccess(file, "b0");
        expect(withToken.headers.Authorization).toBe("Bearer from-file");
        expect(withToken.tls.ca!.toString()).toBe("CA-TWO");
        expect(withToken.tls.rejectUnauthorized).toBe(false);
        const withCert = clusterAccess(file, "b1");
        expect(withCert.headers.Authorization).toBeUndefined();
        expect([withCert.tls.cert!.toString(), withCert.tls.key!.toString()]).toEqual(["CERT", "KEY"]);
    });

    it("reads $KUBECONFIG (its first file) when no file is given", () => {
        const file = kubeconfig([{ token: "x" }]);
        fs.writeFileSync(path.join(dir, "ca.crt"), "CA-ONE");
        const saved = process.env.KUBECONFIG;
        process.env.KUBECONFIG = [file, "/nonexistent"].join(path.delimiter);
        try {
            expect(clusterAccess().server).toBe("https://one.example:6443");
        } finally {
            if (saved === undefined) delete process.env.KUBECONFIG;
            else process.env.KUBECONFIG = saved;
        }
    });

    it("refuses credential plugins and unknown contexts, saying what to do", () => {
        const file = kubeconfig([{ exec: { command: "aws", args: ["eks", "get-token"] } }]);
        fs.writeFileSync(path.join(dir, "ca.crt"), "CA-ONE");
        expect(() => clusterAccess(file)).toThrow(/credentials from a plugin \(exec\).*a token .* or a client certificate, or --schemas <dir>/);
        expect(() => clusterAccess(file, "nope")).toThrow(/has no context 'nope' \(contexts: a, b0\)/);
        expect(() => clusterAccess(path.join(dir, "missing"))).toThrow(/no kubeconfig at .*missing \(give --kubeconfig, or set KUBECONFIG\)/);
    });
});
