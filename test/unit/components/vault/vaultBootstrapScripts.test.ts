/**
 * components/vault/vaultBootstrapScripts.ts: the bootstrap Job's four scripts, checked as text and
 * executed against fake `vault`, `kubectl` and `date` commands, and the data they share.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectInOrder } from "../../../support/order";
import { KEY_A, KEY_B, REAL_PUBLIC_KEY } from "../../../support/pgpKeys";

import * as m from "../../../../components/vault/vaultBootstrapScripts";

const SPEC = { releaseName: "vault", replicas: 3, shares: 3, threshold: 2, autoUnseal: true, timeoutSeconds: 900 };

describe("PGP public keys", () => {
    it("puts one file per key in the ConfigMap data, base64 with no newline (Vault reads it verbatim)", () => {
        const data = m.pgpKeysConfigMapData([REAL_PUBLIC_KEY + "\n", KEY_A], KEY_B);
        expect(data).toEqual({ "share-0.public-key": REAL_PUBLIC_KEY, "share-1.public-key": KEY_A, "root-token.public-key": KEY_B });
    });
});

describe("share configuration", () => {
    it("accepts keys >= threshold >= 1, with threshold >= 2 for several shares (Vault's SealConfig rules)", () => {
        expect(() => m.validateBootstrapSpec(SPEC)).not.toThrow();
        expect(() => m.validateBootstrapSpec({ ...SPEC, shares: 1, threshold: 1 })).not.toThrow();
        expect(() => m.validateBootstrapSpec({ ...SPEC, threshold: 4 })).toThrow(/cannot exceed/);
        expect(() => m.validateBootstrapSpec({ ...SPEC, threshold: 0 })).toThrow(/at least 1/);
        expect(() => m.validateBootstrapSpec({ ...SPEC, threshold: 1 })).toThrow(/at least 2/);
        expect(() => m.validateBootstrapSpec({ ...SPEC, shares: 0, threshold: 1 })).toThrow(/from 1 to 255/);
        expect(() => m.validateBootstrapSpec({ ...SPEC, releaseName: "Vault; rm -rf /" })).toThrow(/DNS label/);
    });

    it("takes each count up to its edge and names the first one out of range, exactly", () => {
        const ok = (over: Partial<typeof SPEC>) => expect(() => m.validateBootstrapSpec({ ...SPEC, ...over })).not.toThrow();
        const refused = (over: Partial<typeof SPEC>, message: string) => expect(() => m.validateBootstrapSpec({ ...SPEC, ...over })).toThrow(new Error(message));
        ok({ replicas: 1 });
        ok({ replicas: 9 });
        refused({ replicas: 0 }, "replicas must be a whole number from 1 to 9, got 0");
        refused({ replicas: 10 }, "replicas must be a whole number from 1 to 9, got 10");
        refused({ replicas: 2.5 }, "replicas must be a whole number from 1 to 9, got 2.5");
        ok({ shares: 255 });
        refused({ shares: 256 }, "the number of PGP keys (key shares) must be from 1 to 255, got 256");
        refused({ shares: 1.5, threshold: 1 }, "the number of PGP keys (key shares) must be from 1 to 255, got 1.5");
        refused({ threshold: 1.5 }, "threshold must be a whole number of at least 1, got 1.5");
        refused({ threshold: 4 }, "threshold (4) cannot exceed the number of PGP keys (3)");
        refused({ threshold: 1 }, "threshold must be at least 2 when there are 3 key shares (Vault refuses a threshold of 1 for multiple shares)");
        ok({ timeoutSeconds: 60 });
        refused({ timeoutSeconds: 59 }, "timeoutSeconds must be a whole number of at least 60, got 59");
        refused({ timeoutSeconds: 90.5 }, "timeoutSeconds must be a whole number of at least 60, got 90.5");
        refused({ releaseName: "vault.prod" }, 'releaseName must be a DNS label of at most 40 characters, got "vault.prod"');
        // The scripts that splice the spec check it themselves.
        expect(() => m.vaultInitScript({ ...SPEC, replicas: 0 })).toThrow(/replicas must be/);
        expect(() => m.vaultUnsealWaitScript({ ...SPEC, replicas: 0 }, "vault-init-encrypted")).toThrow(/replicas must be/);
    });

    it("refuses a Secret name that is no DNS label in the two kubectl steps", () => {
        for (const build of [m.vaultBootstrapPreflightScript, (n: string) => m.vaultBootstrapStoreScript(n)]) {
            expect(() => build("Init_Output")).toThrow(new Error('secret name must be a DNS label, got "Init_Output"'));
            expect(build("vault-init-encrypted")).toContain("vault-init-encrypted");
        }
    });

    it("names the key that is wrong: which share, or the root token's", () => {
        expect(() => m.pgpKeysConfigMapData([KEY_A, "keybase:bob"], KEY_B)).toThrow(/^PGP key for share 1: Keybase look-ups are not supported/);
        expect(() => m.pgpKeysConfigMapData([KEY_A], "")).toThrow(new Error("root token PGP key: expected a base64 PGP public key, got nothing"));
    });

    it("uses the recovery flags with auto-unseal and the unseal-key flags without, always PGP for shares and root token", () => {
        expect(m.vaultInitFlags({ shares: 3, threshold: 2, autoUnseal: true })).toEqual([
            "-recovery-shares=3",
            "-recovery-threshold=2",
            "-recovery-pgp-keys=/vault/pgp/share-0.public-key,/vault/pgp/share-1.public-key,/vault/pgp/share-2.public-key",
            "-root-token-pgp-key=/vault/pgp/root-token.public-key",
        ]);
        expect(m.vaultInitFlags({ shares: 1, threshold: 1, autoUnseal: false })).toEqual([
            "-key-shares=1",
            "-key-threshold=1",
            "-pgp-keys=/vault/pgp/share-0.public-key",
            "-root-token-pgp-key=/vault/pgp/root-token.public-key",
        ]);
    });
});

describe("scripts (text)", () => {
    const scripts = () => ({
        init: m.vaultInitScript(SPEC),
        preflight: m.vaultBootstrapPreflightScript("vault-init-encrypted"),
        store: m.vaultBootstrapStoreScript("vault-init-encrypted"),
        wait: m.vaultUnsealWaitScript(SPEC, "vault-init-encrypted"),
    });

    it("are valid POSIX sh", () => {
        for (const [name, script] of Object.entries(scripts())) {
            const r = spawnSync("sh", ["-n"], { input: script, encoding: "utf8" });
            expect(r.status, `${name}: ${r.stderr}`).toBe(0);
        }
    });

    it("never trace, print or pass the init output on a command line", () => {
        for (const script of Object.values(scripts())) {
            expect(script).not.toMatch(/set -[a-z]*x/);
            expect(script).not.toMatch(/\bcat\b[^\n]*init\.json/);
            expect(script).not.toMatch(/echo[^\n]*\$\((b64|cat)/);
            expect(script).not.toMatch(/--from-literal|--token|VAULT_TOKEN|-tls-skip-verify|VAULT_SKIP_VERIFY|insecure/i);
        }
        // The init JSON goes to the memory volume, never to the log.
        expect(scripts().init).toMatch(/vault operator init -format=json [^\n]*\\\n(  -[^\n]*\\\n)*  -root-token-pgp-key=[^\n]* > \/bootstrap\/init\.json\.tmp\n/);
        // The patch with the ciphertext goes through a file, not argv.
        expect(scripts().store).toContain("--patch-file=/bootstrap/patch.json");
    });

    it("checks `initialized` before init, over TLS against the mounted CA, and only initialises <release>-0", () => {
        const init = scripts().init;
        expect(init).toContain('addr() { echo "https://vault-$1.vault-internal.${POD_NAMESPACE}.svc:8200"; }');
        expect(init).toContain("vault operator init -status -address=\"$(addr \"$1\")\" -ca-cert=/vault/tls/ca.crt");
        // <release>-0's status decides first (initialised: exit), then every peer's, then the init.
        expectInOrder(
            init,
            ["set +e; init_status 0; rc=$?; set -e", 'if [ "$rc" -eq 0 ]; then echo "vault-0 is already initialised: nothing to initialise"; exit 0; fi', 'set +e; init_status "$i"; rc=$?; set -e', "vault operator init -format=json"],
            "init script",
        );
        expect(init).toContain('vault operator init -format=json -address="$(addr 0)" -ca-cert=/vault/tls/ca.crt');
        expect(init).toContain("-recovery-pgp-keys=/vault/pgp/share-0.public-key,/vault/pgp/share-1.public-key,/vault/pgp/share-2.public-key");
        expect(init).toContain("-root-token-pgp-key=/vault/pgp/root-token.public-key");
        expect(init).not.toMatch(/http:\/\//);
        expect(scripts().wait).toContain('vault status -address="$(addr "$1")" -ca-cert=/vault/tls/ca.crt');
    });
});

// ---------------------------------------------------------------------------------------------
// The scripts run against stub `vault`, `kubectl`, `date` and `sleep` commands
// ---------------------------------------------------------------------------------------------

const VAULT_STUB = `#!/bin/sh
echo "$*" >> "$STATE/vault.calls"
addr=""; st=0
for a in "$@"; do case "$a" in -address=*) addr="\${a#-address=}";; -status) st=1;; esac; done
n=$(echo "$addr" | sed -n 's|^https://vault-\\([0-9]*\\)\\.vault-internal\\.vault\\.svc:8200$|\\1|p')
[ -n "$n" ] || { echo "bad address $addr" >&2; exit 1; }
[ -e "$STATE/down-$n" ] && { echo "connection refused" >&2; exit 1; }
case "$1" in
  operator)
    if [ "$st" = 1 ]; then [ -e "$STATE/initialised-$n" ] && exit 0; exit 2; fi
    [ -e "$STATE/initialised-$n" ] && { echo "Error initializing: Vault is already initialized" >&2; exit 2; }
    [ -e "$STATE/fail-init" ] && { echo "Error initializing: internal error" >&2; exit 1; }
    touch "$STATE/initialised-$n"
    # A slow init (Raft + PGP on a loaded node, a KMS seal): a caller with a short client timeout
    # gives up while the server finishes, and the output is gone.
    t=\${VAULT_CLIENT_TIMEOUT%s}; [ -e "$STATE/slow-init" ] && [ "\${t:-60}" -lt 60 ] && { echo "Error initializing: context deadline exceeded" >&2; exit 2; }
    token=wcFMA0ROOTCIPHERTEXT; [ -e "$STATE/plaintext" ] && token=hvs.PLAINTEXTROOTTOKEN
    printf '{\\n  "recovery_keys_b64": [\\n    "wcFMA0SHARECIPHERTEXT"\\n  ],\\n  "root_token": "%s"\\n}\\n' "$token"
    exit 0;;
  status) [ -e "$STATE/unsealed-$n" ] && exit 0; exit 2;;
esac
exit 1
`;

const KUBECTL_STUB = `#!/bin/sh
echo "$*" >> "$STATE/kubectl.calls"
out=""; prev=""
for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done
case "$1" in
  auth) [ -e "$STATE/deny" ] && { echo no; exit 1; }; echo yes; exit 0;;
  get)
    if [ ! -d "$STATE/secret" ]; then [ "$out" = name ] && exit 0; echo "NotFound" >&2; exit 1; fi
    case "$out" in
      name) echo "secret/$3";;
      go-template=*) [ -e "$STATE/corrupt-once" ] && { rm "$STATE/corrupt-once"; echo garbage; exit 0; }; key=$(echo "$out" | sed 's/.*"\\(.*\\)".*/\\1/'); cat "$STATE/secret/$key" 2>/dev/null;;
    esac
    exit 0;;
  create)
    [ -e "$STATE/deny-create" ] && { echo "Forbidden" >&2; exit 1; }
    [ -d "$STATE/secret" ] && { echo "AlreadyExists" >&2; exit 1; }
    for a in "$@"; do case "$a" in --from-file=*) spec="\${a#--from-file=}";; esac; done
    mkdir "$STATE/secret"; base64 < "\${spec#*=}" | tr -d '\\n' > "$STATE/secret/\${spec%%=*}"; exit 0;;
  patch)
    for a in "$@"; do case "$a" in --patch-file=*) pf="\${a#--patch-file=}";; esac; done
    key=$(sed 's|.*"path":"/data/\\([^"]*\\)".*|\\1|' "$pf"); val=$(sed 's|.*"value":"\\([^"]*\\)".*|\\1|' "$pf")
    printf '%s' "$val" > "$STATE/secret/$key"; exit 0;;
  label) exit 0;;
