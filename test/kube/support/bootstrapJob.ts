/**
 * The HA bootstrap Job of a stack (components/vault/vaultBootstrap.ts), run outside a pod the way
 * its pod runs it: the stack is built under the mock engine (call `setupMocks` first); the Job's four
 * steps run in the pod's order with the pod's environment. The kubectl steps (preflight, store) run
 * with a real `kubectl` as the Job's ServiceAccount, whose Role and RoleBinding are the stack's,
 * applied to the real kube-apiserver; the Vault steps (init, wait-unsealed) get no API token and run
 * the real Vault CLI against a real Raft Vault (./vaultRaft.ts). The PGP ConfigMap's files and the
 * TLS Secret's `ca.crt` are written where the pod mounts them, moved under a temporary directory.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StackConfig } from "../../../stacks/config";
import { one, registrations, settle } from "../../support/mocks";
import { RunningScript, ServiceAccountKubeconfig, gateRbac, runScript } from "./gateJobs";
import { Kube, type KubeObject, type ObjectRef } from "./kube";
import { VaultRaftCluster } from "./vaultRaft";

export type Step = "preflight" | "init" | "store" | "wait-unsealed";

/** Vault's `operator init -format=json` output with PGP keys: every share and the root token are base64 PGP messages. */
export interface InitOutput {
    unseal_keys_b64: string[];
    unseal_keys_hex: string[];
    unseal_shares: number;
    unseal_threshold: number;
    recovery_keys_b64: string[];
    recovery_keys_hex: string[];
    recovery_keys_shares: number;
    recovery_keys_threshold: number;
    root_token: string;
}

export class BootstrapJobRun {
    /** Everything any step printed, for leak checks. */
    readonly printed: string[] = [];
    readonly secret: ObjectRef;
    private readonly dir = mkdtempSync(join(tmpdir(), "vaultkit-ha-boot-"));
    private readonly calls = join(this.dir, "vault-calls");
    private scripts!: Record<Step, string>;
    private paths!: typeof import("../../../components/vault/vaultBootstrapScripts").BOOTSTRAP_PATHS;
    private waiting?: RunningScript;
    /** The stack's RBAC objects for the Job, as applied. */
    rbac: KubeObject[] = [];
    sa!: ServiceAccountKubeconfig;
    vault!: VaultRaftCluster;

    private constructor(
        readonly kube: Kube,
        readonly config: StackConfig,
    ) {
        this.secret = { apiVersion: "v1", kind: "Secret", namespace: config.vault.namespace, name: `${config.vault.releaseName}-init-encrypted` };
    }

    get namespace(): string {
        return this.config.vault.namespace;
    }

    /**
     * Builds the stack (the mock engine's record cleared first), starts its Raft Vault (sealed, not
     * initialised), creates its namespace and the Job's RBAC.
     */
    static async prepare(kube: Kube, config: StackConfig, opts: { bin: string; run: string; sealEnv?: Record<string, string>; portOffset?: number }): Promise<BootstrapJobRun> {
        const b = new BootstrapJobRun(kube, config);
        try {
            await b.setUp(opts);
        } catch (e) {
            await b.stop();
            throw e;
        }
        return b;
    }

