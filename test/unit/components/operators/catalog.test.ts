/**
 * Pure data of the operators part: OLM specs, the wait script (run against a fake kubectl), its
 * RBAC and pod, Helm values, and which operators a config needs. Schema checks use the pinned
 * upstream CRDs and chart values in ../shared (skipped when that folder is absent).
 */
import Ajv from "ajv";
import { SHARED_DIR, sharedAvailable } from "../../../support/shared";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { describe, expect, it } from "vitest";
import { clusterCsiDriverManifest } from "../../../../components/operators/operatorCatalog";
import { OPERATORS, secretsStoreCsiDriverValues, stackgresOperatorValues, vaultSecretsOperatorValues } from "../../../../components/operators/catalog";
import { OPERATOR_WAIT_IMAGES, operatorWaitRules, operatorWaitScript } from "../../../../components/operators/operatorReadyWait";
import { effectiveInstallPlanApproval, operatorGroupSpec, subscriptionSpec } from "../../../../components/operators/operatorSubscription";
import { assertPinnedChart } from "../../../../components/operators/helmOperator";
import { PINNED } from "../../../../components/versions";
import { parseStackConfig } from "../../../../stacks/config";
import { olmChoices, olmSubscription, operatorsNeeded } from "../../../../stacks/operators";

/** Upstream CRDs and chart values (test/support/shared.ts: fails in CI when missing, never skips there). */
const SHARED = SHARED_DIR;
const haveShared = sharedAvailable();

/** A validator for one version of an upstream CRD's schema. */
function crdValidator(file: string, version?: string) {
    const crd = YAML.parse(fs.readFileSync(path.join(SHARED, "crds", file), "utf8"));
    const v = crd.spec.versions.find((x: any) => (version ? x.name === version : x.storage));
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, unicodeRegExp: false });
    return ajv.compile(v.schema.openAPIV3Schema);
}

function config(raw: Record<string, any>) {
    return parseStackConfig("test", { platform: "openshift", vault: { address: "https://vault.example.com" }, ...raw });
}

