/**
 * What the operators would write, shaped as their CRDs and sources say (no operator runs on the
 * kube tier's API server): VSO's `status.secretMAC` (written only together with a successful sync,
 * VSO 1.4.1 `vaultstaticsecret_controller.go`; for VaultDynamicSecret only with `allowStaticCreds`),
 * and StackGres' `status.podStatuses[].primary` and `status.managedSql.scripts[]` (1.18.6
 * `ManagedSqlScriptEntryReconciliator`: an entry is applied when `version` equals the target and
 * `intents` is absent; `intents` without `failureCode` means it is still running).
 *
 * Each builder also has wrong variants: statuses an operator writes before it is done. A wait that
 * opens on one of those is a bug the e2e tests must catch.
 */
import { randomBytes } from "node:crypto";
import type { Kube, KubeObject } from "../../kube/support/kube";

export type Obj = KubeObject & { spec?: any; status?: any };

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z");

/** VaultStaticSecret status: `synced` false is VSO after a failed sync (lastGeneration, no secretMAC). */
export function vaultStaticSecretStatus(obj: Obj, synced: boolean): Record<string, unknown> {
    const gen = (obj.metadata as { generation?: number }).generation ?? 1;
    return synced ? { lastGeneration: gen, secretMAC: randomBytes(32).toString("base64") } : { lastGeneration: gen };
}

/** VaultDynamicSecret status with `allowStaticCreds`; `synced` false has no secretMAC yet. */
export function vaultDynamicSecretStatus(obj: Obj, synced: boolean): Record<string, unknown> {
    const gen = (obj.metadata as { generation?: number }).generation ?? 1;
    const base = {
        lastGeneration: gen,
        lastRenewalTime: Math.floor(Date.now() / 1000),
        secretLease: { id: "", duration: 0, renewable: false, requestID: randomBytes(8).toString("hex") },
    };
    if (!synced) return base;
    return {
        ...base,
        secretMAC: randomBytes(32).toString("base64"),
        staticCredsMetaData: { lastVaultRotation: Math.floor(Date.now() / 1000), rotationPeriod: 86400, ttl: 86400 },
    };
}

/** How far StackGres got. */
export type StackGresProgress =
    /** primary up, every entry applied at its current version */
    | "applied"
    /** primary up, but the entries still at an older version (the script changed, not yet run) */
    | "old-version"
    /** primary up, the last entry running (`intents` set, no failureCode): finding 4 */
    | "running"
    /** primary up, the last entry failed (and retries) */
    | "failed"
    /** scripts applied, but no primary reported */
    | "no-primary";

/**
 * SGCluster status for the cluster's managed SQL: our SGScript is `spec.managedSql.scripts[id=1]`,
 * StackGres' own default script is inserted after it.
 */
export function sgClusterStatus(cluster: Obj, script: Obj, progress: StackGresProgress): Record<string, unknown> {
    const t = now();
    const entries: { id: number; version: number }[] = script.spec.scripts.map((e: { id: number; version: number }) => ({ id: e.id, version: e.version }));
    const scripts = entries.map((e, i) => {
        const last = i === entries.length - 1;
        if (progress === "old-version") return { id: e.id, version: e.version - 1 };
        if (progress === "running" && last) return { id: e.id, version: e.version, intents: 1 };
        if (progress === "failed" && last) return { id: e.id, version: e.version, intents: 3, failureCode: "42501", failure: "permission denied to grant role" };
        return { id: e.id, version: e.version };
    });
    const managed = cluster.spec.managedSql.scripts as { id: number; sgScript: string }[];
    const ours = managed.find((m) => m.sgScript === script.metadata.name);
    if (!ours) throw new Error(`SGCluster ${cluster.metadata.name} does not reference SGScript ${script.metadata.name}`);
    const done = progress === "applied" || progress === "no-primary";
    return {
        podStatuses: progress === "no-primary" ? [] : [{ name: `${cluster.metadata.name}-0`, primary: true, replicationGroup: 0, pendingRestart: false }],
        managedSql: {
            scripts: [
                { id: ours.id, startedAt: t, updatedAt: t, ...(done ? { completedAt: t } : progress === "failed" ? { failedAt: t } : {}), scripts },
                { id: Math.max(...managed.map((m) => m.id)) + 1, startedAt: t, completedAt: t, scripts: [{ id: 0, version: 0 }] },
            ],
        },
    };
}

