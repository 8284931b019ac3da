/**
 * A key holder with a real OpenPGP key, made by the `gpg` CLI in a throw-away keyring of its own (so
 * it can decrypt only what was encrypted to it): it exports its public key the way docs/ha-vault.md step 1 tells a key holder to (`gpg --export KEYID |
 * base64 -w0`) and decrypts what Vault encrypted to it (`base64 -d | gpg --decrypt`).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubeRequired } from "./kube";

/** Fails (never skips) when the tier must run and there is no gpg. */
export function haveGpg(): boolean {
    const r = spawnSync("gpg", ["--version"], { encoding: "utf8" });
    if (r.status !== 0 && kubeRequired()) {
        throw new Error(`kube tier: the HA bootstrap test needs gpg for the key holders' keys, and 'gpg' does not run (${r.error?.message ?? r.stderr})`);
    }
    return r.status === 0;
}

export class KeyHolder {
    readonly home = mkdtempSync(join(tmpdir(), "vaultkit-gpg-"));
    /** Base64 of the holder's binary public key. */
    readonly publicKey: string;

    /** An Ed25519 primary key and a Curve25519 encryption subkey, no passphrase, valid for a day. */
    constructor(readonly name: string) {
        const uid = `${name} <${name}@example.invalid>`;
        const primary = this.gpg(["--passphrase", "", "--quick-gen-key", uid, "ed25519", "cert", "1d"]);
        if (primary.status !== 0) throw new Error(`gpg --quick-gen-key: ${primary.stderr}`);
        const fpr = /^fpr:+([0-9A-F]+):/m.exec(this.gpg(["--with-colons", "--list-keys"]).stdout.toString("utf8"))![1]!;
        const sub = this.gpg(["--passphrase", "", "--quick-add-key", fpr, "cv25519", "encr", "1d"]);
        if (sub.status !== 0) throw new Error(`gpg --quick-add-key: ${sub.stderr}`);
        this.publicKey = this.gpg(["--export", fpr]).stdout.toString("base64");
    }

    private gpg(args: string[], input?: string | Buffer): { status: number | null; stdout: Buffer; stderr: string } {
        const r = spawnSync("gpg", ["--batch", "--quiet", "--no-tty", ...args], { env: { PATH: process.env.PATH, GNUPGHOME: this.home }, input });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString("utf8") };
    }

    /** What a holder runs on a value of Vault's init output: `base64 -d | gpg --decrypt`. */
    decrypt(base64Message: string): string {
        const r = this.gpg(["--decrypt"], Buffer.from(base64Message, "base64"));
        if (r.status !== 0) throw new Error(`${this.name} cannot decrypt: ${r.stderr.trim()}`);
        return r.stdout.toString("utf8");
    }

    dispose(): void {
        spawnSync("gpgconf", ["--kill", "all"], { env: { PATH: process.env.PATH, GNUPGHOME: this.home } });
        rmSync(this.home, { recursive: true, force: true });
    }
}