describe("OLM Subscription data", () => {
    it("builds the spec with the OLM field names", () => {
        expect(
            subscriptionSpec({
                packageName: "vault-secrets-operator",
                channel: "stable",
                source: "certified-operators",
                sourceNamespace: "openshift-marketplace",
                installPlanApproval: "Automatic",
                startingCSV: "vault-secrets-operator.v1.4.1",
            }),
        ).toEqual({
            name: "vault-secrets-operator",
            channel: "stable",
            source: "certified-operators",
            sourceNamespace: "openshift-marketplace",
            installPlanApproval: "Automatic",
            startingCSV: "vault-secrets-operator.v1.4.1",
        });
    });

    it("omits startingCSV when none is pinned and refuses unknown approvals or empty fields", () => {
        const spec = subscriptionSpec({ packageName: "p", channel: "preview", source: "redhat-operators", sourceNamespace: "openshift-marketplace", installPlanApproval: "Manual" });
        expect(spec).not.toHaveProperty("startingCSV");
        expect(() => subscriptionSpec({ packageName: "p", channel: "c", source: "s", sourceNamespace: "n", installPlanApproval: "automatic" })).toThrow(/'Automatic' or 'Manual'/);
        expect(() => subscriptionSpec({ packageName: "p", channel: "", source: "s", sourceNamespace: "n", installPlanApproval: "Manual" })).toThrow(/channel/);
    });

    it("approves manually whenever a CSV is pinned (Automatic would walk the channel past the pin)", () => {
        expect(effectiveInstallPlanApproval("Automatic", "vault-secrets-operator.v1.4.1")).toBe("Manual");
        expect(effectiveInstallPlanApproval(undefined, "vault-secrets-operator.v1.4.1")).toBe("Manual");
        expect(effectiveInstallPlanApproval("Automatic", undefined)).toBe("Automatic");
        expect(effectiveInstallPlanApproval("Manual", undefined)).toBe("Manual");
        expect(effectiveInstallPlanApproval(undefined, undefined)).toBe("Automatic");
    });

    it("makes an AllNamespaces OperatorGroup unless target namespaces are given", () => {
        expect(operatorGroupSpec()).toEqual({});
        expect(operatorGroupSpec([])).toEqual({});
        expect(operatorGroupSpec(["a", "b"])).toEqual({ targetNamespaces: ["a", "b"] });
    });

    it("picks the StackGres package and CSV per catalog, a configured pin, or none", () => {
        const sg = (choice: { catalog?: string; csv?: string | false }) => olmSubscription(OPERATORS.stackgres, choice);
        const og = { createOperatorGroup: false };
        expect(sg({})).toEqual({ source: "certified-operators", packageName: "stackgres-certified", csvPrefix: "stackgres", pinnedCsv: "stackgres.v1.18.6", ...og });
        expect(sg({ catalog: "certified-operators" })).toEqual({ source: "certified-operators", packageName: "stackgres-certified", csvPrefix: "stackgres", pinnedCsv: "stackgres.v1.18.6", ...og });
        expect(sg({ catalog: "community-operators" })).toEqual({
            source: "community-operators",
            packageName: "stackgres-community",
            csvPrefix: "stackgres-community",
            pinnedCsv: "stackgres-community.v1.18.6",
            ...og,
        });
        expect(sg({ catalog: "redhat-marketplace" })).toEqual({ source: "redhat-marketplace", packageName: "stackgres", csvPrefix: "stackgres", pinnedCsv: "stackgres.v1.18.6", ...og });
        expect(sg({ catalog: "certified-operators", csv: "stackgres.v1.18.7" }).pinnedCsv).toBe("stackgres.v1.18.7");
        expect(sg({ catalog: "certified-operators", csv: false })).not.toHaveProperty("pinnedCsv");
        expect(() => sg({ catalog: "redhat-operators" })).toThrow(/no OLM package for catalog 'redhat-operators' \(known: certified-operators, community-operators, redhat-marketplace\)/);
    });

    it("pins the Vault Secrets Operator CSV unless configured otherwise; the CSI operator pins none and creates its OperatorGroup unless told", () => {
        const vso = (csv?: string | false) => olmSubscription(OPERATORS.vaultSecretsOperator, { csv }).pinnedCsv;
        expect(vso()).toBe("vault-secrets-operator.v1.4.1");
        expect(vso("vault-secrets-operator.v1.5.0")).toBe("vault-secrets-operator.v1.5.0");
        expect(vso(false)).toBeUndefined();
        expect(olmSubscription(OPERATORS.secretsStoreCsi)).toEqual({
            source: "redhat-operators",
            packageName: "secrets-store-csi-driver-operator",
            csvPrefix: "secrets-store-csi-driver-operator",
            createOperatorGroup: true,
        });
        expect(olmSubscription(OPERATORS.secretsStoreCsi, { createOperatorGroup: false }).createOperatorGroup).toBe(false);
    });

    it("maps each operators.* config key to its operator's choice", () => {
        const o = config({ operators: { stackgresCatalog: "community-operators", stackgresCsv: false, vaultSecretsOperatorCsv: "vault-secrets-operator.v1.5.0", createCsiOperatorGroup: false } }).operators;
        expect(olmChoices(o)).toEqual({
            vaultSecretsOperator: { csv: "vault-secrets-operator.v1.5.0" },
            stackgres: { catalog: "community-operators", csv: false },
            secretsStoreCsi: { createOperatorGroup: false },
        });
    });
});

