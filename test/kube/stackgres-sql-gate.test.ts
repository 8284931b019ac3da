/**
 * Kube tier: the StackGres SQL gate Job (components/stackgres/managedSqlGate.ts) of the
 * StackGresCluster component, its script run with a real kubectl as its own ServiceAccount against
 * a real kube-apiserver with StackGres 1.18.6's CRDs, while the test writes the SGCluster's
 * `status.managedSql` the way StackGres's cluster controller does (ManagedSqlScriptEntryReconciliator:
 * `version` set before running, `intents` counted up and `failureCode`/`failure` cleared per
 * attempt, `intents` cleared on success, `failureCode` = SQLSTATE and `failure` = message on error).
 *
 * What it proves (field review finding 4): the gate opens only on StackGres's own "up to date"
 * (`ManagedSqlUtil.isScriptEntryUpToDate`: the entry's version and no `intents`), not while an
 * entry runs or between retries; a failed entry ends `pulumi up` at the next poll with StackGres's
 * message instead of the cluster's 30-minute timeout; and the Role the component declares (GET on
 * that one SGCluster) is all the script needs.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { one, settle, setupMocks } from "../support/mocks";
import { SHARED_DIR } from "../support/render";
import { Kube, kubeEnv, waitUntil, type KubeObject } from "./support/kube";
import { RunningScript, ServiceAccountKubeconfig, gateRbac, gateScript, requireKubectl, runScript, waitForOutput } from "./support/gateJobs";

const env = kubeEnv();
const RUN = Date.now().toString(36);
const NS = `sql-gate-${RUN}`;
const CLUSTER = "keycloak-postgresql";
const SGCLUSTER = { apiVersion: "stackgres.io/v1", kind: "SGCluster", namespace: NS, name: CLUSTER };
/** The id our SGScript has in the SGCluster's `spec.managedSql.scripts` (components/stackgres/clusterSpecs.ts). */
const OURS = 1;

type EntryStatus = { id: number; version: number; intents?: number; failureCode?: string; failure?: string };

