/**
 * Kube tier: the HA bootstrap Job of a whole stack's first `pulumi up` (`vault.bootstrapOnly`,
 * docs/ha-vault.md), run for real (test/kube/support/bootstrapJob.ts): its kubectl steps as its own
 * ServiceAccount against a real kube-apiserver, its Vault steps with the real Vault CLI against a
 * real, sealed, three-member Raft Vault over TLS, the PGP keys in the stack's ConfigMap those of four
 * key holders with keyrings of their own (test/kube/support/pgp.ts). Two stacks: Shamir unsealing
 * (plain Kubernetes, no seal stanza), where the key holders unseal; and the production shape
 * (OpenShift, `production`, a transit seal stanza and its token from the environment as
 * `sealSecretEnv` gives it), where the members unseal themselves through a second Vault.
 *
 * What it proves: the Job initialises Vault once, with the flags the seal needs; stores exactly
 * Vault's PGP-encrypted output in the Secret the stack names, each share decryptable by its own
 * holder only and the root token by its holder; completes only once every member is unsealed; a
 * re-run initialises nothing and leaves the Secret alone; no step prints a share or the root token,
 * plain or encrypted; without its RoleBinding it stops before initialising; its RBAC is enough, and
 * no more than documented.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupMocks } from "../support/mocks";
import { BootstrapJobRun, type InitOutput } from "./support/bootstrapJob";
import { requireKubectl, waitForOutput, type RunningScript } from "./support/gateJobs";
import { Kube, kubeEnv, waitUntil } from "./support/kube";
import { haveGpg, KeyHolder } from "./support/pgp";
import { freePorts, TransitUnsealer, vaultBinary } from "./support/vaultRaft";

const env = kubeEnv();
const bin = env ? vaultBinary() : undefined;
const gpg = env ? haveGpg() : false;
const RUN = Date.now().toString(36);

let kube: Kube;
let holders: { alice: KeyHolder; bob: KeyHolder; carol: KeyHolder; dave: KeyHolder };

/** The ciphertexts of an init output and what the holders decrypted from it. */
function keyMaterial(init: InitOutput, decrypted: string[]): string[] {
    return [...decrypted, init.root_token, ...init.unseal_keys_b64, ...init.unseal_keys_hex, ...init.recovery_keys_b64, ...init.recovery_keys_hex];
}

/** Nothing of `material` in anything printed; and no JSON key of the init output or token prefix either. */
function expectNothingPrinted(printed: string[], material: string[]): void {
    expect(material.length).toBeGreaterThan(6);
    const all = printed.join("\n");
    for (const m of material) expect(all.includes(m), "a share, the root token or their ciphertext was printed").toBe(false);
    expect(all).not.toMatch(/hvs\.|unseal_keys|recovery_keys|root_token/);
}

const PGP = () => ({ pgpKeys: [holders.alice.publicKey, holders.bob.publicKey, holders.carol.publicKey], rootTokenPgpKey: holders.dave.publicKey, threshold: 2, timeout: "2m" });

