/**
 * The validators catch what they claim to catch: each broken object below differs from a valid
 * one by exactly one defect, and the valid ones pass (so a finding is never noise).
 */
import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CrdRegistry, pinnedCrdFamilies, structuralToAjv } from "../../scripts/lib/validate/crds";
import { formatViolation } from "../../scripts/lib/validate";
import { toYaml } from "../../scripts/lib/yaml";
import { SHARED_DIR } from "../support/render";
import { findingsOf, schemaValidator, validateRendered } from "../support/schemas";

const sgCluster = (spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    apiVersion: "stackgres.io/v1",
    kind: "SGCluster",
    metadata: { name: "keycloak-postgresql", namespace: "rhbk" },
    spec: { instances: 1, postgres: { version: "15" }, pods: { persistentVolume: { size: "5Gi" } }, ...spec },
    ...extra,
});

const deployment = (container: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "app", namespace: "rhbk" },
    spec: {
        replicas: 1,
        selector: { matchLabels: { app: "app" } },
        template: {
            metadata: { labels: { app: "app" } },
            spec: { containers: [{ name: "app", image: "registry.access.redhat.com/ubi9/ubi:9.4", ...container }] },
        },
        ...spec,
    },
});

const route = (spec: Record<string, unknown> = {}) => ({
    apiVersion: "route.openshift.io/v1",
    kind: "Route",
    metadata: { name: "vault", namespace: "vault" },
    spec: { to: { kind: "Service", name: "vault" }, port: { targetPort: 8200 }, tls: { termination: "edge" }, ...spec },
});

