/**
 * A real HA Vault for the kube tier: N servers of the Vault-API binary (scripts/build-openbao.sh) in
 * one Raft cluster on loopback, non-dev (sealed and uninitialised at start), TLS on every listener
 * with a certificate for the in-cluster member names `<release>-<i>.<release>-internal.<ns>.svc`,
 * and `retry_join` to every member, as vault-helm's HA values configure the pods
 * (components/vault/vaultHelmValues.ts raftServerConfig). Only the addresses differ: each member
 * listens on its own loopback port, and `vaultCliShim` stands in for cluster DNS and the Service.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testCa, type TestCa } from "../../support/tls";
import { kubeRequired } from "./kube";

/** The Vault-API server binary (VAULTKIT_BAO_BIN, set by scripts/test-kube.sh); fails when the tier must run. */
export function vaultBinary(): string | undefined {
    const bin = process.env.VAULTKIT_BAO_BIN;
    if (!bin) {
        if (kubeRequired()) throw new Error("kube tier: VAULTKIT_BAO_BIN is unset (scripts/test-kube.sh exports it from scripts/build-openbao.sh)");
        return undefined;
    }
    const r = spawnSync(bin, ["version"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`kube tier: VAULTKIT_BAO_BIN=${bin} does not run: ${r.error?.message ?? r.stderr}`);
    return bin;
}

/**
 * `count` free loopback ports: consecutive from VAULTKIT_KUBE_RAFT_PORT + `offset` when that is set
 * (a range of ports of one's own), else found by binding :0.
 */
export async function freePorts(count: number, offset = 0): Promise<number[]> {
    const base = Number(process.env.VAULTKIT_KUBE_RAFT_PORT ?? "");
    if (base > 0) return Array.from({ length: count }, (_, i) => base + offset + i);
    const ports: number[] = [];
    const servers = await Promise.all(
        Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
            const s = createServer();
            s.listen(0, "127.0.0.1", () => resolve(s));
        })),
    );
    for (const s of servers) {
        ports.push((s.address() as { port: number }).port);
        await new Promise((r) => s.close(r));
    }
    return ports;
}

export interface RaftMember {
    /** `<release>-<i>.<release>-internal.<ns>.svc`: the name the certificate covers. */
    host: string;
    /** Loopback API port. */
    port: number;
}

/** What a member's server config and environment get besides Raft and TLS. */
export interface RaftOptions {
    releaseName: string;
    namespace: string;
    replicas: number;
    /** An HCL `seal` stanza (auto-unseal), appended as vault-helm appends `vault.sealConfig`. */
    sealStanza?: string;
    /** Environment the seal reads (what `vault.sealSecretEnv` puts in the pods). */
    sealEnv?: Record<string, string>;
    /** Where in VAULTKIT_KUBE_RAFT_PORT's range this cluster's ports start (2 per member). */
    portOffset?: number;
}

export class VaultRaftCluster {
    readonly dir = mkdtempSync(join(tmpdir(), "vaultkit-raft-"));
    readonly members: RaftMember[] = [];
    readonly ca: TestCa;
    private readonly procs: ChildProcess[] = [];
    private stopped = false;

    private constructor(
        readonly bin: string,
        readonly releaseName: string,
        readonly namespace: string,
        readonly replicas: number,
    ) {
        const hosts = Array.from({ length: replicas }, (_, i) => `${releaseName}-${i}.${releaseName}-internal.${namespace}.svc`);
        this.ca = testCa(`${releaseName}-ca`, [...hosts, "127.0.0.1"]);
    }

    /** Starts the members (sealed, not initialised) and waits until each answers over TLS. */
    static async start(bin: string, opts: RaftOptions): Promise<VaultRaftCluster> {
        const c = new VaultRaftCluster(bin, opts.releaseName, opts.namespace, opts.replicas);
        try {
            await c.boot(opts);
        } catch (e) {
            c.stop();
            throw e;
        }
        return c;
    }