    private async setUp(opts: { bin: string; run: string; sealEnv?: Record<string, string>; portOffset?: number }): Promise<void> {
        for (const d of ["work", "pgp", "tls", "bin", "home"]) mkdirSync(join(this.dir, d));
        writeFileSync(this.calls, "");
        const { buildStack } = await import("../../../stacks");
        this.paths = (await import("../../../components/vault/vaultBootstrapScripts")).BOOTSTRAP_PATHS;
        registrations.length = 0;
        buildStack(this.config);
        await settle();
        const prefix = `${this.config.vault.releaseName}-bootstrap`;
        const pod = one("kubernetes:batch/v1:Job", `${prefix}-job`).inputs.spec.template.spec;
        const containers: { name: Step; command: string[] }[] = [...pod.initContainers, ...pod.containers];
        if (containers.map((c) => c.name).join(",") !== "preflight,init,store,wait-unsealed") {
            throw new Error(`unexpected bootstrap containers: ${containers.map((c) => c.name).join(", ")}`);
        }
        this.scripts = Object.fromEntries(containers.map((c) => [c.name, c.command[2]!])) as Record<Step, string>;
        for (const [file, content] of Object.entries(one("kubernetes:core/v1:ConfigMap", `${prefix}-pgp-keys`).inputs.data as Record<string, string>)) {
            writeFileSync(join(this.dir, "pgp", file), content);
        }

        this.vault = await VaultRaftCluster.start(opts.bin, {
            releaseName: this.config.vault.releaseName,
            namespace: this.namespace,
            replicas: this.config.vault.haReplicas,
            sealStanza: this.config.vault.sealConfig,
            sealEnv: opts.sealEnv,
            portOffset: opts.portOffset,
        });
        writeFileSync(join(this.dir, "tls", "ca.crt"), this.vault.ca.caPem);
        this.vault.vaultCliShim(join(this.dir, "bin"), this.calls);

        await this.kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: this.namespace } });
        const gate = gateRbac(prefix, opts.run);
        this.rbac = gate.objects;
        for (const o of this.rbac) await this.kube.apply(o);
        this.sa = await ServiceAccountKubeconfig.create(this.kube, this.namespace, gate.serviceAccount);
    }

    /** A step's script with the pod's mount paths moved under this run's directory. */
    private local(step: Step): string {
        const p = this.paths;
        return this.scripts[step].split(p.work).join(join(this.dir, "work")).split(p.pgp).join(join(this.dir, "pgp")).split(p.tlsDir).join(join(this.dir, "tls"));
    }

    /** Starts one step as its container would: kubectl steps with the ServiceAccount's token, Vault steps with none. */
    start(step: Step): RunningScript {
        const r =
            step === "preflight" || step === "store"
                ? runScript(this.local(step), this.sa, { POD_NAMESPACE: this.namespace })
                : runScript(this.local(step), undefined, {
                      POD_NAMESPACE: this.namespace,
                      HOME: join(this.dir, "home"),
                      PATH: `${join(this.dir, "bin")}:/usr/bin:/bin`,
                      VAULT_CLIENT_TIMEOUT: "10s",
                  });
        void r.done.then((d) => this.printed.push(d.stdout + d.stderr));
        return r;
    }

    async run(step: Step): Promise<{ code: number | null; output: string }> {
        const r = await this.start(step).done;
        return { code: r.code, output: r.stdout + r.stderr };
    }

    /**
     * The pod: its init containers in order, each only after the previous one exited 0 (otherwise
     * the step's output is thrown), then its main container, left running.
     */
    async pod(): Promise<{ outputs: Record<"preflight" | "init" | "store", string>; waitUnsealed: RunningScript }> {
        const outputs = {} as Record<"preflight" | "init" | "store", string>;
        for (const step of ["preflight", "init", "store"] as const) {
            const r = await this.run(step);
            outputs[step] = r.output;
            if (r.code !== 0) throw new Error(`${step} exited ${r.code}:\n${r.output}`);
        }
        this.waiting = this.start("wait-unsealed");
        return { outputs, waitUnsealed: this.waiting };
    }

    /** `vault operator init -status` of member `i` says initialised. */
    initialised(i: number): boolean {
        return this.vault.cli(i, ["operator", "init", "-status"]).status === 0;
    }

    /** How many times a step ran `vault operator init` proper. */
    initCalls(): number {
        return readFileSync(this.calls, "utf8").split("\n").filter((l) => l.startsWith("operator init -format=json")).length;
    }

    /** Files left in the pod's memory volume. */
    workFiles(): string[] {
        return readdirSync(join(this.dir, "work"));
    }

    async storedInitOutput(): Promise<InitOutput> {
        const secret = (await this.kube.get(this.secret)) as (KubeObject & { data: Record<string, string> }) | undefined;
        if (!secret) throw new Error(`Secret ${this.secret.name} does not exist`);
        return JSON.parse(Buffer.from(secret.data["init.json"]!, "base64").toString("utf8")) as InitOutput;
    }

    async stop(): Promise<void> {
        this.waiting?.kill();
        this.sa?.remove();
        this.vault?.stop();
        rmSync(this.dir, { recursive: true, force: true });
        await this.kube.delete({ apiVersion: "v1", kind: "Namespace", name: this.namespace });
    }
}
