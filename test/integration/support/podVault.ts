/**
 * A Vault dev server that sees what a pod sees: its own mount namespace (`unshare --mount`) with a
 * tmpfs on /run holding /var/run/secrets/kubernetes.io/serviceaccount/{ca.crt,token}, and an
 * /etc/hosts that resolves `kubernetes.default.svc` to loopback, where a fake API server listens.
 * Nothing outside the namespace changes. Needs root or passwordless sudo (`unshare` and `mount`).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VaultApi } from "./vaultApi";

export interface PodVault {
    api: VaultApi;
    stop(): Promise<void>;
}

/** The command prefix that may run `unshare --mount`, or why there is none. */
export function namespaceRunner(): { prefix: string[] } | { missing: string } {
    if (process.getuid?.() === 0) {
        return { prefix: [] };
    }
    const sudo = spawnSync("sudo", ["-n", "true"], { stdio: "ignore" });
    return sudo.status === 0 ? { prefix: ["sudo", "-n"] } : { missing: "neither root nor passwordless sudo (a mount namespace needs one)" };
}

async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

const SCRIPT = [
    "set -e",
    "mount -t tmpfs tmpfs /run",
    "d=/run/secrets/kubernetes.io/serviceaccount",
    "mkdir -p $d",
    'cp "$1/ca.crt" $d/ca.crt',
    'cp "$1/token" $d/token',
    'mount --bind "$1/hosts" /etc/hosts',
    'export HOME="$1" VAULT_DEV_ROOT_TOKEN_ID="$(cat "$1/root-token")"',
    'exec "$2" server -dev -dev-listen-address="127.0.0.1:$3" -dev-no-store-token',
].join("\n");

/** Starts the server with `caPem` and `token` as its pod's service account files. */
export async function startPodVault(opts: { bin: string; prefix: string[]; caPem: string; token: string }): Promise<PodVault> {
    const dir = mkdtempSync(join(tmpdir(), "vaultkit-pod-vault-"));
    const rootToken = `vkpod-${randomBytes(16).toString("hex")}`;
    writeFileSync(join(dir, "ca.crt"), opts.caPem);
    writeFileSync(join(dir, "token"), opts.token, { mode: 0o600 });
    writeFileSync(join(dir, "root-token"), rootToken, { mode: 0o600 });
    writeFileSync(join(dir, "hosts"), `${readFileSync("/etc/hosts", "utf8")}\n127.0.0.1 kubernetes.default.svc\n`);
    const port = await freePort();
    const args = [...opts.prefix, "unshare", "--mount", "--propagation", "private", "sh", "-c", SCRIPT, "pod-vault", dir, opts.bin, String(port)];
    const child: ChildProcess = spawn(args[0]!, args.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const stop = async () => {
        if (child.exitCode === null) {
            child.kill("SIGTERM");
            await exited;
        }
        rmSync(dir, { recursive: true, force: true });
    };
    const api = new VaultApi(`http://127.0.0.1:${port}`, rootToken);
    for (let i = 0; i < 150; i++) {
        if (child.exitCode !== null) {
            await stop();
            throw new Error(`pod Vault exited during startup (code ${child.exitCode}):\n${output}`);
        }
        const ok = await api.read("sys/health").then(
            (r) => r.status === 200,
            () => false,
        );
        if (ok) {
            return { api, stop };
        }
        await new Promise((r) => setTimeout(r, 200));
    }
    await stop();
    throw new Error(`pod Vault did not answer sys/health within 30 s:\n${output}`);
}