describe("custom resources against the pinned upstream CRDs", () => {
    it("accepts valid objects of every family", async () => {
        expect(await findingsOf(sgCluster())).toEqual([]);
        expect(await findingsOf(route())).toEqual([]);
        expect(
            await findingsOf({
                apiVersion: "secrets.hashicorp.com/v1beta1",
                kind: "VaultConnection",
                metadata: { name: "vc", namespace: "openshift-operators" },
                spec: { address: "http://vault.vault.svc.cluster.local:8200", skipTLSVerify: false },
            }),
        ).toEqual([]);
        expect(
            await findingsOf({
                apiVersion: "operators.coreos.com/v1alpha1",
                kind: "Subscription",
                metadata: { name: "vso", namespace: "openshift-operators" },
                spec: { name: "vault-secrets-operator", channel: "stable", source: "certified-operators", sourceNamespace: "openshift-marketplace", installPlanApproval: "Manual" },
            }),
        ).toEqual([]);
        expect(
            await findingsOf({
                apiVersion: "secrets-store.csi.x-k8s.io/v1",
                kind: "SecretProviderClass",
                metadata: { name: "spc", namespace: "rhbk" },
                spec: { provider: "vault", parameters: { roleName: "r", objects: "- objectName: x\n" } },
            }),
        ).toEqual([]);
        expect(
            await findingsOf({ apiVersion: "operator.openshift.io/v1", kind: "ClusterCSIDriver", metadata: { name: "secrets-store.csi.k8s.io" }, spec: { managementState: "Managed" } }),
        ).toEqual([]);
    });

    it("reports a missing required field with its path", async () => {
        const broken = sgCluster();
        delete (broken.spec as Record<string, unknown>).instances;
        expect(await findingsOf(broken)).toEqual([{ path: "/spec/instances", message: "required field is missing" }]);
        expect(
            await findingsOf({ apiVersion: "secrets.hashicorp.com/v1beta1", kind: "VaultConnection", metadata: { name: "vc", namespace: "x" }, spec: { skipTLSVerify: false } }),
        ).toEqual([{ path: "/spec/address", message: "required field is missing" }]);
    });

    it("reports a wrong type", async () => {
        expect(await findingsOf(sgCluster({ instances: "1" }))).toEqual([{ path: "/spec/instances", message: 'must be integer; got string "1"' }]);
        expect(await findingsOf(sgCluster({ postgres: { version: 15 } }))).toEqual([{ path: "/spec/postgres/version", message: "must be string; got number 15" }]);
    });

    it("reports a value outside an enum", async () => {
        const f = await findingsOf({
            apiVersion: "secrets.hashicorp.com/v1beta1",
            kind: "VaultAuth",
            metadata: { name: "static-auth", namespace: "rhbk" },
            spec: { method: "kubernetez", mount: "kubernetes", kubernetes: { role: "keycloak-role", serviceAccount: "default" } },
        });
        expect(f).toEqual([{ path: "/spec/method", message: 'must be one of "kubernetes", "jwt", "appRole", "aws", "gcp"; got "kubernetez"' }]);
        expect(await findingsOf(route({ to: { kind: "Pod", name: "vault" } }))).toEqual([{ path: "/spec/to/kind", message: 'must be one of "Service", ""; got "Pod"' }]);
    });

    it("reports unknown fields where the structural schema forbids them, at any depth", async () => {
        expect(await findingsOf(sgCluster({ replicas: 3 }))).toEqual([{ path: "/spec/replicas", message: "unknown field (the schema does not declare it)" }]);
        expect(await findingsOf(sgCluster({ postgres: { version: "15", verison: "16" } }))).toEqual([
            { path: "/spec/postgres/verison", message: "unknown field (the schema does not declare it)" },
        ]);
        expect(await findingsOf(sgCluster({}, { status2: {} }))).toEqual([{ path: "/status2", message: "unknown field (the schema does not declare it)" }]);
        expect(await findingsOf({ ...sgCluster(), metadata: { name: "x", namespace: "rhbk", label: { a: "b" } } })).toEqual([
            { path: "/metadata/label", message: "unknown field (the schema does not declare it)" },
        ]);
    });

    it("allows unknown fields under x-kubernetes-preserve-unknown-fields", async () => {
        const csi = (spec: Record<string, unknown>) => ({ apiVersion: "operator.openshift.io/v1", kind: "ClusterCSIDriver", metadata: { name: "secrets-store.csi.k8s.io" }, spec });
        expect(await findingsOf(csi({ managementState: "Managed", unsupportedConfigOverrides: { anything: { goes: 1 } } }))).toEqual([]);
        expect(await findingsOf(csi({ managementState: "Managed", unsupportedConfigOverride: {} }))).toEqual([
            { path: "/spec/unsupportedConfigOverride", message: "unknown field (the schema does not declare it)" },
        ]);
    });

    it("applies the CRD's defaults before validating, as the API server does", async () => {
        // Route's spec requires (anyOf) a wildcardPolicy other than Subdomain; it defaults to None.
        expect(await findingsOf(route())).toEqual([]);
        expect((await findingsOf(route({ wildcardPolicy: "Subdomain" }))).map((f) => f.path)).toEqual(["/spec"]);
    });

    it("handles x-kubernetes-int-or-string (with its allOf rules)", async () => {
        expect(await findingsOf(route({ port: { targetPort: 8200 } }))).toEqual([]);
        expect(await findingsOf(route({ port: { targetPort: "http" } }))).toEqual([]);
        expect(await findingsOf(route({ port: { targetPort: true } }))).toEqual([{ path: "/spec/port/targetPort", message: "must be integer or string; got true" }]);
        expect((await findingsOf(route({ port: { targetPort: 0 } }))).map((f) => f.path)).toEqual(["/spec/port/targetPort"]);
    });

    it("checks metadata: label values must be strings and valid", async () => {
        expect(await findingsOf({ ...sgCluster(), metadata: { name: "x", namespace: "rhbk", labels: { enabled: true } } })).toEqual([
            { path: "/metadata/labels/enabled", message: "must be string; got boolean true" },
        ]);
        expect((await findingsOf({ ...sgCluster(), metadata: { name: "x", namespace: "rhbk", labels: { a: "not valid!" } } })).map((f) => f.path)).toEqual([
            "/metadata/labels/a",
        ]);
    });

    it("fails a custom resource whose CRD is unknown instead of skipping it", async () => {
        const f = await findingsOf({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "x" }, spec: {} });
        expect(f).toHaveLength(1);
        expect(f[0]!.path).toBe("/kind");
        expect(f[0]!.message).toMatch(/^unknown custom resource example\.com\/v1 Widget: no CRD among the pinned upstream CRDs/);
        const g = await findingsOf({ apiVersion: "stackgres.io/v1", kind: "SGWidget", metadata: { name: "w", namespace: "x" }, spec: {} });
        expect(g[0]!.message).toMatch(/^no CRD for stackgres\.io\/v1 SGWidget in StackGres 1\.18\.6 \(served: .*stackgres\.io\/v1 SGCluster/);
        // A version the pinned CRD does not serve is unknown too.
        const h = await findingsOf({ ...sgCluster(), apiVersion: "stackgres.io/v1beta1" });
        expect(h[0]!.message).toMatch(/^no CRD for stackgres\.io\/v1beta1 SGCluster in StackGres 1\.18\.6/);
    });

    it("checks the scope: namespaced objects need a namespace, cluster-scoped ones must not have one", async () => {
        expect(await findingsOf({ ...sgCluster(), metadata: { name: "x" } })).toEqual([
            { path: "/metadata/namespace", message: "SGCluster is namespaced: set metadata.namespace (otherwise it lands in the provider's default namespace)" },
        ]);
        expect(
            await findingsOf({ apiVersion: "operator.openshift.io/v1", kind: "ClusterCSIDriver", metadata: { name: "secrets-store.csi.k8s.io", namespace: "x" }, spec: { managementState: "Managed" } }),
        ).toEqual([{ path: "/metadata/namespace", message: "ClusterCSIDriver is cluster-scoped: metadata.namespace must not be set" }]);
    });

    it("skips findings on values unknown offline, but not missing fields", async () => {
        expect(await findingsOf(sgCluster({ instances: "[unknown until deployment]" }))).toEqual([]);
        expect(await findingsOf(sgCluster({ postgres: "[secret]" }))).toEqual([]);
    });
});