describe.skipIf(!haveShared)("specs against the pinned CRDs", () => {
    it("Subscription and OperatorGroup match the OLM CRDs", () => {
        const sub = crdValidator("olm/operators.coreos.com_subscriptions.yaml");
        const spec = subscriptionSpec({ packageName: "p", channel: "stable", source: "s", sourceNamespace: "openshift-marketplace", installPlanApproval: "Manual", startingCSV: "p.v1.0.0" });
        expect(sub({ apiVersion: "operators.coreos.com/v1alpha1", kind: "Subscription", metadata: { name: "p" }, spec }), JSON.stringify(sub.errors)).toBe(true);
        // The validator does reject a spec without the required package name.
        const { name: _dropped, ...noName } = spec;
        expect(sub({ apiVersion: "operators.coreos.com/v1alpha1", kind: "Subscription", metadata: {}, spec: noName })).toBe(false);
        const og = crdValidator("olm/operators.coreos.com_operatorgroups.yaml", "v1");
        expect(og({ apiVersion: "operators.coreos.com/v1", kind: "OperatorGroup", metadata: { name: "x" }, spec: operatorGroupSpec() })).toBe(true);
    });

    it("ClusterCSIDriver matches the OpenShift 4.15 and current CRDs (name is enum-restricted)", () => {
        const manifest = clusterCsiDriverManifest();
        expect(manifest).toEqual({
            apiVersion: "operator.openshift.io/v1",
            kind: "ClusterCSIDriver",
            metadata: { name: "secrets-store.csi.k8s.io" },
            spec: { managementState: "Managed" },
        });
        for (const file of ["openshift/release-4.15/0000_90_cluster_csi_driver_01_config.crd.yaml", "openshift/master/0000_50_csi-driver_01_clustercsidrivers-Default.crd.yaml"]) {
            const v = crdValidator(file);
            expect(v(manifest), JSON.stringify(v.errors)).toBe(true);
            expect(v({ ...manifest, metadata: { name: "secrets-store.example.com" } })).toBe(false);
        }
    });

    it("the CRDs named for each operator exist in the pinned CRD sets", () => {
        const names = (dir: string) =>
            fs.readdirSync(path.join(SHARED, "crds", dir)).map((f) => YAML.parse(fs.readFileSync(path.join(SHARED, "crds", dir, f), "utf8")).metadata.name);
        expect(names("vault-secrets-operator/v1.4.1")).toEqual(expect.arrayContaining([...OPERATORS.vaultSecretsOperator.crds]));
        expect(names("vault-secrets-operator/v0.6.0")).toEqual(expect.arrayContaining([...OPERATORS.vaultSecretsOperator.crds]));
        expect(names("stackgres/1.18.6")).toEqual(expect.arrayContaining([...OPERATORS.stackgres.crds]));
        expect(names("secrets-store-csi-driver")).toEqual(expect.arrayContaining([...OPERATORS.secretsStoreCsi.crds]));
    });
});