    private async boot(opts: RaftOptions): Promise<void> {
        const ports = await freePorts(2 * this.replicas, opts.portOffset);
        writeFileSync(join(this.dir, "tls.crt"), this.ca.serverCertPem);
        writeFileSync(join(this.dir, "tls.key"), this.ca.serverKeyPem, { mode: 0o600 });
        writeFileSync(join(this.dir, "ca.crt"), this.ca.caPem);
        for (let i = 0; i < this.replicas; i++) {
            this.members.push({ host: `${this.releaseName}-${i}.${this.releaseName}-internal.${this.namespace}.svc`, port: ports[i]! });
        }
        for (let i = 0; i < this.replicas; i++) {
            const api = ports[i]!;
            const cluster = ports[this.replicas + i]!;
            const data = join(this.dir, `raft-${i}`);
            mkdirSync(data);
            const joins = this.members.map((m) =>
                [
                    `  retry_join {`,
                    `    leader_api_addr       = "https://127.0.0.1:${m.port}"`,
                    `    leader_tls_servername = "${m.host}"`,
                    `    leader_ca_cert_file   = "${this.dir}/ca.crt"`,
                    `  }`,
                ].join("\n"),
            );
            const config = [
                `storage "raft" {`,
                `  path    = "${data}"`,
                `  node_id = "${this.releaseName}-${i}"`,
                ...joins,
                `}`,
                `listener "tcp" {`,
                `  address         = "127.0.0.1:${api}"`,
                `  cluster_address = "127.0.0.1:${cluster}"`,
                `  tls_cert_file   = "${this.dir}/tls.crt"`,
                `  tls_key_file    = "${this.dir}/tls.key"`,
                `}`,
                `api_addr      = "https://127.0.0.1:${api}"`,
                `cluster_addr  = "https://127.0.0.1:${cluster}"`,
                `disable_mlock = true`,
                opts.sealStanza?.trim() ?? "",
                ``,
            ].join("\n");
            const file = join(this.dir, `member-${i}.hcl`);
            writeFileSync(file, config);
            const log = join(this.dir, `member-${i}.log`);
            writeFileSync(log, "");
            const proc = spawn(this.bin, ["server", `-config=${file}`], {
                env: { PATH: process.env.PATH, HOME: this.dir, ...opts.sealEnv },
                stdio: ["ignore", "pipe", "pipe"],
            });
            const append = (d: Buffer) => {
                if (!this.stopped) writeFileSync(log, d, { flag: "a" });
            };
            proc.stdout!.on("data", append);
            proc.stderr!.on("data", append);
            this.procs.push(proc);
        }
        for (let i = 0; i < this.replicas; i++) {
            // Generous: a 360 MB binary starting three times on a loaded 2-core machine.
            const deadline = Date.now() + 180_000;
            // `vault status`: 2 = sealed (what a fresh member is), 0 = unsealed, 1 = no answer.
            while (this.cli(i, ["status"]).status === 1) {
                const exited = this.procs[i]!.exitCode;
                if (exited !== null || Date.now() > deadline) {
                    throw new Error(`Vault member ${i} ${exited !== null ? `exited (${exited})` : "did not answer within 180 s"}; log:\n${this.log(i).slice(-3000)}`);
                }
                await new Promise((r) => setTimeout(r, 500));
            }
        }
    }

    /** The member's server log. */
    log(i: number): string {
        return readFileSync(join(this.dir, `member-${i}.log`), "utf8");
    }

    /**
     * Runs the Vault CLI against member `i` over TLS, verified against the cluster's CA for the
     * member's name: `vault <command...> <flags> <positional...>` (Vault wants flags first).
     */
    cli(i: number, command: string[], positional: string[] = [], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
        const m = this.members[i]!;
        const r = spawnSync(this.bin, [...command, `-address=https://127.0.0.1:${m.port}`, `-ca-cert=${this.dir}/ca.crt`, `-tls-server-name=${m.host}`, ...positional], {
            encoding: "utf8",
            env: { PATH: process.env.PATH, HOME: this.dir, VAULT_CLIENT_TIMEOUT: "10s", ...env },
        });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    }

