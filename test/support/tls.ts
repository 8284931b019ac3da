/**
 * Throw-away X.509 material for tests, made by the `openssl` CLI (Node has no certificate builder):
 * a self-signed CA and a server certificate it signs, like an OpenShift router's ingress CA and
 * its wildcard certificate. Everything lives in a temporary directory that `dispose` removes.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCa {
    /** The CA certificate's file and PEM. */
    caFile: string;
    caPem: string;
    /** A server certificate for the given names, signed by the CA, and its key (PEM). */
    serverCertPem: string;
    serverKeyPem: string;
    dispose(): void;
}

/** A CA named `caName` and a server certificate for `serverNames` (DNS names or IPv4 addresses). */
export function testCa(caName: string, serverNames: string[] = ["localhost", "127.0.0.1"]): TestCa {
    const dir = mkdtempSync(join(tmpdir(), "vaultkit-tls-"));
    const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    const san = serverNames.map((n) => (/^[0-9.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
    writeFileSync(join(dir, "server.ext"), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
    openssl(["req", "-x509", ...ecKey, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", `/CN=${caName}`]);
    openssl(["req", ...ecKey, "-keyout", "server.key", "-out", "server.csr", "-subj", `/CN=${serverNames[0]}`]);
    openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "1", "-extfile", "server.ext"]);
    const read = (f: string) => readFileSync(join(dir, f), "utf8");
    return {
        caFile: join(dir, "ca.crt"),
        caPem: read("ca.crt"),
        serverCertPem: read("server.crt"),
        serverKeyPem: read("server.key"),
        dispose: () => rmSync(dir, { recursive: true, force: true }),
    };
}