describe("the wait script", () => {
    const olm = {
        namespace: "openshift-operators",
        subscriptionName: "stackgres",
        csvPrefix: "stackgres",
        crdNames: ["sgclusters.stackgres.io", "sgscripts.stackgres.io"],
        timeoutSeconds: 600,
    };

    it("checks the installed CSV, its phase and the CRDs, in that order", () => {
        const script = operatorWaitScript(olm);
        const sub = script.indexOf(`kubectl get subscriptions.operators.coreos.com stackgres -n openshift-operators -o jsonpath='{.status.installedCSV}{"\\n"}{.status.installPlanRef.name}`);
        const phase = script.indexOf(`kubectl wait --for=jsonpath='{.status.phase}'=Succeeded clusterserviceversions.operators.coreos.com/"$csv" -n openshift-operators`);
        const crds = script.indexOf(
            "kubectl wait --for=condition=Established customresourcedefinitions.apiextensions.k8s.io/sgclusters.stackgres.io customresourcedefinitions.apiextensions.k8s.io/sgscripts.stackgres.io",
        );
        expect(sub).toBeGreaterThan(0);
        expect(phase).toBeGreaterThan(sub);
        expect(crds).toBeGreaterThan(phase);
        expect(script).toContain("stackgres.v*) ;;");
        expect(script.startsWith("set -euf\n")).toBe(true);
        // Unpinned: nothing approves InstallPlans.
        expect(script).not.toContain("kubectl patch");
    });

    it("is valid POSIX sh", () => {
        for (const spec of [olm, { namespace: "stackgres", crdNames: ["sgclusters.stackgres.io"], timeoutSeconds: 60 }]) {
            const r = spawnSync("sh", ["-n", "-c", operatorWaitScript(spec)]);
            expect(r.status, r.stderr.toString()).toBe(0);
        }
    });

    it("refuses names that are not Kubernetes names (nothing unvalidated reaches the shell)", () => {
        expect(() => operatorWaitScript({ ...olm, subscriptionName: "x; rm -rf /" })).toThrow(/subscription name/);
        expect(() => operatorWaitScript({ ...olm, crdNames: ["$(id)"] })).toThrow(/CRD name/);
        expect(() => operatorWaitScript({ ...olm, namespace: "Bad" })).toThrow(/namespace/);
        expect(() => operatorWaitScript({ namespace: "x", crdNames: [], timeoutSeconds: 60 })).toThrow(/nothing to wait for/);
        expect(() => operatorWaitScript({ namespace: "x", csvPrefix: "p", crdNames: ["a.b"], timeoutSeconds: 60 })).toThrow(/csvPrefix and pinnedCsv need subscriptionName/);
        expect(() => operatorWaitScript({ ...olm, pinnedCsv: "x;y" })).toThrow(/pinned CSV/);
        expect(() => operatorWaitScript({ ...olm, pinnedCsv: "stackgres-community.v1.18.6" })).toThrow(/not a CSV of the package/);
        expect(() => operatorWaitScript({ ...olm, pinnedCsv: "stackgres.v1.18.6", approvableCsvs: ["$(id)"] })).toThrow(/approvable CSV/);
        expect(() => operatorWaitScript({ ...olm, timeoutSeconds: 5 })).toThrow(/timeoutSeconds/);
    });

    /**
     * Runs the script with fake `kubectl`, `sleep` and `date` on PATH. The fake kubectl logs its
     * arguments and answers from environment variables; `date` advances 10 s per call.
     */
    function runWithFakes(script: string, env: Record<string, string>): { status: number | null; calls: string[]; stderr: string } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vaultkit-wait-"));
        const log = path.join(dir, "calls.log");
        const clock = path.join(dir, "clock");
        fs.writeFileSync(clock, "1000");
        fs.writeFileSync(
            path.join(dir, "kubectl"),
            [
                "#!/bin/sh",
                `echo "$*" >> "${log}"`,
                `case "$1 $2" in`,
                `  "get subscriptions.operators.coreos.com") printf '%s' "$FAKE_INSTALLED_CSV"; exit 0 ;;`,
                `  "get clusterserviceversions.operators.coreos.com") exit 0 ;;`,
                `  "get customresourcedefinitions.apiextensions.k8s.io") [ -n "$FAKE_CRDS_EXIST" ] && exit 0 || exit 1 ;;`,
                `esac`,
                `[ "$1" = wait ] && exit 0`,
                `exit 2`,
            ].join("\n"),
            { mode: 0o755 },
        );
        fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "date"), `#!/bin/sh\nn=$(cat "${clock}"); echo $((n + 10)) > "${clock}"; echo "$n"\n`, { mode: 0o755 });
        const r = spawnSync("sh", ["-c", script], { env: { PATH: `${dir}:${process.env.PATH}`, ...env }, timeout: 10_000 });
        const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
        fs.rmSync(dir, { recursive: true, force: true });
        return { status: r.status, calls, stderr: r.stderr.toString() };
    }

    it("succeeds once OLM reports the expected CSV and the CRDs exist", () => {
        const r = runWithFakes(operatorWaitScript(olm), { FAKE_INSTALLED_CSV: "stackgres.v1.18.6", FAKE_CRDS_EXIST: "yes" });
        expect(r.status, r.stderr).toBe(0);
        expect(r.calls.filter((c) => c.startsWith("wait"))).toEqual([
            expect.stringMatching(/^wait --for=jsonpath=\{\.status\.phase\}=Succeeded clusterserviceversions\.operators\.coreos\.com\/stackgres\.v1\.18\.6 -n openshift-operators --timeout=\d+s$/),
            expect.stringMatching(/^wait --for=condition=Established customresourcedefinitions\.apiextensions\.k8s\.io\/sgclusters\.stackgres\.io customresourcedefinitions\.apiextensions\.k8s\.io\/sgscripts\.stackgres\.io --timeout=\d+s$/),
        ]);
    });

    it("fails on a CSV of another package", () => {
        const r = runWithFakes(operatorWaitScript(olm), { FAKE_INSTALLED_CSV: "stackgres-community.v1.18.6", FAKE_CRDS_EXIST: "yes" });
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("unexpected CSV stackgres-community.v1.18.6");
    });

    it("gives up at the deadline when no CSV is ever installed (e.g. an unapproved InstallPlan)", () => {
        const r = runWithFakes(operatorWaitScript({ ...olm, timeoutSeconds: 60 }), { FAKE_INSTALLED_CSV: "", FAKE_CRDS_EXIST: "yes" });
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("reports no installed CSV");
        expect(r.calls.some((c) => c.startsWith("wait"))).toBe(false);
    });

    it("gives up when a CRD never appears", () => {
        const r = runWithFakes(operatorWaitScript({ namespace: "stackgres", crdNames: ["sgclusters.stackgres.io"], timeoutSeconds: 60 }), { FAKE_INSTALLED_CSV: "", FAKE_CRDS_EXIST: "" });
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("CRD sgclusters.stackgres.io does not exist");
    });
});