    /**
     * A `vault` for the bootstrap Job's scripts: the cluster's DNS and headless Service for this test.
     * It maps `-address=https://<member host>:8200` to the member's loopback port and verifies TLS for
     * the member's name, then runs the real CLI; every call's arguments go to `callsFile`.
     */
    vaultCliShim(dir: string, callsFile: string): void {
        const cases = this.members
            .map((m) => `    -address=https://${m.host}:8200) export VAULT_TLS_SERVER_NAME=${m.host}; a=-address=https://127.0.0.1:${m.port};;`)
            .join("\n");
        const shim = ["#!/bin/sh", `echo "$*" >> '${callsFile}'`, "for a do", "  shift", '  case "$a" in', cases, "  esac", '  set -- "$@" "$a"', "done", `exec '${this.bin}' "$@"`, ""].join("\n");
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "vault"), shim, { mode: 0o755 });
    }

    stop(): void {
        this.stopped = true;
        for (const p of this.procs) p.kill("SIGKILL");
        this.ca.dispose();
        rmSync(this.dir, { recursive: true, force: true });
    }
}

/**
 * The Vault a transit seal unseals with (docs/ha-vault.md's `vault-unseal.example.com`): a dev server
 * of the same binary on loopback with the transit engine and one key. It also listens on `port + 1`
 * (the dev server's cluster listener).
 */
export class TransitUnsealer {
    readonly dir = mkdtempSync(join(tmpdir(), "vaultkit-transit-"));
    readonly token = `transit-${Date.now().toString(36)}-${process.pid}`;
    readonly keyName = "vaultkit-autounseal";
    private proc?: ChildProcess;

    private constructor(
        readonly bin: string,
        readonly port: number,
    ) {}

    get address(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    static async start(bin: string, port: number): Promise<TransitUnsealer> {
        const t = new TransitUnsealer(bin, port);
        t.proc = spawn(bin, ["server", "-dev", `-dev-listen-address=127.0.0.1:${port}`, "-dev-no-store-token"], {
            env: { PATH: process.env.PATH, HOME: t.dir, VAULT_DEV_ROOT_TOKEN_ID: t.token },
            stdio: "ignore",
        });
        const deadline = Date.now() + 180_000;
        while (t.cli(["status"]).status !== 0) {
            if (Date.now() > deadline) {
                t.stop();
                throw new Error(`the transit Vault on ${t.address} did not answer within 180 s`);
            }
            await new Promise((r) => setTimeout(r, 300));
        }
        for (const args of [["secrets", "enable", "transit"], ["write", "-f", `transit/keys/${t.keyName}`]]) {
            const r = t.cli(args);
            if (r.status !== 0) {
                t.stop();
                throw new Error(`vault ${args.join(" ")}: ${r.stderr}`);
            }
        }
        return t;
    }

    /** The seal stanza the members use, without the token (it comes from VAULT_TOKEN, as vault.sealSecretEnv gives it). */
    sealStanza(): string {
        return `seal "transit" {\n  address    = "${this.address}"\n  key_name   = "${this.keyName}"\n  mount_path = "transit/"\n}\n`;
    }

    cli(args: string[]): { status: number | null; stderr: string } {
        const r = spawnSync(this.bin, args, { encoding: "utf8", env: { PATH: process.env.PATH, HOME: this.dir, VAULT_ADDR: this.address, VAULT_TOKEN: this.token } });
        return { status: r.status, stderr: r.stderr };
    }

    stop(): void {
        this.proc?.kill("SIGKILL");
        rmSync(this.dir, { recursive: true, force: true });
    }
}
