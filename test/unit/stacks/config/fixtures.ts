/** Config fixtures of the stacks/config tests: a valid stack and the shapes each section's cases start from. */
import { expect, it } from "vitest";
import { ConfigError, type ConfigEnvironment, parseStackConfig } from "../../../../stacks/config";

/** A base64 byte string whose first packet is an OpenPGP public-key packet (old format, tag 6). */
export function publicKey(seed: number): string {
    return Buffer.from([0x99, ...Array.from({ length: 80 }, (_, i) => (i * 7 + seed) & 0xff)]).toString("base64");
}

/** An HA stack on its first up: bootstrap with three key holders, auto-unseal through transit. */
export function haBootstrap(r: Record<string, any>): void {
    r.vault.server = "ha";
    r.vault.caSecretName = "vault-ca";
    r.vault.sealConfig = 'seal "transit" {\n  address = "https://unseal:8200"\n}';
    r.vault.bootstrapOnly = true;
    r.vault.bootstrap = { pgpKeys: [publicKey(1), publicKey(2), publicKey(3)], rootTokenPgpKey: publicKey(4), threshold: 2 };
}

/** A throw-away self-signed CA (public certificate only), as `kubernetesAuth.kubernetesCaCert` takes it. */
export const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
export const REVIEWER_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXZpZXdlciJ9.sig-0123456789";

/** An existing Vault outside the cluster, with everything Kubernetes auth needs from there. */
export function externalVault(r: Record<string, any>): void {
    r.vault = { mode: "existing", address: "https://vault.example.com:8200" };
    r.vaultToken = "hvs.t";
    r.kubernetesTokenReviewerJwt = REVIEWER_JWT;
    r.kubernetesAuth = { kubernetesHost: "https://api.cluster.example.com:6443", kubernetesCaCert: PEM, mount: "team-kubernetes" };
    r.database = { kvMount: "team-kv", databaseMount: "team-database" };
}

/** An existing Vault running in this cluster, with the per-stack mounts an existing Vault needs. */
export function inClusterVault(r: Record<string, any>): void {
    r.vault = { mode: "existing", address: "https://vault.example.com" };
    r.kubernetesAuth = { vaultRunsInCluster: true, mount: "team-kubernetes" };
    r.database = { ...r.database, kvMount: "team-kv", databaseMount: "team-database" };
}

/** A minimal valid raw config; each case below breaks one thing. */
export function valid(): Record<string, any> {
    return {
        platform: "openshift",
        vault: { address: "https://vault.apps.example.com", routeHost: "vault.apps.example.com" },
        applications: [{ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app" }],
    };
}

/** The problems `parseStackConfig` refuses `raw` with (fails when it accepts it). */
export function problemsOf(raw: Record<string, any>, env: ConfigEnvironment = {}): { key: string; expected: string; given: string }[] {
    try {
        parseStackConfig("test", raw, env);
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems;
    }
    throw new Error("expected a ConfigError");
}

/** An existing Vault configured by another team, with StackGres and operators the platform team installed. */
export function platformOwned(): Record<string, any> {
    return {
        platform: "kubernetes",
        vault: { mode: "existing", address: "https://vault.example.com:8200", configure: false },
        databaseAdminPassword: "owner-given-admin-password-0123",
        operators: { install: false },
        applications: [{ name: "app", namespace: "apps", serviceAccount: "app", databaseRole: "app", delivery: "sync" }],
    };
}

/** One bad input: title, how it breaks a valid config, the key named, what is expected, the environment. */
export type Case = [string, (raw: Record<string, any>) => void, string, RegExp, ConfigEnvironment?];

/** A `readFile` that finds no file. */
export const enoent = (f: string): string => {
    throw new Error(`ENOENT: no such file or directory, open '${f}'`);
};

/** Each case breaks `valid()` one way: the problem names the key, says what was expected and what was given. */
export function itRefusesEach(cases: Case[]): void {
    it.each(cases)("%s", (_title, breakIt, key, expected, env) => {
        const raw = valid();
        breakIt(raw);
        const problems = problemsOf(raw, env ?? {});
        const p = problems.find((x) => x.key === key);
        expect(p, `problems were: ${JSON.stringify(problems)}`).toBeDefined();
        expect(p!.expected).toMatch(expected);
        expect(p!.given.length).toBeGreaterThan(0);
    });
}

/** A refusal of the platform-owned stack: title, how it breaks `platformOwned()`, the key named, what is expected. */
export type Refusal = [string, (r: Record<string, any>) => void, string, RegExp];

/** Each refusal breaks `platformOwned()` one way, with exactly one problem on its key. */
export function itRefusesEachPlatformOwned(refusals: Refusal[]): void {
    it.each(refusals)("refuse %s", (_title, breakIt, key, expected) => {
        const raw = platformOwned();
        breakIt(raw);
        const problems = problemsOf(raw);
        const p = problems.find((x) => x.key === key);
        expect(p, `problems were: ${JSON.stringify(problems)}`).toBeDefined();
        expect(p!.expected).toMatch(expected);
        // One problem per mistake, not a second one about the same key from a rule that no longer applies.
        expect(problems.filter((x) => x.key === key)).toHaveLength(1);
    });
}

/** One bad input checked word for word: title, how it breaks `valid()`, the key, the exact expected text and given value, the environment. */
export type ExactCase = [string, (raw: Record<string, any>) => void, string, string, string, ConfigEnvironment?];

/** Each case breaks `valid()` one way: among the problems is exactly `{ key, expected, given }`. */
export function itRefusesEachExactly(cases: ExactCase[]): void {
    it.each(cases)("%s", (_title, breakIt, key, expected, given, env) => {
        const raw = valid();
        breakIt(raw);
        expect(problemsOf(raw, env ?? {}).filter((p) => p.key === key)).toEqual([{ key, expected, given }]);
    });
}

/** One input at the edge of a check that must pass: title, how it changes `valid()`, the environment. */
export type Accepted = [string, (raw: Record<string, any>) => void, ConfigEnvironment?];

/** Each change of `valid()` is accepted. */
export function itAcceptsEach(cases: Accepted[]): void {
    it.each(cases)("%s", (_title, change, env) => {
        const raw = valid();
        change(raw);
        expect(() => parseStackConfig("test", raw, env ?? {})).not.toThrow();
    });
}