describe.skipIf(!env)("StackGres SQL gate against a real kube-apiserver", () => {
    let kube: Kube;
    let sa: ServiceAccountKubeconfig;
    let script: string;
    let entries: { id: number; version: number }[];
    let sgCluster: KubeObject;
    let run: RunningScript | undefined;

    /** What StackGres's cluster controller writes (no status subresource on SGCluster: the object itself is updated). */
    async function writeStatus(ours: EntryStatus[] | undefined): Promise<void> {
        const scripts = [
            // StackGres's own default script, under another id, always applied.
            { id: 0, completedAt: "2026-01-01T00:00:00Z", scripts: [{ id: 0, version: 0 }] },
            ...(ours ? [{ id: OURS, startedAt: "2026-01-01T00:00:01Z", updatedAt: new Date().toISOString(), scripts: ours }] : []),
        ];
        await kube.request("PATCH", await kube.path(SGCLUSTER.apiVersion, SGCLUSTER.kind, NS, CLUSTER), {
            body: { status: { podStatuses: [{ name: `${CLUSTER}-0`, primary: true }], managedSql: { scripts } } },
            contentType: "application/merge-patch+json",
        });
    }

    const applied = (): EntryStatus[] => entries.map((e) => ({ id: e.id, version: e.version }));

    async function start(): Promise<RunningScript> {
        await kube.delete(SGCLUSTER);
        await waitUntil(async () => !(await kube.get(SGCLUSTER)), { what: "SGCluster gone" });
        await kube.create(sgCluster);
        run = runScript(script, sa);
        return run;
    }

    beforeAll(async () => {
        requireKubectl();
        kube = new Kube(env!);
        await setupMocks({ stack: "sqlgate" });
        const pulumi = await import("@pulumi/pulumi");
        const k8s = await import("@pulumi/kubernetes");
        const { StackGresCluster } = await import("../../components/stackgres/stackGresCluster");
        new StackGresCluster(
            CLUSTER,
            {
                namespace: NS,
                credentialsSecretName: "keycloak-postgresql-vault",
                vaultAdminRole: "vault_admin",
                vaultAdminPassword: pulumi.secret("test-only-vault-admin-password-0123"),
                managedRoles: ["app", "billing"],
            },
            { providers: { kubernetes: new k8s.Provider("kubernetes", {}) } },
        );
        await settle();
        entries = one("kubernetes:stackgres.io/v1:SGScript", `${CLUSTER}-roles`).inputs.spec.scripts.map((e: { id: number; version: number }) => ({ id: e.id, version: e.version }));
        expect(entries.map((e) => e.id)).toEqual([0, 1, 2, 3]);
        const sg = one("kubernetes:stackgres.io/v1:SGCluster", `${CLUSTER}-cluster`);
        sgCluster = { apiVersion: "stackgres.io/v1", kind: "SGCluster", ...sg.inputs } as KubeObject;
        script = gateScript(`${CLUSTER}-sql-gate`);

        await kube.installCrds(join(SHARED_DIR, "crds", "stackgres", "1.18.6"), { timeoutMs: 60_000 });
        await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
        const rbac = gateRbac(`${CLUSTER}-sql-gate`, RUN);
        for (const o of rbac.objects) await kube.apply(o);
        sa = await ServiceAccountKubeconfig.create(kube, NS, rbac.serviceAccount);
    }, 300_000);

    afterAll(async () => {
        run?.kill();
        sa?.remove();
        if (kube) {
            await kube.delete({ apiVersion: "v1", kind: "Namespace", name: NS });
            kube.close();
        }
    });

    it("opens only on StackGres's own 'up to date': not before a status, not while an entry runs, not on an older version", async () => {
        const r = await start();
        await waitForOutput(r, `waiting for SGScript entries: ${entries.map((e) => `${e.id}:not-run`).join(" ")}`);
        // The last entry has started: StackGres set its version and counted an intent. The old
        // waitFor (`version` matches, no failureCode) would have opened here (finding 4).
        const running = [...applied().slice(0, -1), { ...applied().at(-1)!, intents: 1 }];
        await writeStatus(running);
        await waitForOutput(r, `waiting for SGScript entries: ${entries.at(-1)!.id}:running`);
        // A retry after a failure clears failureCode first: still running, still closed.
        await writeStatus([...applied().slice(0, -1), { ...applied().at(-1)!, intents: 2 }]);
        await new Promise((res) => setTimeout(res, 6_000)); // one more poll
        expect(r.running(), r.output()).toBe(true);
        // An older version applied (the SGScript changed and StackGres has not run it yet).
        await writeStatus([{ ...applied()[0]!, version: entries[0]!.version + 1 }, ...applied().slice(1)]);
        await waitForOutput(r, `waiting for SGScript entries: ${entries[0]!.id}:not-run`);
        expect(r.running()).toBe(true);
        await writeStatus(applied());
        const end = await r.done;
        expect(end.code, end.stdout + end.stderr).toBe(0);
        expect(end.stdout).toContain(`SGCluster ${NS}/${CLUSTER}: StackGres applied every SGScript entry`);
    });

    it("fails on StackGres's failure message and SQLSTATE, not at its deadline", async () => {
        const r = await start();
        await writeStatus(undefined);
        await waitForOutput(r, "waiting for SGScript entries");
        const failure = 'ERROR: permission denied to alter role\n  Detail: Only roles with the CREATEROLE attribute and the ADMIN option on role "app" may alter this role.';
        await writeStatus([applied()[0]!, { ...applied()[1]!, intents: 3, failureCode: "42501", failure }, ...applied().slice(2)]);
        const end = await r.done;
        expect(end.code).toBe(1);
        expect(end.stderr).toContain(`SGCluster ${NS}/${CLUSTER}: StackGres failed SGScript entry ${entries[1]!.id} (version ${entries[1]!.version}, attempt 3), SQLSTATE 42501: ${failure}`);
        // It ended on that status, not at its deadline (which this test's own timeout is far below).
        expect(end.stderr).not.toContain("timed out");
    });

    it("needs GET on that one SGCluster and gets nothing more", () => {
        expect(sa.canI("get", `sgclusters.stackgres.io/${CLUSTER}`, NS)).toBe(true);
        expect(sa.canI("get", "sgclusters.stackgres.io/another", NS)).toBe(false);
        expect(sa.canI("list", "sgclusters.stackgres.io", NS)).toBe(false);
        expect(sa.canI("patch", `sgclusters.stackgres.io/${CLUSTER}`, NS)).toBe(false);
        expect(sa.canI("get", "sgscripts.stackgres.io", NS)).toBe(false);
        expect(sa.canI("get", "secrets", NS)).toBe(false);
    });
});