describe("the wait Job's RBAC and pod", () => {
    it("reads only: one named Subscription, CSVs in the namespace, CRDs cluster-wide", () => {
        const rules = operatorWaitRules({ subscriptionName: "stackgres" });
        expect(rules.namespaced).toEqual([
            { apiGroups: ["operators.coreos.com"], resources: ["subscriptions"], resourceNames: ["stackgres"], verbs: ["get"] },
            { apiGroups: ["operators.coreos.com"], resources: ["clusterserviceversions"], verbs: ["get", "list", "watch"] },
        ]);
        expect(rules.cluster).toEqual([{ apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] }]);
        expect(operatorWaitRules({}).namespaced).toEqual([]);
    });

    it("pins both kubectl images to a tag (never latest)", () => {
        for (const image of Object.values(OPERATOR_WAIT_IMAGES)) {
            expect(image).toMatch(/:[vV]?[0-9][0-9.]*$/);
        }
    });
});

describe("Helm values and chart pins", () => {
    it("VSO: no default connection or auth method, manager resources set", () => {
        expect(vaultSecretsOperatorValues()).toEqual({
            controller: { manager: { resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } } } },
            defaultVaultConnection: { enabled: false },
            defaultAuthMethod: { enabled: false },
        });
    });

    it("CSI driver: rotation on, poll interval validated; secret sync (cluster-wide Secret write access) off, since no SecretProviderClass syncs", () => {
        const v = secretsStoreCsiDriverValues() as any;
        expect(v.syncSecret).toEqual({ enabled: false });
        expect(v.enableSecretRotation).toBe(true);
        expect(v.rotationPollInterval).toBe("2m");
        expect(Object.keys(v.linux).sort()).toEqual(["driver", "livenessProbe", "registrar"]);
        for (const c of Object.values(v.linux) as any[]) {
            expect(Object.keys(c.resources).sort()).toEqual(["limits", "requests"]);
        }
        expect((secretsStoreCsiDriverValues("90s") as any).rotationPollInterval).toBe("90s");
        expect(() => secretsStoreCsiDriverValues("2 minutes")).toThrow(/duration/);
    });

    it("StackGres: operator only, no web console, no cluster-admin binding", () => {
        const v = stackgresOperatorValues() as any;
        expect(v.deploy).toEqual({ operator: true, restapi: false, collector: false });
        expect(v.rbac).toEqual({ create: false });
        expect(Object.keys(v.operator.resources).sort()).toEqual(["limits", "requests"]);
        expect(Object.keys(v.jobs.resources).sort()).toEqual(["limits", "requests"]);
    });

    it.skipIf(!haveShared)("StackGres values pass the chart's values.schema.json and name only keys the 1.18.6 chart has", () => {
        const dir = path.join(SHARED, "reference/stackgres-helm/stackgres-operator");
        const ajv = new Ajv({ strict: false });
        const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(dir, "values.schema.json"), "utf8")));
        expect(validate(stackgresOperatorValues())).toBe(true);
        const reference = YAML.parse(fs.readFileSync(path.join(dir, "values.yaml"), "utf8"));
        const unknown: string[] = [];
        const walk = (ours: any, theirs: any, at: string) => {
            for (const [k, v] of Object.entries(ours)) {
                if (theirs === null || typeof theirs !== "object" || !(k in theirs)) {
                    unknown.push(`${at}${k}`);
                } else if (v !== null && typeof v === "object" && !Array.isArray(v) && k !== "resources") {
                    walk(v, theirs[k], `${at}${k}.`);
                }
            }
        };
        walk(stackgresOperatorValues(), reference, "");
        expect(unknown).toEqual([]);
        expect(reference.operator.image.tag).toBe(PINNED.stackgres.version);
    });

    it("every pinned chart is an exact version from an https repository", () => {
        for (const [name, d] of Object.entries(OPERATORS)) {
            expect(() => assertPinnedChart(d.helm), name).not.toThrow();
        }
        expect(() => assertPinnedChart({ chart: "x", repo: "https://r", version: "1.x" })).toThrow(/exact version/);
        expect(() => assertPinnedChart({ chart: "x", repo: "http://r", version: "1.0.0" })).toThrow(/https/);
    });
});