describe("built-in kinds with kubernetes-models", () => {
    it("accepts a valid Deployment, Secret, Namespace, RBAC objects and a Job", async () => {
        expect(await findingsOf(deployment({ securityContext: { runAsNonRoot: true, capabilities: { drop: ["ALL"] } } }))).toEqual([]);
        expect(await findingsOf({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "rhbk" }, stringData: { password: "[secret]" } })).toEqual([]);
        expect(await findingsOf({ apiVersion: "v1", kind: "Namespace", metadata: { name: "rhbk" } })).toEqual([]);
        expect(
            await findingsOf({
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "ClusterRoleBinding",
                metadata: { name: "b" },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
                subjects: [{ kind: "ServiceAccount", name: "vault", namespace: "vault" }],
            }),
        ).toEqual([]);
        expect(
            await findingsOf({
                apiVersion: "batch/v1",
                kind: "Job",
                metadata: { name: "j", namespace: "x" },
                spec: { backoffLimit: 3, template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i:1" }] } } },
            }),
        ).toEqual([]);
    });

    it("reports a missing required field", async () => {
        expect(await findingsOf(deployment({}, { selector: undefined }))).toEqual([{ path: "/spec/selector", message: "required field is missing" }]);
        const noImage = await findingsOf({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "b", namespace: "x" },
            subjects: [{ kind: "ServiceAccount", name: "a" }],
        });
        expect(noImage).toEqual([{ path: "/roleRef", message: "required field is missing" }]);
    });

    it("reports a wrong type", async () => {
        expect(await findingsOf(deployment({}, { replicas: "2" }))).toEqual([{ path: "/spec/replicas", message: 'must be integer; got string "2"' }]);
        expect(await findingsOf(deployment({ securityContext: { runAsNonRoot: "yes" } }))).toEqual([
            { path: "/spec/template/spec/containers/0/securityContext/runAsNonRoot", message: 'must be boolean; got string "yes"' },
        ]);
    });

    it("reports unknown fields (a misspelt securityContext is silently dropped otherwise)", async () => {
        expect(await findingsOf(deployment({ securityContex: { runAsNonRoot: true } }))).toEqual([
            { path: "/spec/template/spec/containers/0/securityContex", message: "unknown field (the Kubernetes API does not declare it)" },
        ]);
        expect(await findingsOf({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "x" }, datas: { a: "b" } })).toEqual([
            { path: "/datas", message: "unknown field (the Kubernetes API does not declare it)" },
        ]);
    });

    it("checks scope for built-in kinds", async () => {
        expect(await findingsOf({ apiVersion: "v1", kind: "Namespace", metadata: { name: "rhbk", namespace: "rhbk" } })).toEqual([
            { path: "/metadata/namespace", message: "Namespace is cluster-scoped: metadata.namespace must not be set" },
        ]);
        expect(await findingsOf({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "a" } })).toEqual([
            { path: "/metadata/namespace", message: "ServiceAccount is namespaced: set metadata.namespace (otherwise it lands in the provider's default namespace)" },
        ]);
    });

    it("checks patches (…Patch resources) for types and unknown fields but not for required fields", async () => {
        const patch = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "app", namespace: "rhbk" }, spec: { replicas: 2 } };
        expect((await schemaValidator().validateKubernetes(patch, "k8s/rhbk/deployment-app.patch.yaml", { patch: true })).violations).toEqual([]);
        const bad = { ...patch, spec: { replicas: "2", replica: 1 } };
        const found = (await schemaValidator().validateKubernetes(bad, "k8s/rhbk/deployment-app.patch.yaml", { patch: true })).violations.map((x) => x.path);
        expect(found).toEqual(["/spec/replica", "/spec/replicas"]);
    });

    it("fails a kind that is neither built in nor a pinned CRD", async () => {
        const f = await findingsOf({ apiVersion: "apps/v1", kind: "Deploymnet", metadata: { name: "a", namespace: "x" } });
        expect(f[0]!.message).toMatch(/^unknown custom resource apps\/v1 Deploymnet/);
    });
});

