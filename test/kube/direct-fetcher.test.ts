/**
 * The `direct` delivery pattern for real: the fetcher script UserCredentialsApp and DirectVaultAccess
 * generate, taken from the Pod that kube-controller-manager created from the stack's Deployment and
 * run as the container would run it (sh + curl, the exact text; in-pod paths under a directory laid
 * out like the pod's mounts, support/pod.ts), with the pod's projected token (TokenRequest bound to
 * that Pod, its audience and lifetime) against the real Vault-API server and PostgreSQL. The app's
 * own psql check (the pod's readiness command) then connects with the file it wrote; after
 * `rotate-role` the next fetch writes the new password and the old one stops working.
 *
 * Prints how long a manual rotation took to reach the file, next to the README's propagation table
 * (no timed assertion: the file only has to change within a few fetch intervals).
 */
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { propagationDelaySeconds } from "../../components/delivery/propagation";
import { USER_PASSWORD_FILE } from "../../components/delivery/userCredentialsApp";
import { adminRoleBinding } from "../../stacks/config";
import { DELIVERY_INTERVALS, deliveryPropagationTable } from "../../stacks/delivery";
import { loginState } from "../integration/support/pg";
import { waitUntil } from "./support/kube";
import { PodRoot, type RunningContainer } from "./support/pod";
import { KubeStack, kubeTierEnv, type FixtureApplication, type KubeStackSpec } from "./support/stack";

const env = kubeTierEnv();

const APP: FixtureApplication = { name: "timesheets", namespace: "payroll", serviceAccount: "timesheets-fetcher", databaseRole: "vk_timesheets_rw" };
const SPEC: KubeStackSpec = {
    stack: "kube-fetch",
    databaseNamespace: "hr-db",
    vaultAdminRole: "vk_kube_fetch_vault_admin",
    applications: [APP],
    audience: "vaultkit-kube-fetch",
    debugDirect: true,
};
const ROTATIONS = 3;

