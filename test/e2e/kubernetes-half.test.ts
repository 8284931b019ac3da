/**
 * The Kubernetes half of the real program (index.ts) on the real engine: the Pulumi CLI, the Node.js
 * language host and pulumi-resource-kubernetes built from the Go module proxy, against a real
 * kube-apiserver + kube-controller-manager (scripts/kube-test-server.sh) with the pinned CRDs installed
 * first, as a platform team would. The stack is kind-like: existing Vault (the Vault-API test server)
 * configured by another team (`vault.configure: false`, so no vault provider — the proxy refuses it),
 * operators already installed (`operators.install: false`), StackGres, two applications (sync, direct).
 *
 * No kubelet and no operator run here. A test-side kubelet (support/kubelet.ts) binds pods to a fake
 * Node, marks Deployment pods Ready and RUNS the Job gates' scripts with kubectl as their own
 * ServiceAccount; the test writes each operator's status itself, each only after asserting that what
 * depends on it does not exist yet, and first a wrong status that must not open the wait.
 *
 *   up: everything created, each object only after everything it depends on was ready (etcd revisions)
 *   the gates ran as their ServiceAccounts with least-privilege RBAC
 *   a second preview: only `same`; the state holds no plaintext credential
 *   destroy: the cluster holds exactly the objects it held before the up
 */
import type { EngineEvent, Stack, UpResult } from "@pulumi/pulumi/automation";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kube, waitUntil } from "../kube/support/kube";
import { randomPassword } from "../integration/support/env";
import { backendText, bareSecretPaths, cleanUp, engineSandbox, leakedValues, type EngineSandbox } from "./support/engine";
import { FakeKubelet, type Pod } from "./support/kubelet";
import { countByKind, installPinnedCrds, KUBE_HALF_KINDS, kubeHalfConfig, kubeHalfNames, kubeHalfSkip, kubeHalfStack, removeKubeHalfStack, snapshot } from "./support/kubeHalf";
import { startKubeServer, type KubeServer } from "./support/kubeServer";
import { objectKey, ObjectLog } from "./support/objectLog";
import { findObject, sgClusterStatus, vaultDynamicSecretStatus, vaultStaticSecretStatus, writeStatus, type Obj } from "./support/operators";

const vaultAddr = process.env.VAULT_ADDR;
const skip = kubeHalfSkip();