describe("Helm values against the chart's schema and defaults", () => {
    const v = () => schemaValidator();
    const vaultChart = (values: Record<string, unknown>, version = "0.34.1") => ({ chart: "vault", version, repo: "https://helm.releases.hashicorp.com", values });

    it("accepts the seed's values (null deletes a default, as in Helm)", () => {
        const res = v().validateHelm(vaultChart({ global: { openshift: true }, server: { dev: { enabled: true, devRootToken: "[secret]" }, route: { enabled: true, host: null } } }), "helm/vault.yaml");
        expect(res.violations).toEqual([]);
        expect(res.schema).toContain("vault-helm/v0.34.1/values.schema.json");
    });

    it("reports a wrong type from values.schema.json", () => {
        const res = v().validateHelm(vaultChart({ server: { dev: { enabled: "yes" } } }), "helm/vault.yaml");
        expect(res.violations.map((x) => [x.path, x.message])).toEqual([["/values/server/dev/enabled", 'must be boolean; got string "yes"']]);
    });

    it("reports a value key the chart does not declare", () => {
        const res = v().validateHelm(vaultChart({ server: { dve: { enabled: true } }, injecter: { enabled: false } }), "helm/vault.yaml");
        expect(res.violations.map((x) => x.path).sort()).toEqual(["/values/injecter", "/values/server/dve"]);
    });

    it("requires a pinned version with reference data for charts we keep references of", () => {
        expect(v().validateHelm({ chart: "vault", values: {} }, "helm/v.yaml").violations[0]!.message).toMatch(/must be pinned/);
        expect(v().validateHelm(vaultChart({}, "0.99.0"), "helm/v.yaml").violations[0]!.message).toMatch(/no reference values for vault 0\.99\.0 .*available: (.+, )?0\.34\.1\b/);
        const sg = v().validateHelm({ chart: "stackgres-operator", version: "1.18.6", values: { adminui: { service: { exposeHTTP: true } } } }, "helm/sg.yaml");
        expect(sg.violations).toEqual([]);
        expect(v().validateHelm({ chart: "stackgres-operator", version: "1.18.6", values: { adminUI: {} } }, "helm/sg.yaml").violations.map((x) => x.path)).toEqual(["/values/adminUI"]);
    });

    it("records charts without reference data as not validated (not as passed)", () => {
        const res = v().validateHelm({ chart: "vault-secrets-operator", version: "1.4.1", values: {} }, "helm/vso.yaml");
        expect(res.violations).toEqual([]);
        expect(res.notValidated).toMatch(/no values schema kept for chart vault-secrets-operator/);
    });
});

describe("violation reports", () => {
    it("name the object, file, JSON path, message and schema", async () => {
        const tree = new Map([["k8s/rhbk/sgcluster-keycloak-postgresql.yaml", toYaml(sgCluster({ instances: "one" }))]]);
        const report = await validateRendered(tree);
        expect(report.violations.map(formatViolation)).toEqual([
            'SGCluster rhbk/keycloak-postgresql [k8s/rhbk/sgcluster-keycloak-postgresql.yaml] at /spec/instances: must be integer; got string "one" (CRD SGCluster.stackgres.io/v1 from StackGres 1.18.6 (crds/stackgres/1.18.6/SGCluster.yaml))',
        ]);
        expect(report.checked).toHaveLength(1);
    });
});