describe.skipIf(!env || !bin || !gpg)("the HA bootstrap Job against a real sealed Raft Vault and a real kube-apiserver", () => {
    beforeAll(async () => {
        requireKubectl();
        kube = new Kube(env!);
        holders = { alice: new KeyHolder("alice"), bob: new KeyHolder("bob"), carol: new KeyHolder("carol"), dave: new KeyHolder("dave") };
        await setupMocks({ stack: "haboot" });
    });

    afterAll(() => {
        Object.values(holders ?? {}).forEach((h) => h.dispose());
        kube?.close();
    });

    describe("Shamir unsealing, plain Kubernetes: the key holders unseal", () => {
        let b: BootstrapJobRun;
        let material: string[] = [];
        /** The first pod's wait-unsealed step, still waiting for the key holders. */
        let waiting: RunningScript;

        beforeAll(async () => {
            const { parseStackConfig } = await import("../../stacks/config");
            const config = parseStackConfig("haboot", {
                platform: "kubernetes",
                vault: { server: "ha", namespace: `ha-shamir-${RUN}`, address: "https://127.0.0.1:8200", caSecretName: "vault-ca", bootstrapOnly: true, bootstrap: PGP() },
            });
            b = await BootstrapJobRun.prepare(kube, config, { bin: bin!, run: RUN, portOffset: 0 });
        }, 300_000);

        afterAll(async () => {
            await b?.stop();
        });

        it("without its RoleBinding, stops at preflight: nothing initialised, no Secret", async () => {
            const binding = b.rbac.find((o) => o.kind === "RoleBinding")!;
            await kube.delete({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", namespace: b.namespace, name: binding.metadata.name });
            await waitUntil(() => !b.sa.canI("create", "secrets", b.namespace), { what: "RoleBinding gone" });
            const r = await b.run("preflight");
            expect(r.code).toBe(1);
            expect(r.output).toContain(`the bootstrap service account cannot 'get secrets/vault-init-encrypted' in ${b.namespace}: the init output could not be stored, so Vault is not initialised`);
            expect([0, 1, 2].map((i) => b.initialised(i))).toEqual([false, false, false]);
            expect(await kube.get(b.secret)).toBeUndefined();
            await kube.apply(binding);
            await waitUntil(() => b.sa.canI("create", "secrets", b.namespace), { what: "RoleBinding back" });
        });

        it("initialises vault-0 once with unseal-key shares, stores Vault's encrypted output in vault-init-encrypted, empties the memory volume, then waits for the key holders", async () => {
            const { outputs, waitUnsealed } = await b.pod();
            const all = Object.entries(outputs).map(([k, v]) => `${k}: ${v}`).join("\n");
            expect(outputs.preflight, all).toContain("RBAC allows storing the encrypted init output in Secret vault-init-encrypted");
            expect(outputs.init, all).toContain("initialising Vault on vault-0 (3 unseal key shares, threshold 2; shares and root token PGP-encrypted)");
            expect(outputs.store, all).toContain("encrypted init output stored in Secret vault-init-encrypted (key init.json)");
            expect(b.initCalls()).toBe(1);
            expect([0, 1, 2].map((i) => b.initialised(i))).toEqual([true, false, false]); // the others join once unsealed
            const secret = (await kube.get(b.secret))!;
            expect(Object.keys(secret.data as object)).toEqual(["init.json"]);
            expect(secret.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "vaultkit-bootstrap", "app.kubernetes.io/component": "vault-init" });
            const init = await b.storedInitOutput();
            expect(init).toMatchObject({ unseal_shares: 3, unseal_threshold: 2, recovery_keys_b64: [] });
            expect(init.unseal_keys_b64).toHaveLength(3);
            // PGP packets (a public-key encrypted session key first), not keys or a token.
            for (const v of [...init.unseal_keys_b64, init.root_token]) expect(Buffer.from(v, "base64")[0]! & 0x80, v).toBe(0x80);
            expect(b.workFiles()).toEqual([]);
            waiting = waitUnsealed;
            await waitForOutput(waitUnsealed, "vault-0 is sealed: key holders decrypt their shares from Secret vault-init-encrypted and run 'vault operator unseal' against it (threshold 2)");
            expect(waitUnsealed.running()).toBe(true);
        }, 120_000);

        it("each holder decrypts only their own share; two shares unseal every member, and only then the Job completes; dave's root token works", async () => {
            const init = await b.storedInitOutput();
            const { alice, bob, carol, dave } = holders;
            expect(() => carol.decrypt(init.unseal_keys_b64[0]!)).toThrow("carol cannot decrypt");
            expect(() => alice.decrypt(init.root_token)).toThrow("alice cannot decrypt");
            const shares = [alice.decrypt(init.unseal_keys_b64[0]!), bob.decrypt(init.unseal_keys_b64[1]!)];
            const root = dave.decrypt(init.root_token);
            material = keyMaterial(init, [...shares, root]);
            for (let i = 0; i < 3; i++) {
                expect(waiting.running(), waiting.output()).toBe(true);
                // A follower takes shares once retry_join found the initialised leader (until then it
                // answers "not initialized"); with them it joins Raft and unseals.
                const first = await waitUntil(
                    () => {
                        const r = b.vault.cli(i, ["operator", "unseal"], [shares[0]!]);
                        return /not initialized/.test(r.stderr) ? undefined : r;
                    },
                    { what: `vault-${i} taking shares`, timeoutMs: 60_000, intervalMs: 1000 },
                );
                expect(first.status, first.stderr).toBe(0);
                const second = b.vault.cli(i, ["operator", "unseal"], [shares[1]!]);
                expect(second.status, second.stderr).toBe(0);
                await waitUntil(() => b.vault.cli(i, ["status"]).status === 0, { what: `vault-${i} unsealed`, timeoutMs: 60_000 });
            }
            const done = await waiting.done;
            expect(done.code, done.stdout + done.stderr).toBe(0);
            expect(done.stdout).toContain("all 3 Raft members are initialised and unsealed");
            expect(root).toMatch(/^hvs\./);
            const lookup = b.vault.cli(0, ["token", "lookup"], [], { VAULT_TOKEN: root });
            expect(lookup.status, lookup.stderr).toBe(0);
            expect(lookup.stdout).toMatch(/policies\s+\[root\]/);
        }, 180_000);

        it("a re-run (a replaced Job) initialises nothing, leaves the Secret untouched and completes at once", async () => {
            const before = (await kube.get(b.secret))!.metadata.resourceVersion;
            const { outputs, waitUnsealed } = await b.pod();
            expect(outputs.init).toContain("vault-0 is already initialised: nothing to initialise");
            expect(outputs.store).toContain("no new init output (Vault was already initialised): Secret vault-init-encrypted left untouched");
            const done = await waitUnsealed.done;
            expect(done.code, done.stdout + done.stderr).toBe(0);
            expect(b.initCalls()).toBe(1);
            expect((await kube.get(b.secret))!.metadata.resourceVersion).toBe(before);
        }, 120_000);

        it("never printed a share, the root token, or their ciphertext, in any step", async () => {
            await new Promise((r) => setTimeout(r, 100)); // the last step's output is collected as it exits
            expect(b.printed.length).toBe(9); // preflight refused; 4 steps; 4 steps again
            expectNothingPrinted(b.printed, material);
        });

        it("holds RBAC for its one Secret and for creating Secrets in its namespace, nothing more", () => {
            const ns = b.namespace;
            expect(["get", "patch"].map((v) => b.sa.canI(v, "secrets/vault-init-encrypted", ns))).toEqual([true, true]);
            expect(b.sa.canI("create", "secrets", ns)).toBe(true); // not restrictable by name (vaultBootstrapRules)
            expect([
                b.sa.canI("get", "secrets/other", ns),
                b.sa.canI("list", "secrets", ns),
                b.sa.canI("watch", "secrets", ns),
                b.sa.canI("delete", "secrets/vault-init-encrypted", ns),
                b.sa.canI("update", "secrets/vault-init-encrypted", ns),
                b.sa.canI("create", "secrets", "default"),
                b.sa.canI("get", "pods", ns),
                b.sa.canI("create", "pods/exec", ns),
                b.sa.canI("get", "configmaps", ns),
            ]).toEqual([false, false, false, false, false, false, false, false, false]);
        });
    });

    describe("transit auto-unseal, the production shape on OpenShift: nobody unseals", () => {
        let b: BootstrapJobRun;
        let transit: TransitUnsealer;

        beforeAll(async () => {
            // The dev server also listens on the next port (its cluster listener).
            transit = await TransitUnsealer.start(bin!, (await freePorts(1, 6))[0]!);
            const { parseStackConfig } = await import("../../stacks/config");
            const config = parseStackConfig(
                "haboot",
                {
                    platform: "openshift",
                    production: true,
                    vault: {
                        server: "ha",
                        namespace: `ha-transit-${RUN}`,
                        address: "https://vault.apps.example.com",
                        routeHost: "vault.apps.example.com",
                        caSecretName: "vault-ca",
                        sealConfig: transit.sealStanza(),
                        sealSecretEnv: [{ envName: "VAULT_TOKEN", secretName: "vault-transit-token", secretKey: "token" }],
                        bootstrapOnly: true,
                        bootstrap: PGP(),
                    },
                },
                {},
            );
            // The members read the transit token from VAULT_TOKEN, as sealSecretEnv puts it in the pods.
            b = await BootstrapJobRun.prepare(kube, config, { bin: bin!, run: RUN, sealEnv: { VAULT_TOKEN: transit.token }, portOffset: 8 });
        }, 300_000);

        afterAll(async () => {
            await b?.stop();
            transit?.stop();
        });

        it("initialises with recovery shares; every member unseals through the transit seal and the Job completes with nobody involved", async () => {
            const { outputs, waitUnsealed } = await b.pod();
            expect(outputs.init).toContain("initialising Vault on vault-0 (3 recovery key shares, threshold 2; shares and root token PGP-encrypted)");
            const done = await waitUnsealed.done;
            expect(done.code, done.stdout + done.stderr).toBe(0);
            expect(done.stdout).toContain("all 3 Raft members are initialised and unsealed");
            expect([0, 1, 2].map((i) => b.initialised(i))).toEqual([true, true, true]);
            expect(b.initCalls()).toBe(1);
        }, 180_000);

        it("stores recovery shares each holder decrypts alone, and a root token only dave decrypts, which works; nothing printed", async () => {
            const init = await b.storedInitOutput();
            expect(init).toMatchObject({ recovery_keys_shares: 3, recovery_keys_threshold: 2, unseal_keys_b64: [] });
            const { alice, bob, carol, dave } = holders;
            expect(() => bob.decrypt(init.recovery_keys_b64[0]!)).toThrow("bob cannot decrypt");
            const shares = [alice.decrypt(init.recovery_keys_b64[0]!), bob.decrypt(init.recovery_keys_b64[1]!), carol.decrypt(init.recovery_keys_b64[2]!)];
            expect(() => carol.decrypt(init.root_token)).toThrow("carol cannot decrypt");
            const root = dave.decrypt(init.root_token);
            const lookup = b.vault.cli(1, ["token", "lookup"], [], { VAULT_TOKEN: root });
            expect(lookup.status, lookup.stderr).toBe(0);
            expect(lookup.stdout).toMatch(/policies\s+\[root\]/);
            await new Promise((r) => setTimeout(r, 100));
            expectNothingPrinted(b.printed, keyMaterial(init, [...shares, root]));
        });
    });
});