const id = randomBytes(3).toString("hex");
const stackName = `e2e-kube-${id}`;
// Two applications with different patterns, each in its own namespace; application, ServiceAccount, role and namespace all differ.
const names = kubeHalfNames(id, 2, 1);
const [billing, ledger] = names.apps as [(typeof names.apps)[0], (typeof names.apps)[0]];
const VSO = "secrets.hashicorp.com/v1beta1";
const SG = "stackgres.io/v1";
/** How long a wrong status is left in place before the test checks that nothing moved (the gate scripts poll every 5 s). */
const HOLD_MS = 3000;
const GATE_HOLD_MS = 7000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip !== undefined)("the Kubernetes half on the real engine against a real API server", () => {
    let server: KubeServer;
    let kube: Kube;
    let kubelet: FakeKubelet;
    let log: ObjectLog;
    let sandbox: EngineSandbox;
    let stack: Stack;
    let before: Set<string>;
    const adminPassword = randomPassword();
    /** URNs whose create finished, from the engine's events. */
    const completed: string[] = [];
    /** What each simulated operator checked, in order. */
    const checks: string[] = [];

    /** Names of existing objects of these kinds in these namespaces (ServiceAccounts and the root CA excluded). */
    async function existing(kinds: [string, string][], namespaces: string[]): Promise<string[]> {
        const out: string[] = [];
        for (const [apiVersion, kind] of kinds) {
            for (const ns of namespaces) {
                for (const o of await kube.list(apiVersion, kind, ns)) {
                    if (!(kind === "ConfigMap" && o.metadata.name === "kube-root-ca.crt")) out.push(objectKey(kind, ns, o.metadata.name));
                }
            }
        }
        return out;
    }


    /** What the applications declare (their ServiceAccounts aside, which wait only for the namespace). */
    const APP_KINDS: [string, string][] = [
        ["apps/v1", "Deployment"],
        [VSO, "VaultConnection"],
        [VSO, "VaultAuth"],
        [VSO, "VaultDynamicSecret"],
        ["v1", "ConfigMap"],
        ["v1", "Secret"],
    ];
    const appObjects = () => existing(APP_KINDS, [billing.namespace, ledger.namespace]);

    beforeAll(async () => {
        server = await startKubeServer("half");
        kube = server.kube;
        await installPinnedCrds(kube);
        kubelet = new FakeKubelet(kube, {
            beforeJobPod: async (pod: Pod, job: string) => {
                if (job.startsWith(`${names.clusterName}-sql-gate-job`)) {
                    // The SQL gate runs once the primary is up, before anything that needs the roles.
                    const found = await appObjects();
                    if (found.length > 0) throw new Error(`${job}: ${found.join(", ")} exist before the SQL gate ran`);
                    checks.push(`${job}: no application object before the gate ran`);
                    return;
                }
                // A CRD gate must run before any custom resource of its operator exists.
                const group = job.startsWith("vault-secrets-operator-crds") ? VSO : job.startsWith("stackgres-crds") ? SG : undefined;
                if (!group) throw new Error(`unexpected Job ${job} in ${pod.metadata.namespace}`);
                const kinds = KUBE_HALF_KINDS.filter((k) => k.apiVersion === group).map((k) => [k.apiVersion, k.kind] as [string, string]);
                const found = [];
                for (const [apiVersion, kind] of kinds) found.push(...(await kube.list(apiVersion, kind)));
                if (found.length > 0) throw new Error(`${job}: ${found.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")} exist before the gate ran`);
                checks.push(`${job}: no ${group} object before the gate ran`);
            },
        });
        await kubelet.start();
        log = new ObjectLog(kube);
        await log.watch([...KUBE_HALF_KINDS]);
        before = await snapshot(kube);
        sandbox = engineSandbox("kube-half");
        stack = await kubeHalfStack(sandbox, stackName, server.kubeconfig);
        await stack.setAllConfig(kubeHalfConfig(id, names, vaultAddr!, adminPassword));
    }, 600_000);

    afterAll(async () => {
        await cleanUp([
            ["destroy", () => stack && stack.destroy({ onOutput: () => undefined })],
            ["stack rm", () => removeKubeHalfStack(stack, stackName)],
            ["sandbox", () => sandbox?.dispose()],
            ["object log", () => log?.stop()],
            ["kubelet", () => kubelet?.stop()],
            ["kube server", () => server?.stop()],
        ]);
    }, 600_000);

    /** Waits (while the up runs) for the one object of a kind in a namespace. */
    async function appears(upDone: () => boolean, apiVersion: string, kind: string, namespace: string): Promise<Obj> {
        return waitUntil(
            async () => {
                if (upDone()) throw new Error(`the up ended before a ${kind} appeared in ${namespace}`);
                const all = await kube.list<Obj>(apiVersion, kind, namespace);
                if (all.length > 1) throw new Error(`several ${kind}s in ${namespace}`);
                return all[0];
            },
            { timeoutMs: 600_000, intervalMs: 250, what: `${kind} in ${namespace}` },
        );
    }

    /**
     * Leaves a wrong status in place and checks that the wait did not open (no `waiting` resource
     * completed in the engine's events) and that no dependent appeared.
     */
    async function holds(obj: Obj, status: Record<string, unknown>, what: string, o: { waiting: string; dependents: () => Promise<string[]>; ms?: number }): Promise<string> {
        const rv = await writeStatus(kube, obj, status);
        await sleep(o.ms ?? HOLD_MS);
        expect(completed.filter((u) => u.endsWith(o.waiting)), `${o.waiting} completed on ${what}`).toEqual([]);
        expect(await o.dependents(), `dependents of ${o.waiting} created on ${what}`).toEqual([]);
        checks.push(`${o.waiting}: ${what} did not release the wait`);
        return rv;
    }

    let up: UpResult;
    let upOutput = "";

    it("up creates the Kubernetes half; every wait holds until its operator reports done, and not on a wrong status", async () => {
        const abort = new AbortController();
        let upDone = false;
        const output: string[] = [];
        const running = stack
            .up({
                signal: abort.signal,
                onOutput: (s) => output.push(s),
                onEvent: (e: EngineEvent) => {
                    if (e.resOutputsEvent) completed.push(e.resOutputsEvent.metadata.urn);
                },
            })
            .finally(() => {
                upDone = true;
                upOutput = output.join("");
            });
        const db = names.databaseNamespace;

        const vsoAdmin = async (): Promise<void> => {
            const vss = await appears(() => upDone, VSO, "VaultStaticSecret", db);
            const sgObjects = () => existing(KUBE_HALF_KINDS.filter((k) => k.apiVersion === SG).map((k) => [k.apiVersion, k.kind]), [db]);
            expect(await sgObjects(), "StackGres objects before the admin credentials were synced").toEqual([]);
            await holds(vss, vaultStaticSecretStatus(vss, false), "a failed sync (no secretMAC)", { waiting: "-admin-sync-secret", dependents: sgObjects });
            log.markReady("VaultStaticSecret", db, vss.metadata.name, await writeStatus(kube, vss, vaultStaticSecretStatus(vss, true)));
        };
        const stackgres = async (): Promise<void> => {
            const cluster = await appears(() => upDone, SG, "SGCluster", db);
            const script = (await kube.get<Obj>({ apiVersion: SG, kind: "SGScript", namespace: db, name: cluster.spec.managedSql.scripts[0].sgScript }))!;
            const gateJobs = async () => (await kube.list("batch/v1", "Job", db)).filter((j) => j.metadata.name.startsWith(`${names.clusterName}-sql-gate-job`)).map((j) => `Job/${db}/${j.metadata.name}`);
            expect(await appObjects(), "application objects before the database was ready").toEqual([]);
            // The SGCluster's own wait: a primary. Without one, neither the SQL gate nor any application.
            await holds(cluster, sgClusterStatus(cluster, script, "no-primary"), "StackGres status 'no-primary'", {
                waiting: "-cluster",
                dependents: async () => [...(await gateJobs()), ...(await appObjects())],
            });
            // A primary, but the SGScript not applied yet: the SGCluster is done, the SQL gate (run for real) holds.
            const primaryAt = await writeStatus(kube, cluster, sgClusterStatus(cluster, script, "old-version"));
            log.markReady("SGCluster", db, cluster.metadata.name, primaryAt);
            await waitUntil(() => kubelet.started.some((p) => p.startsWith(`${db}/${names.clusterName}-sql-gate-job`)), { timeoutMs: 300_000, what: "the SQL gate's pod to run" });
            await sleep(GATE_HOLD_MS);
            expect(completed.filter((u) => u.endsWith("-sql-gate-job")), "SQL gate completed while the entries ran an older version").toEqual([]);
            expect(await appObjects(), "application objects while the SGScript entries were at an older version").toEqual([]);
            checks.push("sql gate: StackGres status 'old-version' did not release the wait");
            // Finding 4: the last entry running (intents, no failure code) is not applied.
            await holds(cluster, sgClusterStatus(cluster, script, "running"), "StackGres status 'running'", { waiting: "-sql-gate-job", dependents: appObjects, ms: GATE_HOLD_MS });
            await writeStatus(kube, cluster, sgClusterStatus(cluster, script, "applied"));
        };
        const vsoBilling = async (): Promise<void> => {
            const vds = await appears(() => upDone, VSO, "VaultDynamicSecret", billing.namespace);
            const consumer = () => existing([["apps/v1", "Deployment"]], [billing.namespace]);
            expect(await consumer(), "the sync application's Deployment before its credentials were synced").toEqual([]);
            await holds(vds, vaultDynamicSecretStatus(vds, false), "a renewal without secretMAC", { waiting: `${billing.name}-sync-secret`, dependents: consumer });
            log.markReady("VaultDynamicSecret", billing.namespace, vds.metadata.name, await writeStatus(kube, vds, vaultDynamicSecretStatus(vds, true)));
        };

        const operators = Promise.all([vsoAdmin(), stackgres(), vsoBilling()]).catch((e: unknown) => {
            abort.abort();
            throw e;
        });
        const [opsResult, upResult] = await Promise.allSettled([operators, running]);
        if (opsResult.status === "rejected") throw new Error(`${(opsResult.reason as Error).message}\n--- engine output ---\n${upOutput}`);
        if (upResult.status === "rejected") throw new Error(`up failed: ${(upResult.reason as Error).message}\nkubelet: ${JSON.stringify(kubelet.runs, null, 1)}`);
        up = upResult.value;
        expect(up.summary.result, upOutput).toBe("succeeded");
        // 3 gates run, admin VSS, SGCluster (no primary), SQL gate (old version, running), billing VDS.
        expect(checks).toHaveLength(3 + 1 + 1 + 2 + 1);
        expect(kubelet.errors.filter((e) => !/ECONNRESET/.test(e))).toEqual([]);
        expect(log.errors).toEqual([]);
    });

    it("created every object only after everything it depends on was ready (etcd revisions, from the stack's own dependency graph)", async () => {
        const exported = await stack.exportStack();
        type Res = { urn: string; type: string; custom?: boolean; parent?: string; dependencies?: string[]; outputs?: { kind?: string; metadata?: { name: string; namespace?: string } } };
        const resources = (exported.deployment as { resources: Res[] }).resources;
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        const customsOf = (urn: string): Res[] => {
            const r = byUrn.get(urn);
            if (!r) return [];
            return r.custom ? [r] : resources.filter((c) => c.parent === urn).flatMap((c) => customsOf(c.urn));
        };
        const keyOf = (r: Res) => (r.type.startsWith("kubernetes:") && r.custom && r.outputs?.metadata ? objectKey(r.outputs.kind!, r.outputs.metadata.namespace, r.outputs.metadata.name) : undefined);
        const awaited = new Set(["Job", "Deployment", "VaultStaticSecret", "VaultDynamicSecret", "SGCluster"]);
        const problems: string[] = [];
        let edges = 0;
        const k8s = resources.filter((r) => keyOf(r) !== undefined);
        for (const r of k8s) {
            const key = keyOf(r)!;
            const created = log.created(key);
            if (created === undefined) {
                problems.push(`${key} is in the state but was never seen on the server`);
                continue;
            }
            for (const dep of (r.dependencies ?? []).flatMap(customsOf)) {
                const dkey = keyOf(dep);
                if (!dkey) continue;
                edges++;
                const kind = dkey.split("/")[0]!;
                const done = awaited.has(kind) ? log.ready(dkey) : log.created(dkey);
                if (done === undefined) problems.push(`${key} exists, but its dependency ${dkey} never ${awaited.has(kind) ? "became ready" : "appeared"}`);
                else if (!(done < created)) problems.push(`${key} (revision ${created}) was created before ${dkey} was ${awaited.has(kind) ? "ready" : "created"} (revision ${done})`);
            }
        }
        expect(problems).toEqual([]);
        // The whole graph: namespaces, gates (4 RBAC objects + SA + Job each), StackGres, VSO, both applications.
        expect(k8s.length).toBeGreaterThanOrEqual(30);
        expect(edges).toBeGreaterThanOrEqual(60);
        // Every awaited kind was awaited at least once.
        expect(new Set(k8s.map((r) => keyOf(r)!.split("/")[0]).filter((k) => awaited.has(k)))).toEqual(awaited);
    });

    it("ran each gate's script as the gate's own ServiceAccount, with least-privilege RBAC", async () => {
        const db = names.databaseNamespace;
        expect(kubelet.runs.map((r) => [r.job.replace(/-[0-9a-f]{8}$/, ""), r.namespace, r.exitCode]).sort()).toEqual([
            [`${names.clusterName}-sql-gate-job`, db, 0],
            ["stackgres-crds-job", db, 0],
            ["vault-secrets-operator-crds-job", db, 0],
        ]);
        const run = (prefix: string) => kubelet.runs.find((r) => r.job.startsWith(prefix))!;
        const as = async (r: { namespace: string; serviceAccount: string }) => kube.as((await kube.createToken(r.namespace, r.serviceAccount)).token);
        for (const prefix of ["stackgres-crds-job", "vault-secrets-operator-crds-job"]) {
            const r = run(prefix);
            expect(r.output).toContain("condition met");
            expect(r.output).toContain("operator ready");
            expect(r.serviceAccount).toMatch(/-crds-sa-[0-9a-f]{8}$/);
            // The same identity reads CRDs and nothing else.
            const client = await as(r);
            await expect(client.list("apiextensions.k8s.io/v1", "CustomResourceDefinition")).resolves.not.toHaveLength(0);
            await expect(client.list("v1", "Secret", db)).rejects.toThrow(/forbidden/i);
            await expect(client.list(SG, "SGCluster", db)).rejects.toThrow(/forbidden/i);
        }
        const sql = run(`${names.clusterName}-sql-gate-job`);
        expect(sql.output).toContain("waiting for SGScript entries:");
        expect(sql.output).toContain("running");
        expect(sql.output).toContain("StackGres applied every SGScript entry");
        // The SQL gate may read its one SGCluster, and not list them nor read another.
        const client = await as(sql);
        await expect(client.get({ apiVersion: SG, kind: "SGCluster", namespace: db, name: names.clusterName })).resolves.toBeDefined();
        await expect(client.list(SG, "SGCluster", db)).rejects.toThrow(/forbidden/i);
        await expect(client.get({ apiVersion: SG, kind: "SGCluster", namespace: db, name: `${names.clusterName}-other` })).rejects.toThrow(/forbidden/i);
    });

    it("left both applications' Deployments available (through the real controller-manager)", async () => {
        for (const app of [billing, ledger]) {
            const d = (await kube.get<Obj>({ apiVersion: "apps/v1", kind: "Deployment", namespace: app.namespace, name: app.name }))!;
            expect(d.status.availableReplicas, app.name).toBe(d.spec.replicas);
            expect(d.spec.template.spec.serviceAccountName).toBe(app.serviceAccount);
        }
        const vds = (await findObject(kube, VSO, "VaultDynamicSecret", billing.namespace, ""))!;
        expect(vds.spec).toMatchObject({ mount: `db-${id}`, path: `static-creds/${billing.name}` });
        const vss = (await findObject(kube, VSO, "VaultStaticSecret", names.databaseNamespace, ""))!;
        expect(vss.spec).toMatchObject({ mount: `kv-${id}`, path: `orders/${id}/admin`, destination: { name: `orders-${id}-superusers` } });
    });

    it("a second preview reports no changes", async () => {
        const pv = await stack.preview({ onOutput: () => undefined, diff: true });
        const changed = Object.entries(pv.changeSummary).filter(([k, n]) => k !== "same" && (n ?? 0) > 0);
        expect(changed, pv.stdout).toEqual([]);
    });

    it("the state holds the Vault admin password only encrypted, although the cluster has it (StackGres creates the role with it)", async () => {
        const sqlSecret = (await kube.list<Obj>("v1", "Secret", names.databaseNamespace)).find((s) => s.metadata.name.includes("vault-admin-sql"));
        expect(Buffer.from(Object.values(sqlSecret!.data as Record<string, string>)[0]!, "base64").toString()).toContain(adminPassword);
        const secrets = { "vault admin password": adminPassword, passphrase: sandbox.passphrase };
        const { text } = backendText(sandbox.backendDir);
        expect(text).toContain("ciphertext");
        expect(leakedValues(text, secrets)).toEqual([]);
        expect(leakedValues(upOutput, secrets)).toEqual([]);
        expect(bareSecretPaths(await stack.exportStack(), secrets)).toEqual([]);
    });

    it("destroy removes what it created and nothing else", async () => {
        const afterUp = await snapshot(kube);
        const d = await stack.destroy({ onOutput: () => undefined });
        expect(d.summary.result).toBe("succeeded");
        const after = await snapshot(kube);
        const created = [...afterUp].filter((k) => !before.has(k));
        expect(countByKind(created)).toMatchObject({ Deployment: 2, Job: 3, Namespace: 3, SGCluster: 1, VaultStaticSecret: 1, VaultDynamicSecret: 1 });
        expect([...after].filter((k) => !before.has(k)), "left behind").toEqual([]);
        expect([...before].filter((k) => !after.has(k)), "removed although it was there before").toEqual([]);
        expect(countByKind(after)).toEqual(countByKind(before));
    });
});

