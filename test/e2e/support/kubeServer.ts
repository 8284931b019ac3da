/**
 * The kube tier's API server (scripts/kube-test-server.sh, with kube-controller-manager) owned by one
 * e2e test file: started in a private state dir on free ports, stopped at the end, and — for the
 * fault tests — its kube-apiserver stopped and started again on the same etcd data.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Kube, waitUntil, type KubeEnv } from "../../kube/support/kube";
import { REPO_ROOT } from "./engine";

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, "scripts", "kube-test-server.sh");

/** True when kube-controller-manager's /healthz on loopback answers "ok" (its serving cert is self-signed). */
function healthz(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const req = https.get({ host: "127.0.0.1", port, path: "/healthz", rejectUnauthorized: false, timeout: 2_000 }, (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString()));
            res.on("end", () => resolve(res.statusCode === 200 && body === "ok"));
        });
        req.on("error", () => resolve(false));
        req.on("timeout", () => req.destroy());
    });
}

/** Where the binaries are (scripts/build-kube.sh --path), and which are missing. */
export function missingKubeBinaries(): { dir: string; missing: string[] } {
    const dir = process.env.VAULTKIT_KUBE_BIN ?? execFileSync("bash", [join(REPO_ROOT, "scripts", "build-kube.sh"), "--path"], { encoding: "utf8" }).trim();
    return { dir, missing: ["etcd", "kube-apiserver", "kube-controller-manager"].filter((b) => !existsSync(join(dir, b))) };
}

export interface KubeServer {
    env: KubeEnv;
    /** The admin kubeconfig (what the Pulumi program's Kubernetes provider reads through KUBECONFIG). */
    kubeconfig: string;
    /** An admin client. */
    kube: Kube;
    /** Stops kube-apiserver only (etcd and the controller-manager keep running). */
    stopApiServer(): Promise<void>;
    /**
     * Starts kube-apiserver again with the same flags (same etcd data); once /readyz answers, restarts
     * kube-controller-manager as a real control plane would; resolves once both are healthy.
     */
    startApiServer(): Promise<void>;
    /** Stops everything and removes the state dir. */
    stop(): Promise<void>;
}

/** Starts etcd + kube-apiserver + kube-controller-manager; VAULTKIT_KUBE_PORT etc. pass through. */
export async function startKubeServer(label: string): Promise<KubeServer> {
    const dir = mkdtempSync(join(tmpdir(), `vaultkit-kube-${label}-`));
    const scriptEnv = { ...process.env, VAULTKIT_KUBE_DIR: dir, VAULTKIT_KUBE_CONTROLLERS: "1" };
    const stop = async (): Promise<void> => {
        await run("bash", [SCRIPT, "stop"], { env: scriptEnv });
    };
    try {
        await run("bash", [SCRIPT, "start"], { env: scriptEnv, timeout: 300_000 });
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        // The start's error is the one to report; a failed stop after it is only noted.
        await stop().catch((s) => console.warn(`[e2e] kube-test-server stop after a failed start: ${(s as Error).message}`));
        throw new Error(`kube-test-server.sh start failed: ${err.stderr?.trim() || err.message}`);
    }
    const vars: Record<string, string> = {};
    for (const line of readFileSync(join(dir, "kube.env"), "utf8").split("\n")) {
        const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
        if (m) vars[m[1]!] = m[2]!;
    }
    const env: KubeEnv = {
        server: vars.VAULTKIT_KUBE_SERVER!,
        ca: readFileSync(vars.VAULTKIT_KUBE_CA_FILE!, "utf8"),
        caFile: vars.VAULTKIT_KUBE_CA_FILE!,
        token: vars.VAULTKIT_KUBE_TOKEN!,
        dir,
    };
    const kube = new Kube(env);
    const pidFile = join(dir, "kube-apiserver.pid");
    let argv: string[] | undefined;

    /** Stops the process in `pidFile` (SIGTERM, then SIGKILL after 20 s) and returns its command line. */
    async function stopProcess(pidFile: string, what: string): Promise<string[]> {
        const pid = Number(readFileSync(pidFile, "utf8").trim());
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a) => a !== "");
        const gone = () => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] === "Z";
        process.kill(pid, "SIGTERM");
        // A graceful stop drains open requests (the provider's watches among them); then it is killed.
        await waitUntil(gone, { timeoutMs: 20_000, what: `${what} to exit` }).catch(() => process.kill(pid, "SIGKILL"));
        await waitUntil(gone, { timeoutMs: 10_000, what: `${what} to exit after SIGKILL` });
        return cmdline;
    }

    /** Starts `cmdline` detached, logging to `<name>.log` and writing `<name>.pid` in the state dir as the script does. */
    function startProcess(name: string, cmdline: string[]): void {
        const log = openSync(join(dir, `${name}.log`), "a");
        const child = spawn(cmdline[0]!, cmdline.slice(1), { detached: true, stdio: ["ignore", log, log] });
        closeSync(log);
        child.unref();
        writeFileSync(join(dir, `${name}.pid`), `${child.pid}\n`);
    }

    return {
        env,
        kubeconfig: vars.KUBECONFIG!,
        kube,
        async stopApiServer() {
            argv = await stopProcess(pidFile, "kube-apiserver");
        },
        async startApiServer() {
            if (!argv) throw new Error("startApiServer: the API server was not stopped by stopApiServer");
            startProcess("kube-apiserver", argv);
            await waitUntil(async () => (await kube.request("GET", "/readyz", { allow: [500, 503] })).body === "ok", { timeoutMs: 120_000, intervalMs: 300, what: "kube-apiserver /readyz after the restart" });
            // A real control plane's kube-controller-manager runs with leader election: an API server gone for
            // longer than the lease's renew deadline (10 s) makes it exit, and the kubelet starts it again. Here it
            // runs without (one instance, no kubelet), and its informers did not always recover: under load, a
            // ReplicaSet's status stayed stale for 20 minutes after the restart, so the provider waited on a
            // Deployment whose pods were long ready. Restart it, as the real control plane would.
            const cm = await stopProcess(join(dir, "kube-controller-manager.pid"), "kube-controller-manager");
            startProcess("kube-controller-manager", cm);
            const port = cm.find((a) => a.startsWith("--secure-port="))?.split("=")[1];
            if (!port) throw new Error(`startApiServer: no --secure-port in kube-controller-manager's command line: ${cm.join(" ")}`);
            await waitUntil(() => healthz(Number(port)), { timeoutMs: 120_000, intervalMs: 300, what: "kube-controller-manager /healthz after the restart" });
        },
        async stop() {
            kube.close();
            await stop();
        },
    };
}