describe.skipIf(!env)(env ? "the direct pattern's fetcher against real servers" : "direct fetcher — skipped: VAULTKIT_KUBE_SERVER is not set (scripts/test-kube.sh)", () => {
    let stack: KubeStack;
    const roots: PodRoot[] = [];
    let app: PodRoot;
    let fetcher: RunningContainer;
    /** When the fetcher's last write was seen (performance.now()). */
    let lastWrite = 0;
    const credsPath = () => `${stack.config.database.databaseMount}/static-creds/${APP.name}`;
    const secretsInPlay: string[] = [];

    async function podRoot(deployment: string): Promise<PodRoot> {
        const pod = await stack.podOf(deployment);
        const token = await stack.projectedToken(pod);
        secretsInPlay.push(token);
        const root = PodRoot.create(pod, token);
        roots.push(root);
        return root;
    }

    async function currentPassword(): Promise<string> {
        const p = (await stack.vault.must("read", credsPath())).data.password as string;
        secretsInPlay.push(p);
        return p;
    }

    /** The psql container's readiness command, run in `root`. */
    function readiness(root: PodRoot): Promise<{ code: number | string; output: string }> {
        return root.run("psql", root.container("psql").readinessProbe!.exec.command);
    }

    beforeAll(async () => {
        stack = await KubeStack.deploy(SPEC, env!);
    });

    afterAll(async () => {
        for (const r of roots) r.cleanup();
        await stack?.teardown();
    });

    it("runs the rendered fetcher with the pod's token: it writes the password, and the app's psql check connects with it", async () => {
        const declared = stack.deployment(APP.name).spec.template.spec.containers.find((c) => c.name === "fetcher")!;
        app = await podRoot(APP.name);
        const script = app.container("fetcher").command;
        expect(script).toEqual(declared.command);
        expect(script.slice(0, 2)).toEqual(["sh", "-c"]);
        // Wired to the servers under test by the stack config alone.
        expect(script[2]).toContain(`VAULT_ADDR='${env!.servers.vaultAddr}'`);
        expect(script[2]).toContain(`ROLE='${APP.name}'`);
        expect(script[2]).toContain(`SECRET_PATH='${credsPath()}'`);

        const started = performance.now();
        fetcher = app.start("fetcher");
        const first = await waitUntil(() => app.read(USER_PASSWORD_FILE), { what: `the fetcher to write ${USER_PASSWORD_FILE}`, timeoutMs: 30_000, intervalMs: 20 });
        lastWrite = performance.now();
        const firstMs = lastWrite - started;
        expect(first).toBe(await currentPassword());
        console.log(`[kube] direct fetcher: first password file ${firstMs.toFixed(0)} ms after the script started (login + read + write)`);

        const check = await readiness(app);
        expect(check.code, check.output).toBe(0);
        // The same command without the redirect prints psql's confirmation.
        const probe = app.container("psql").readinessProbe!.exec.command;
        expect(probe[2]).toMatch(/ >\/dev\/null$/);
        const shown = await app.run("psql", [probe[0]!, probe[1]!, probe[2]!.replace(/ >\/dev\/null$/, "")]);
        expect(shown.code, shown.output).toBe(0);
        expect(shown.output).toContain(`You are now connected to database "${stack.config.database.database}" as user "${APP.databaseRole}"`);
        expect(fetcher.output()).toContain(`read ${credsPath()}: HTTP 200, wrote`);
    });

    it("after rotate-role the next fetch writes the new password and the old one stops working (delay printed)", async () => {
        const interval = DELIVERY_INTERVALS.fetchIntervalSeconds;
        expect(app.container("fetcher").command[2]).toContain(`INTERVAL=${interval}\n`);
        const delays: { sinceFetch: number; delay: number }[] = [];
        let previous: string | undefined;
        for (let round = 1; round <= ROTATIONS; round++) {
            // Rotate at a different point of the fetch cycle each round: right after a fetch (the worst
            // case), then a third and two thirds of the interval later.
            const phase = ((round - 1) * interval) / ROTATIONS;
            await new Promise((r) => setTimeout(r, Math.max(0, lastWrite + phase * 1000 - performance.now())));
            const old = app.read(USER_PASSWORD_FILE)!;
            previous = old;
            await stack.vault.must("write", `${stack.config.database.databaseMount}/rotate-role/${APP.name}`, {});
            const rotated = performance.now();
            const sinceFetch = (rotated - lastWrite) / 1000;
            const fresh = await currentPassword();
            expect(fresh).not.toBe(old);
            expect(await loginState(env!.servers.pg, APP.databaseRole, old), `round ${round}: the old password`).toBe("28P01");
            const seen = await waitUntil(
                () => {
                    const now = app.read(USER_PASSWORD_FILE);
                    return now !== undefined && now !== old ? now : undefined;
                },
                { what: `round ${round}: the fetcher to write the rotated password`, timeoutMs: 3 * interval * 1000 + 10_000, intervalMs: 50 },
            );
            lastWrite = performance.now();
            delays.push({ sinceFetch, delay: (lastWrite - rotated) / 1000 });
            expect(seen).toBe(fresh);

            const check = await readiness(app);
            expect(check.code, `round ${round}: ${check.output}`).toBe(0);
        }

        // The same check in a copy of the pod whose file still holds the previous password.
        const stale = PodRoot.create(app.pod, "no token: this copy runs only the psql check");
        roots.push(stale);
        writeFileSync(stale.path(USER_PASSWORD_FILE), previous!, { mode: 0o600 });
        const refused = await readiness(stale);
        expect(refused.code).not.toBe(0);
        expect(refused.output).toMatch(/password authentication failed/);

        const table = deliveryPropagationTable();
        const manual = propagationDelaySeconds("direct", DELIVERY_INTERVALS, "manual");
        console.log(
            [
                `[kube] direct pattern, rotate-role -> ${USER_PASSWORD_FILE} changed (fetch interval ${interval} s):`,
                ...delays.map((d, i) => `  rotation ${i + 1}, ${d.sinceFetch.toFixed(1)} s after a fetch: ${d.delay.toFixed(1)} s`),
                `  max ${Math.max(...delays.map((d) => d.delay)).toFixed(1)} s; README worst case: ${table.direct} s (scheduled), ${manual} s (manual)`,
            ].join("\n"),
        );
    });

    it("revokes every Vault token it logged in with, prints no secret, and stops cleanly on SIGTERM", async () => {
        const mount = stack.config.kubernetesAuth.mount;
        const tokensFromMount = async (): Promise<number> => {
            const keys: string[] = (await stack.vault.must("list", "auth/token/accessors")).data.keys;
            let n = 0;
            for (const accessor of keys) {
                const r = await stack.vault.write("auth/token/lookup-accessor", { accessor });
                if (r.status === 200 && r.body.data.path === `auth/${mount}/login`) n++;
            }
            return n;
        };
        // Between rounds no token of this auth mount is alive (a round takes milliseconds).
        await waitUntil(async () => (await tokensFromMount()) === 0, { what: "no live token from the fetcher's logins", timeoutMs: 10_000 });

        expect(await app.stop(fetcher)).toBe(0);
        const out = fetcher.output();
        expect(out.match(/HTTP 200, wrote/g)!.length).toBeGreaterThanOrEqual(ROTATIONS + 1);
        for (const s of secretsInPlay) {
            expect(out).not.toContain(s);
        }
        expect(out).not.toContain("client_token");
    });

    it("the direct debug workload (DirectVaultAccess) keeps the admin secret's API response in its file", async () => {
        const db = stack.config.database;
        const debug = await podRoot(`${db.clusterName}-debug-direct`);
        // Its own ServiceAccount, the only one the admin role binds here.
        expect(adminRoleBinding(stack.config).serviceAccounts).toEqual([debug.pod.spec.serviceAccountName]);
        const script = debug.container("vault-client").command[2]!;
        const out = /^OUT="\$\{VAULTKIT_POD_ROOT:-\}"'([^']+)'$/m.exec(script)?.[1];
        expect(out).toBe(`/tmp/${db.clusterName}-vault`);
        const run = debug.start("vault-client");
        try {
            const raw = await waitUntil(() => debug.read(out!), { what: `the debug fetcher to write ${out}`, timeoutMs: 30_000, intervalMs: 20 });
            const expected = (await stack.vault.must("read", `${db.kvMount}/data/${db.adminSecretPath}`)).data.data;
            expect(JSON.parse(raw).data.data).toEqual(expected);
        } finally {
            expect(await debug.stop(run)).toBe(0);
        }
    });

    it("a fetcher given another pod's token is refused by Vault and writes nothing", async () => {
        // The application's pod layout and script, but the debug pod's token (its own ServiceAccount in hr-db).
        const debugPod = await stack.podOf(`${stack.config.database.clusterName}-debug-direct`);
        const alien = await stack.projectedToken(debugPod);
        const pod = await stack.podOf(APP.name);
        const root = PodRoot.create(pod, alien);
        roots.push(root);
        const run = root.start("fetcher");
        try {
            await waitUntil(() => /failed: HTTP 403/.test(run.output()), { what: "the refused login in the fetcher's log", timeoutMs: 30_000 });
            expect(run.output()).toContain(`login to auth/${stack.config.kubernetesAuth.mount} as role ${APP.name} failed: HTTP 403`);
            expect(run.output()).not.toContain(alien);
            expect(root.read(USER_PASSWORD_FILE)).toBeUndefined();
        } finally {
            expect(await root.stop(run)).toBe(0);
        }
    });
});