esac
exit 3
`;

// Records each pause and runs the test's hook (a member that comes up while the script waits).
const SLEEP_STUB = `#!/bin/sh
echo "$*" >> "$STATE/sleep.calls"
[ -f "$STATE/on-sleep" ] && . "$STATE/on-sleep"
exit 0
`;

// Every call advances the clock 29 s, so deadlines expire without real waiting.
const DATE_STUB = `#!/bin/sh
n=$(cat "$STATE/clock" 2>/dev/null || echo 1000000); n=$((n + 29)); echo "$n" > "$STATE/clock"; echo "$n"
`;

interface Sandbox {
    state: string;
    work: string;
    /** Runs the script with `sh` (dash here), or another shell: `bash --posix` is /bin/sh of the RHEL-based kubectl image. */
    run(script: string, shell?: string[]): { status: number | null; log: string };
    touch(...names: string[]): void;
    exists(name: string): boolean;
    read(name: string): string;
}

const sandboxes: string[] = [];
afterAll(() => sandboxes.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function sandbox(): Sandbox {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "vault-bootstrap-"));
    sandboxes.push(root);
    const bin = path.join(root, "bin");
    const state = path.join(root, "state");
    const work = path.join(root, "work");
    [bin, state, work].forEach((d) => fs.mkdirSync(d));
    const stubs: Record<string, string> = { vault: VAULT_STUB, kubectl: KUBECTL_STUB, date: DATE_STUB, sleep: SLEEP_STUB };
    for (const [name, body] of Object.entries(stubs)) {
        fs.writeFileSync(path.join(bin, name), body, { mode: 0o755 });
    }
    return {
        state,
        work,
        run(script, shell = ["sh"]) {
            const local = script.split(m.BOOTSTRAP_PATHS.work).join(work);
            const r = spawnSync(shell[0]!, [...shell.slice(1), "-c", local], {
                encoding: "utf8",
                // VAULT_CLIENT_TIMEOUT as the pod gives the Vault steps (vaultBootstrapPodSpec).
                env: { PATH: `${bin}:${process.env.PATH}`, POD_NAMESPACE: "vault", STATE: state, HOME: root, VAULT_CLIENT_TIMEOUT: "10s" },
            });
            return { status: r.status, log: `${r.stdout}${r.stderr}` };
        },
        touch: (...names) => names.forEach((n) => fs.writeFileSync(path.join(state, n), "")),
        exists: (name) => fs.existsSync(path.join(state, name)),
        read: (name) => fs.readFileSync(path.join(state, name), "utf8"),
    };
}

const SECRET = "vault-init-encrypted";
const pipeline = (s: Sandbox, spec = SPEC) => {
    const steps = [
        m.vaultBootstrapPreflightScript(SECRET),
        m.vaultInitScript(spec),
        m.vaultBootstrapStoreScript(SECRET),
        m.vaultUnsealWaitScript(spec, SECRET),
    ];
    const logs: string[] = [];
    for (const step of steps) {
        const r = s.run(step);
        logs.push(r.log);
        if (r.status !== 0) return { status: r.status, log: logs.join("") };
    }
    return { status: 0, log: logs.join("") };
};
const noKeyMaterial = (log: string) => {
    expect(log).not.toMatch(/CIPHERTEXT|PLAINTEXTROOTTOKEN|root_token|recovery_keys/);
};

describe("scripts (executed)", () => {
    it("initialises a fresh cluster once, stores exactly the ciphertext, deletes the file, waits for unseal", () => {
        const s = sandbox();
        s.touch("unsealed-0", "unsealed-1", "unsealed-2");
        const r = pipeline(s);
        expect(r.status, r.log).toBe(0);
        expect(s.exists("initialised-0")).toBe(true);
        expect(s.exists("initialised-1")).toBe(false);
        const stored = Buffer.from(s.read("secret/init.json"), "base64").toString("utf8");
        expect(JSON.parse(stored)).toEqual({ recovery_keys_b64: ["wcFMA0SHARECIPHERTEXT"], root_token: "wcFMA0ROOTCIPHERTEXT" });
        expect(fs.readdirSync(s.work)).toEqual([]);
        expect(s.read("vault.calls").match(/operator init -format=json/g)).toHaveLength(1);
        expect(r.log).toContain("all 3 Raft members are initialised and unsealed");
        noKeyMaterial(r.log);
    });

    it("gives the init call the whole budget, not the status calls' 10 s: a slow init still hands its output to store", () => {
        // Found in the kube tier (test/kube/vault-bootstrap.test.ts) on a loaded machine: the init call
        // timed out client-side, the server finished, and the keys were lost.
        expect(m.vaultInitScript(SPEC)).toContain("VAULT_CLIENT_TIMEOUT=900s vault operator init -format=json");
        const s = sandbox();
        s.touch("unsealed-0", "unsealed-1", "unsealed-2", "slow-init");
        const r = pipeline(s);
        expect(r.status, r.log).toBe(0);
        expect(r.log).toContain("encrypted init output stored in Secret vault-init-encrypted (key init.json)");
        expect(JSON.parse(Buffer.from(s.read("secret/init.json"), "base64").toString("utf8")).root_token).toBe("wcFMA0ROOTCIPHERTEXT");
    });

    it("says, when its init call failed but vault-0 is initialised, that another run did it or the answer was lost", () => {
        const s = sandbox();
        s.touch("unsealed-0", "unsealed-1", "unsealed-2", "slow-init");
        const short = m.vaultInitScript(SPEC).replace("VAULT_CLIENT_TIMEOUT=900s ", "");
        const r = s.run(short);
        expect(r.status, r.log).toBe(0);
        expect(r.log).toContain("vault-0 is initialised, but this run's 'vault operator init' failed (exit 2): another run initialised it at the same time (its store step keeps the output), or this call's answer was lost.");
        expect(s.run(m.vaultBootstrapStoreScript(SECRET)).log).toContain("no new init output");
    });

    it("is idempotent: a re-run or a replaced Job initialises nothing and leaves the Secret untouched", () => {
        const s = sandbox();
        s.touch("unsealed-0", "unsealed-1", "unsealed-2");
        expect(pipeline(s).status).toBe(0);
        const before = s.read("secret/init.json");
        fs.rmSync(path.join(s.state, "kubectl.calls"));
        const again = pipeline(s);
        expect(again.status, again.log).toBe(0);
        expect(s.read("vault.calls").match(/operator init -format=json/g)).toHaveLength(1);
        expect(fs.readdirSync(path.join(s.state, "secret"))).toEqual(["init.json"]);
        expect(s.read("secret/init.json")).toBe(before);
        expect(s.read("kubectl.calls")).not.toMatch(/^(create|patch)/m);
        expect(again.log).toContain("left untouched");
    });

    it("keeps an earlier initialisation's Secret and adds the new output under a new key", () => {
        const s = sandbox();
        fs.mkdirSync(path.join(s.state, "secret"));
        fs.writeFileSync(path.join(s.state, "secret", "init.json"), "T0xE");
        s.touch("unsealed-0", "unsealed-1", "unsealed-2");
        const r = pipeline(s);
        expect(r.status, r.log).toBe(0);
        const keys = fs.readdirSync(path.join(s.state, "secret")).sort();
        expect(keys[0]).toMatch(/^init-[0-9]+\.json$/);
        expect(keys[1]).toBe("init.json");
        expect(s.read("secret/init.json")).toBe("T0xE");
        expect(Buffer.from(s.read(`secret/${keys[0]}`), "base64").toString("utf8")).toContain("wcFMA0ROOTCIPHERTEXT");
        noKeyMaterial(r.log);
    });

    it("never starts a second cluster: with a peer initialised it waits for <release>-0 to rejoin", () => {
        const s = sandbox();
        s.touch("initialised-1");
        const r = s.run(m.vaultInitScript(SPEC));
        expect(r.status).toBe(1);
        expect(r.log).toMatch(/not initialising a second cluster[\s\S]*did not rejoin/);
        expect(s.exists("initialised-0")).toBe(false);
        expect(s.read("vault.calls")).not.toContain("-format=json");
    });

    it("waits for every member to answer before initialising, and gives up at the deadline", () => {
        const s = sandbox();
        s.touch("down-2");
        const r = s.run(m.vaultInitScript(SPEC));
        expect(r.status).toBe(1);
        expect(r.log).toContain("timed out waiting for https://vault-2.vault-internal.vault.svc:8200");
        expect(s.exists("initialised-0")).toBe(false);
    });

    it("refuses and destroys init output with a plaintext root token; every later step fails", () => {
        const s = sandbox();
        s.touch("plaintext", "unsealed-0", "unsealed-1", "unsealed-2");
        const r = pipeline(s);
        expect(r.status).toBe(1);
        expect(r.log).toContain("refusing to store init output with a plaintext root token");
        expect(s.exists("secret")).toBe(false);
        expect(fs.readdirSync(s.work)).toEqual(["refused"]);
        expect(s.run(m.vaultBootstrapStoreScript(SECRET)).status).toBe(1);
        expect(s.run(m.vaultInitScript(SPEC)).status).toBe(1);
        noKeyMaterial(r.log);
    });

    it("stops before init when RBAC would not let it store the output", () => {
        const s = sandbox();
        s.touch("deny");
        const r = pipeline(s);
        expect(r.status).toBe(1);
        expect(r.log).toContain("cannot 'get secrets/vault-init-encrypted'");
        expect(s.exists("vault.calls")).toBe(false);
    });

    it("completes only when every member is unsealed, with Shamir instructions when there is no auto-unseal", () => {
        const s = sandbox();
        s.touch("unsealed-0", "unsealed-2");
        const auto = s.run(m.vaultUnsealWaitScript(SPEC, SECRET));
        expect(auto.status).toBe(1);
        expect(auto.log).toContain("timed out: vault-1 is not unsealed");
        const manual = s.run(m.vaultUnsealWaitScript({ ...SPEC, autoUnseal: false }, SECRET));
        expect(manual.log).toContain("key holders decrypt their shares from Secret vault-init-encrypted and run 'vault operator unseal'");
        s.touch("unsealed-1");
        expect(s.run(m.vaultUnsealWaitScript(SPEC, SECRET)).status).toBe(0);
    });
});

describe("scripts (executed), exactly what they say and do", () => {
    const logOf = (s: Sandbox, name: string) => (s.exists(name) ? s.read(name) : "");
    const onSleep = (s: Sandbox, hook: string) => fs.writeFileSync(path.join(s.state, "on-sleep"), hook);
    const pending = (s: Sandbox) => fs.writeFileSync(path.join(s.work, "init.json"), '{"root_token":"wcFMA0ROOTCIPHERTEXT"}\n');

    it("start in strict mode with private files, every one of them", () => {
        const all = [m.vaultInitScript(SPEC), m.vaultBootstrapPreflightScript(SECRET), m.vaultBootstrapStoreScript(SECRET), m.vaultUnsealWaitScript(SPEC, SECRET)];
        for (const script of all) {
            expect(script.split("\n")[0]).toBe("set -eu");
        }
        for (const script of [all[0]!, all[2]!, all[3]!]) {
            expect(script.split("\n")[1]).toBe("umask 077");
        }
        // Strict mode is back on right after init's exit code is read.
        expectInOrder(all[0]!, ["set +e\nVAULT_CLIENT_TIMEOUT=", "rc=$?\nset -e\n", 'if [ "$rc" -ne 0 ]; then'], "init script");
        // Only the owner can read the init output on the memory volume.
        const s = sandbox();
        expect(s.run(m.vaultInitScript(SPEC)).status).toBe(0);
        expect(fs.statSync(path.join(s.work, "init.json")).mode & 0o777).toBe(0o600);
    });

    it("tells the whole story of a fresh cluster, step by step, and labels the Secret", () => {
        const s = sandbox();
        s.touch("unsealed-0", "unsealed-1", "unsealed-2");
        const r = pipeline(s);
        expect(r.status, r.log).toBe(0);
        expect(r.log).toBe(
            [
                "RBAC allows storing the encrypted init output in Secret vault-init-encrypted",
                "initialising Vault on vault-0 (3 recovery key shares, threshold 2; shares and root token PGP-encrypted)",
                "Vault initialised; the encrypted output is handed to the store step",
                "encrypted init output stored in Secret vault-init-encrypted (key init.json)",
                "vault-0 is unsealed",
                "vault-1 is unsealed",
                "vault-2 is unsealed",
                "all 3 Raft members are initialised and unsealed",
                "",
            ].join("\n"),
        );
        expect(logOf(s, "kubectl.calls").split("\n")).toContain(
            "label secret vault-init-encrypted -n vault --overwrite app.kubernetes.io/managed-by=vaultkit-bootstrap app.kubernetes.io/component=vault-init",
        );
        expect(logOf(s, "sleep.calls")).toBe("");
    });

    it("keeps waiting 5 s at a time for <release>-0 to answer, then gives up at the deadline", () => {
        const s = sandbox();
        s.touch("down-0");
        const r = s.run(m.vaultInitScript(SPEC));
        expect(r).toEqual({ status: 1, log: "timed out waiting for https://vault-0.vault-internal.vault.svc:8200 to answer over TLS\n" });
        const sleeps = logOf(s, "sleep.calls").trim().split("\n");
        expect(sleeps.length).toBeGreaterThan(1);
        expect(new Set(sleeps)).toEqual(new Set(["5"]));
    });

    it("waits 5 s at a time for a peer to answer", () => {
        const s = sandbox();
        s.touch("down-2");
        expect(s.run(m.vaultInitScript(SPEC)).status).toBe(1);
        expect(new Set(logOf(s, "sleep.calls").trim().split("\n"))).toEqual(new Set(["5"]));
    });

    it("with a peer initialised, waits for <release>-0 to rejoin, then initialises nothing", () => {
        const s = sandbox();
        s.touch("initialised-1");
        onSleep(s, 'touch "$STATE/initialised-0"\n');
        expect(s.run(m.vaultInitScript(SPEC))).toEqual({
            status: 0,
            log:
                "vault-1 is initialised but vault-0 is not: not initialising a second cluster; waiting for vault-0 to rejoin through retry_join\n" +
                "vault-0 rejoined the initialised cluster: nothing to initialise\n",
        });
        expect(logOf(s, "sleep.calls")).toBe("5\n");
        expect(logOf(s, "vault.calls")).not.toContain("-format=json");
    });

    it("reports a failed init, keeps no partial output, and fails", () => {
        const s = sandbox();
        s.touch("fail-init");
        expect(s.run(m.vaultInitScript({ ...SPEC, autoUnseal: false }))).toEqual({
            status: 1,
            log: "initialising Vault on vault-0 (3 unseal key shares, threshold 2; shares and root token PGP-encrypted)\nError initializing: internal error\nvault operator init failed (exit 1)\n",
        });
        expect(fs.readdirSync(s.work)).toEqual([]);
    });

    it("stops right after refusing a plaintext root token", () => {
        const s = sandbox();
        s.touch("plaintext");
        expect(s.run(m.vaultInitScript(SPEC))).toEqual({
            status: 1,
            log:
                "initialising Vault on vault-0 (3 recovery key shares, threshold 2; shares and root token PGP-encrypted)\n" +
                "refusing to store init output with a plaintext root token; it was destroyed. Re-initialise Vault (wipe its PVCs) after fixing the PGP keys.\n",
        });
        expect(fs.readdirSync(s.work)).toEqual(["refused"]);
    });

    it("hands a retried init step the output still waiting for store, without initialising again", () => {
        const s = sandbox();
        expect(s.run(m.vaultInitScript(SPEC)).status).toBe(0);
        expect(s.run(m.vaultInitScript(SPEC))).toEqual({ status: 0, log: "init output of an earlier attempt in this pod is waiting for the store step\n" });
        expect(logOf(s, "vault.calls").match(/-format=json/g)).toHaveLength(1);
    });

    it("adds to an earlier initialisation's Secret through a patch file it then deletes", () => {
        const s = sandbox();
        fs.mkdirSync(path.join(s.state, "secret"));
        fs.writeFileSync(path.join(s.state, "secret", "init.json"), "T0xE");
        pending(s);
        const r = s.run(m.vaultBootstrapStoreScript(SECRET));
        const key = fs.readdirSync(path.join(s.state, "secret")).find((k) => k !== "init.json")!;
        expect(key).toMatch(/^init-[0-9]+\.json$/);
        expect(r).toEqual({
            status: 0,
            log: `Secret vault-init-encrypted holds an earlier initialisation's output; adding this one as ${key}\nencrypted init output stored in Secret vault-init-encrypted (key ${key})\n`,
        });
        expect(fs.readdirSync(s.work)).toEqual([]);
    });

    it("stores again under a new key when the Secret does not hold this run's bytes", () => {
        const s = sandbox();
        pending(s);
        s.touch("corrupt-once");
        const r = s.run(m.vaultBootstrapStoreScript(SECRET));
        expect(r.status, r.log).toBe(0);
        const key = fs.readdirSync(path.join(s.state, "secret")).find((k) => k !== "init.json")!;
        expect(key).toMatch(/^init-[0-9]+\.json$/);
        expect(r.log).toContain(`encrypted init output stored in Secret vault-init-encrypted (key ${key})\n`);
        expect(r.log).toContain("Secret vault-init-encrypted key init.json does not hold this run's output; storing it under a new key\n");
        expect(Buffer.from(s.read(`secret/${key}`), "base64").toString("utf8")).toContain("wcFMA0ROOTCIPHERTEXT");
        expect(logOf(s, "sleep.calls")).toBe("5\n");
    });

    it("retries storing every 5 s until its deadline, then says where the output still is", () => {
        const s = sandbox();
        pending(s);
        s.touch("deny-create");
        const r = s.run(m.vaultBootstrapStoreScript(SECRET, 60));
        expect(r.status).toBe(1);
        expect(r.log).toMatch(/could not store the init output in Secret vault-init-encrypted; it stays in this pod's memory volume until the pod is deleted\n$/);
        expect(logOf(s, "sleep.calls")).toBe("5\n5\n");
        expect(fs.readdirSync(s.work)).toEqual(["init.json"]);
    });

    it("while waiting for auto-unseal, says what it waits for once a minute, not on every poll", () => {
        const s = sandbox();
        s.touch("unsealed-0", "unsealed-2");
        const hint = "waiting for vault-1 to join Raft and auto-unseal (check the seal stanza and its credentials if this lasts)\n";
        const r = s.run(m.vaultUnsealWaitScript(SPEC, SECRET));
        const polls = logOf(s, "sleep.calls").trim().split("\n").length + 1;
        // One hint per 12 polls of 5 s, the first at once.
        expect(r).toEqual({ status: 1, log: `vault-0 is unsealed\n${hint.repeat(Math.ceil(polls / 12))}timed out: vault-1 is not unsealed (exit 2 from vault status)\n` });
        expect(polls).toBeGreaterThan(24);
        expect(new Set(logOf(s, "sleep.calls").trim().split("\n"))).toEqual(new Set(["5"]));
    });

    it("says and does the same under bash in POSIX mode, which refuses unset variables where dash reads 0", () => {
        // The kubectl steps run on a RHEL-based image whose /bin/sh is bash; dash alone would not notice
        // a counter used before it is set.
        const s = sandbox();
        // <release>-0 sealed: the first poll reads the counter before any member resets it.
        s.touch("unsealed-1", "unsealed-2");
        const underBash = s.run(m.vaultUnsealWaitScript(SPEC, SECRET), ["bash", "--posix"]);
        fs.rmSync(path.join(s.state, "clock"));
        expect(underBash).toEqual(s.run(m.vaultUnsealWaitScript(SPEC, SECRET)));
        expect(underBash.log).toMatch(/^waiting for vault-0 to join Raft and auto-unseal[^\n]*\n[\s\S]*timed out: vault-0 is not unsealed \(exit 2 from vault status\)\n$/);
        const fresh = sandbox();
        fresh.touch("unsealed-0", "unsealed-1", "unsealed-2");
        for (const step of [m.vaultBootstrapPreflightScript(SECRET), m.vaultInitScript(SPEC), m.vaultBootstrapStoreScript(SECRET), m.vaultUnsealWaitScript(SPEC, SECRET)]) {
            const r = fresh.run(step, ["bash", "--posix"]);
            expect(r.status, r.log).toBe(0);
        }
        expect(fresh.exists("secret/init.json")).toBe(true);
    });
});