/**
 * Writes an operator's status and returns the object's new resourceVersion. SGCluster has no status
 * subresource (StackGres 1.18.6 CRD: `subresources: {scale}` only), so its status goes with the object.
 */
export async function writeStatus(kube: Kube, obj: Obj, status: Record<string, unknown>): Promise<string> {
    const ref = { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name };
    if (obj.kind === "SGCluster") {
        const res = await kube.request("PATCH", await kube.path(ref.apiVersion, ref.kind, ref.namespace, ref.name), {
            body: { status },
            contentType: "application/merge-patch+json",
        });
        return (res.body as Obj).metadata.resourceVersion!;
    }
    return (await kube.patchStatus(ref, status)).metadata.resourceVersion!;
}

/** The one object of a kind in a namespace whose name starts with `prefix` (Pulumi autonames add a suffix). */
export async function findObject(kube: Kube, apiVersion: string, kind: string, namespace: string, prefix: string): Promise<Obj | undefined> {
    const all = (await kube.list<Obj>(apiVersion, kind, namespace)).filter((o) => o.metadata.name.startsWith(prefix));
    if (all.length > 1) throw new Error(`more than one ${kind} named ${prefix}* in ${namespace}: ${all.map((o) => o.metadata.name).join(", ")}`);
    return all[0];
}

/**
 * Plays every operator at once, for tests that are not about the waits themselves (faults, the
 * benchmark): whenever a VaultStaticSecret/VaultDynamicSecret or SGCluster lacks the status of its
 * current spec, writes the synced/applied one.
 */
export class AutoOperators {
    private timer?: NodeJS.Timeout;
    private stopped = false;
    private tick: Promise<void> = Promise.resolve();
    private readonly held = new Set<string>();
    readonly errors: string[] = [];

    constructor(private readonly kube: Kube) {}

    /**
     * Writes no status for this kind until `release` (to hold an up at a known point). `SGScript`: the
     * SGCluster gets its primary, but its SGScript entries stay at an older version (the SQL gate waits).
     */
    hold(kind: "SGCluster" | "SGScript" | "VaultStaticSecret" | "VaultDynamicSecret"): void {
        this.held.add(kind);
    }

    release(kind: string): void {
        this.held.delete(kind);
    }

    start(intervalMs = 300): void {
        const loop = (): void => {
            if (this.stopped) return;
            this.tick = this.sync()
                .catch((e) => void this.errors.push((e as Error).message))
                .finally(() => {
                    if (!this.stopped) this.timer = setTimeout(loop, intervalMs);
                });
        };
        loop();
    }

    async stop(): Promise<void> {
        this.stopped = true;
        if (this.timer) clearTimeout(this.timer);
        await this.tick;
    }

    private async sync(): Promise<void> {
        for (const kind of ["VaultStaticSecret", "VaultDynamicSecret"] as const) {
            if (this.held.has(kind)) continue;
            for (const o of await this.kube.list<Obj>("secrets.hashicorp.com/v1beta1", kind)) {
                if (o.metadata.deletionTimestamp || (o.status?.secretMAC && o.status.lastGeneration === (o.metadata as { generation?: number }).generation)) continue;
                await writeStatus(this.kube, o, kind === "VaultStaticSecret" ? vaultStaticSecretStatus(o, true) : vaultDynamicSecretStatus(o, true));
            }
        }
        if (this.held.has("SGCluster")) return;
        for (const c of await this.kube.list<Obj>("stackgres.io/v1", "SGCluster")) {
            if (c.metadata.deletionTimestamp) continue;
            for (const m of c.spec.managedSql?.scripts ?? []) {
                const script = await this.kube.get<Obj>({ apiVersion: "stackgres.io/v1", kind: "SGScript", namespace: c.metadata.namespace, name: m.sgScript });
                if (!script) continue;
                const want = JSON.stringify(script.spec.scripts.map((e: { id: number; version: number }) => [e.id, e.version]));
                const have = JSON.stringify(
                    (c.status?.managedSql?.scripts ?? []).find((s: { id: number }) => s.id === m.id)?.scripts?.map((e: { id: number; version: number; intents?: number }) => (e.intents ? null : [e.id, e.version])) ?? null,
                );
                if (this.held.has("SGScript")) {
                    if (!c.status?.podStatuses?.length) await writeStatus(this.kube, c, sgClusterStatus(c, script, "old-version"));
                } else if (want !== have) {
                    await writeStatus(this.kube, c, sgClusterStatus(c, script, "applied"));
                }
            }
        }
    }
}