describe("the schema registry", () => {
    it("indexes every CRD file of every pinned family", () => {
        const reg = new CrdRegistry(SHARED_DIR);
        for (const fam of pinnedCrdFamilies()) {
            const files = fs.readdirSync(path.join(SHARED_DIR, "crds", fam.dir)).filter((f) => f.endsWith(".yaml"));
            expect(reg.servedKinds(fam).length, `${fam.family}`).toBeGreaterThanOrEqual(files.length);
        }
        expect(reg.lookup("stackgres.io/v1", "SGCluster")?.family.version).toBe("1.18.6");
        expect(reg.lookup("secrets.hashicorp.com/v1beta1", "VaultStaticSecret")?.file).toBe(path.join("crds", "vault-secrets-operator", "v1.4.1", "secrets.hashicorp.com_vaultstaticsecrets.yaml"));
        expect(reg.lookup("route.openshift.io/v1", "Route")?.file).toBe(path.join("crds", "openshift", "release-4.15", "route.crd.yaml"));
        expect(reg.lookup("operators.coreos.com/v1alpha1", "Subscription")?.family.version).toBe("v0.45.0");
        expect(reg.lookup("secrets-store.csi.x-k8s.io/v1", "SecretProviderClass")?.family.version).toBe("v1.6.0");
    });

    it("resolves YAML merge keys in CRDs as the API server does (StackGres SGDbOps, SGDistributedLogs)", async () => {
        // The kube tier's real server installs these CRDs with `<<: *anchor` merged; a literal "<<" property
        // offline would refuse fields the server accepts.
        const reg = new CrdRegistry(SHARED_DIR);
        for (const kind of ["SGDbOps", "SGDistributedLogs"]) {
            expect(JSON.stringify(reg.lookup("stackgres.io/v1", kind)!.schema), kind).not.toContain('"<<"');
        }
        const logs = {
            apiVersion: "stackgres.io/v1",
            kind: "SGDistributedLogs",
            metadata: { name: "logs", namespace: "rhbk" },
            spec: { persistentVolume: { size: "1Gi" }, postgresServices: { replicas: { enabled: true, publishNotReadyAddresses: true } } },
        };
        expect(await findingsOf(logs)).toEqual([]);
    });

    it("refuses a pin whose CRDs are missing or whose SOURCES.md says another version", () => {
        const [sg, ...rest] = pinnedCrdFamilies();
        expect(() => new CrdRegistry(SHARED_DIR, [{ ...sg!, dir: "stackgres/9.9.9", version: "9.9.9" }])).toThrow(/StackGres 9\.9\.9 is pinned .* does not exist/);
        const csi = rest.find((f) => f.dir === "secrets-store-csi-driver")!;
        // A folder with a SOURCES.md like ../shared's (a fetched folder has none: its files are pinned by sha256).
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vaultkit-sources-"));
        try {
            fs.cpSync(path.join(SHARED_DIR, "crds", csi.dir), path.join(tmp, "crds", csi.dir), { recursive: true });
            fs.writeFileSync(path.join(tmp, "crds", "SOURCES.md"), `### ${csi.dir}/\n\nRepository \`kubernetes-sigs/secrets-store-csi-driver\`, tag/ref \`v1.6.0\`.\n`);
            expect(() => new CrdRegistry(tmp, [csi])).not.toThrow();
            expect(() => new CrdRegistry(tmp, [{ ...csi, version: "v1.5.0" }])).toThrow(/pinned v1\.5\.0 .*SOURCES\.md says secrets-store-csi-driver\/ holds v1\.6\.0/);
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    it("injects additionalProperties:false only where the API server prunes", () => {
        const s = structuralToAjv({
            type: "object",
            properties: {
                a: { type: "object", properties: { x: { type: "string" } } },
                b: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                c: { "x-kubernetes-int-or-string": true },
                d: { type: "object", additionalProperties: { type: "string" } },
                e: { type: "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true },
                f: { type: "string", nullable: true },
            },
            anyOf: [{ properties: { a: {} }, required: ["a"] }],
        });
        expect(s.additionalProperties).toBe(false);
        expect(s.properties.a.additionalProperties).toBe(false);
        expect(s.properties.b.additionalProperties).toBeUndefined();
        expect(s.properties.c).toEqual({ "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] });
        expect(s.properties.d.additionalProperties).toEqual({ type: "string" });
        expect(Object.keys(s.properties.e.properties)).toEqual(["apiVersion", "kind", "metadata"]);
        expect(s.properties.f.type).toEqual(["string", "null"]);
        expect(s.anyOf[0].additionalProperties).toBeUndefined();
    });
});