describe("which operators a config needs", () => {
    it("the seed's lab (StackGres database, deployed Vault with the CSI provider) needs all three", () => {
        expect(operatorsNeeded(config({}))).toEqual({ vaultSecretsOperator: true, stackgres: true, secretsStoreCsi: true });
    });

    it("an existing database with direct-access apps and no CSI provider needs none", () => {
        const c = config({
            vault: { address: "https://vault.example.com", csiProvider: false },
            database: { mode: "existing", host: "db.example.com" },
            databaseAdminPassword: "test-only-password-0123456789",
            applications: [{ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app", delivery: "direct" }],
        });
        expect(operatorsNeeded(c)).toEqual({ vaultSecretsOperator: false, stackgres: false, secretsStoreCsi: false });
    });

    it("a sync app needs VSO; a csi app or the CSI debug pod needs the CSI driver", () => {
        const base = {
            // The Vault CSI provider and injector are installed in the cluster (nothing here installs them for an existing Vault).
            vault: { mode: "existing", address: "https://vault.example.com", csiProvider: true, injector: true },
            kubernetesAuth: { vaultRunsInCluster: true, mount: "team-kubernetes" },
            database: { mode: "existing", host: "db.example.com", kvMount: "team-kv", databaseMount: "team-database" },
            databaseAdminPassword: "test-only-password-0123456789",
        };
        const env = { vaultToken: "t" };
        const app = (delivery: string) => ({ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app", delivery });
        const parse = (raw: Record<string, any>) => parseStackConfig("test", { platform: "kubernetes", ...base, ...raw }, env);
        expect(operatorsNeeded(parse({ applications: [app("sync")] }))).toEqual({ vaultSecretsOperator: true, stackgres: false, secretsStoreCsi: false });
        expect(operatorsNeeded(parse({ applications: [app("csi")] }))).toEqual({ vaultSecretsOperator: false, stackgres: false, secretsStoreCsi: true });
        expect(operatorsNeeded(parse({ debugWorkloads: { csi: true } }))).toEqual({ vaultSecretsOperator: false, stackgres: false, secretsStoreCsi: true });
        expect(operatorsNeeded(parse({ applications: [app("injector")] }))).toEqual({ vaultSecretsOperator: false, stackgres: false, secretsStoreCsi: false });
    });
});

// `sh` must exist for the script tests above; fail loudly instead of skipping silently.
it("has a POSIX shell for the script tests", () => {
    expect(execFileSync("sh", ["-c", "echo ok"]).toString().trim()).toBe("ok");
});
