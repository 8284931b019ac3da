/**
 * The pack as the Pulumi CLI runs it: `policy/` is started with @pulumi/pulumi's policy-pack runner
 * (ts-node, type-checked, like `pulumi preview --policy-pack policy`), and these tests talk to it over
 * the analyzer gRPC protocol with requests shaped like the engine's: secret-marked values, unknown
 * values during preview, stack names in URNs, policy config.
 */
import { ChildProcess, spawn } from "child_process";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { T } from "./testing";

const POLICY_DIR = __dirname;
const RUNNER = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
/** Pulumi's wire markers for a secret and for a value unknown during preview. */
const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

let child: ChildProcess | undefined;
let client: analyzerRpc.AnalyzerClient;

interface Diagnostic {
    policy: string;
    message: string;
    level: "advisory" | "mandatory" | "other";
}

function call<Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => method.call(client, req, (err, res) => (err ? reject(err) : resolve(res))));
}

async function analyze(type: string, props: Record<string, unknown>, stack = "dev", name = "res"): Promise<Diagnostic[]> {
    const req = new analyzerProto.AnalyzeRequest();
    req.setType(type);
    req.setName(name);
    req.setUrn(`urn:pulumi:${stack}::vaultkit::${type}::${name}`);
    req.setProperties(Struct.fromJavaScript(props as Record<string, any>));
    req.setOptions(new analyzerProto.AnalyzerResourceOptions());
    const res = await call<analyzerProto.AnalyzeRequest, analyzerProto.AnalyzeResponse>(client.analyze, req);
    return res.getDiagnosticsList().map((d) => ({
        policy: d.getPolicyname(),
        message: d.getMessage(),
        level: d.getEnforcementlevel() === analyzerProto.EnforcementLevel.MANDATORY ? "mandatory" : d.getEnforcementlevel() === analyzerProto.EnforcementLevel.ADVISORY ? "advisory" : "other",
    }));
}

beforeAll(async () => {
    const proc = spawn(process.execPath, [RUNNER, "127.0.0.1:1", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    let stderr = "";
    proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        proc.stdout!.on("data", (d: Buffer) => {
            out += d.toString();
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) resolve(Number(m[1]));
        });
        proc.on("exit", (code) => reject(new Error(`policy pack exited with ${code} before serving:\n${stderr}`)));
    });
    client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 90_000);

afterAll(() => {
    client?.close();
    if (child?.pid !== undefined && child.exitCode === null) {
        child.kill("SIGTERM");
    }
});

describe("the policy pack served over the analyzer protocol", () => {
    it("announces the vaultkit pack with seven mandatory policies", async () => {
        const info = await call<Empty, analyzerProto.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
        expect(info.getName()).toBe("vaultkit");
        expect(info.getVersion()).toBe("0.1.0");
        const policies = info.getPoliciesList();
        expect(policies.map((p) => p.getName()).sort()).toEqual([
            "no-plaintext-credentials",
            "pinned-images",
            "privileged-pods-only-vault-csi-provider",
            "vault-database-connection-explicit-allowed-roles",
            "vault-kubernetes-auth-role-explicit-bindings",
            "vault-no-dev-mode-in-production",
            "vault-static-role-rotation-period-bounds",
        ]);
        expect(policies.every((p) => p.getEnforcementlevel() === analyzerProto.EnforcementLevel.MANDATORY)).toBe(true);
    });

    it("rejects a dev-mode VaultServer in the prod stack, not in dev", async () => {
        const prod = await analyze(T.vaultServer, { mode: "dev", namespace: "vault" }, "prod", "vault");
        expect(prod).toEqual([{ policy: "vault-no-dev-mode-in-production", level: "mandatory", message: expect.stringMatching(/VaultServer 'vault' has mode 'dev'/) }]);
        expect(await analyze(T.vaultServer, { mode: "dev", namespace: "vault" }, "dev", "vault")).toEqual([]);
    });

    it("sees through secret markers: a secret 'root' token in a Secret is still rejected", async () => {
        const d = await analyze(T.secret, { apiVersion: "v1", kind: "Secret", metadata: { name: "t" }, stringData: secret({ token: "root" }) });
        expect(d).toEqual([{ policy: "no-plaintext-credentials", level: "mandatory", message: expect.stringMatching(/stringData.token holds the well-known default/) }]);
    });

    it("treats unknown values as computed: passes a Secret, rejects a ConfigMap credential", async () => {
        expect(await analyze(T.secret, { stringData: secret({ password: UNKNOWN }) })).toEqual([]);
        const d = await analyze(T.configMap, { data: { password: UNKNOWN, host: "db" } });
        expect(d).toEqual([{ policy: "no-plaintext-credentials", level: "mandatory", message: expect.stringMatching(/data.password is a credential-named key whose value comes from another resource/) }]);
    });

    it("reports a rule it cannot evaluate in preview as advisory", async () => {
        const d = await analyze(T.connection, { backend: "database", allowedRoles: UNKNOWN });
        expect(d).toEqual([{ policy: "vault-database-connection-explicit-allowed-roles", level: "advisory", message: expect.stringMatching(/can't run policy .* during preview/) }]);
    });

    it("applies policy config sent by the engine", async () => {
        expect(await analyze(T.staticRole, { rotationPeriod: 600, dbName: "c", username: "u", backend: "database" })).toEqual([]);
        const req = new analyzerProto.ConfigureAnalyzerRequest();
        const config = new analyzerProto.PolicyConfig();
        config.setEnforcementlevel(analyzerProto.EnforcementLevel.MANDATORY);
        config.setProperties(Struct.fromJavaScript({ minimumSeconds: 3600, maximumSeconds: 86400 }));
        req.getPolicyconfigMap().set("vault-static-role-rotation-period-bounds", config);
        await call<analyzerProto.ConfigureAnalyzerRequest, Empty>(client.configure, req);
        const d = await analyze(T.staticRole, { rotationPeriod: 600, dbName: "c", username: "u", backend: "database" });
        expect(d).toEqual([{ policy: "vault-static-role-rotation-period-bounds", level: "mandatory", message: expect.stringMatching(/below the minimum of 1h \(3600s\)/) }]);
    });
});
