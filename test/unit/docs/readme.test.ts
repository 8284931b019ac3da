/** The README states facts the code decides; these tests keep them equal. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_OPERATOR_WAIT_SECONDS } from "../../../components/operators/operatorReadyWait";
import { DEFAULT_CLUSTER_TIMEOUT_SECONDS } from "../../../components/stackgres/clusterSpecs";
import { DEFAULT_MANAGED_SQL_WAIT_SECONDS } from "../../../components/stackgres/managedSqlGate";
import { DEFAULT_BOOTSTRAP_TIMEOUT_SECONDS } from "../../../components/vault/vaultBootstrap";
import { DEV_ROOT_TOKEN_SECRET_KEY } from "../../../components/vault/vaultServer";
import { PINNED } from "../../../components/versions";
import { parseStackConfig, rawConfigSchema } from "../../../stacks/config";
import { deliveryPropagationTable } from "../../../stacks/delivery";

const readme = fs.readFileSync(path.resolve(__dirname, "../../../README.md"), "utf8");

describe("README", () => {
    it("states the propagation delays the code derives", () => {
        const table = deliveryPropagationTable();
        for (const [pattern, seconds] of Object.entries(table)) {
            const row = readme.split("\n").find((l) => l.startsWith(`| \`${pattern}\` |`) && l.includes("delay") === false && /\| \d+ s \|$/.test(l));
            expect(row, `README row for ${pattern}`).toBeDefined();
            expect(row!.endsWith(`| ${seconds} s |`), `${pattern}: README says ${row!.split("|").slice(-2, -1)[0]!.trim()}, code says ${seconds} s`).toBe(true);
        }
    });

    it("documents every top-level config key", () => {
        for (const key of Object.keys(rawConfigSchema.shape)) {
            expect(readme, key).toMatch(new RegExp("\\| `" + key + "[`.[]"));
        }
    });

    it("shows the config error the program prints for its example", () => {
        const block = /```\n(error: stack 'prod': invalid stack configuration[\s\S]*?)\n```/.exec(readme)?.[1];
        expect(block, "the README's config error example").toBeDefined();
        let message = "";
        try {
            parseStackConfig(
                "prod",
                {
                    platform: "openshift",
                    production: true,
                    vault: { address: "https://vault.apps.example.com", server: "dev" },
                    vaultToken: "hvs.typed-into-the-stack-file",
                    applications: [{ name: "app", namespace: "rhbk", serviceAccount: "app", databaseRole: "app", rotationPeriod: "10s" }],
                },
                { isSecret: () => false },
            );
        } catch (e) {
            message = `error: stack 'prod': ${(e as Error).message}`;
        }
        const lines = message.split("\n");
        const shown = block!.split("\n");
        expect(shown.length).toBe(lines.length);
        // "..." in the README elides part of a line
        shown.forEach((line, i) => expect(lines[i]).toMatch(new RegExp("^" + line.split("...").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$")));
    });

    it("names the pinned chart versions", () => {
        expect(readme).toContain(`| vault-helm chart | ${PINNED.vaultChart.version} (Vault ${PINNED.vaultChart.appVersion}`);
        expect(readme).toContain(`StackGres | ${PINNED.stackgres.version}`);
    });
});

describe("docs/troubleshooting.md and docs/deploy.md", () => {
    const docs = (name: string) => fs.readFileSync(path.resolve(__dirname, "../../../docs", name), "utf8");
    const row = (text: string, start: string) => text.split("\n").find((l) => l.startsWith(`| ${start}`));

    it("state the waits' time limits the code sets", () => {
        const t = docs("troubleshooting.md");
        expect(row(t, "OLM operator"), "OLM row").toMatch(new RegExp(`\\| ${DEFAULT_OPERATOR_WAIT_SECONDS} s \\|$`));
        expect(row(t, "Helm operators, plain Kubernetes: `stackgres-operator`"), "StackGres Helm row").toMatch(new RegExp(`\\| ${DEFAULT_OPERATOR_WAIT_SECONDS} s each \\|$`));
        expect(row(t, "`ClusterCSIDriver"), "ClusterCSIDriver row").toMatch(new RegExp(`\\| ${DEFAULT_OPERATOR_WAIT_SECONDS} s \\|$`));
        expect(row(t, "`SGCluster"), "SGCluster row").toMatch(new RegExp(`\\| ${DEFAULT_CLUSTER_TIMEOUT_SECONDS} s \\|$`));
        expect(row(t, "Job `keycloak-postgresql-sql-gate`"), "SQL gate row").toMatch(new RegExp(`\\| ${DEFAULT_MANAGED_SQL_WAIT_SECONDS} s \\|$`));
        expect(row(t, "HA only"), "bootstrap row").toContain(`${DEFAULT_BOOTSTRAP_TIMEOUT_SECONDS.autoUnseal} s with auto-unseal, ${DEFAULT_BOOTSTRAP_TIMEOUT_SECONDS.manual} s with Shamir keys`);
        expect(t).toContain(`logs -l app.kubernetes.io/name=stackgres-operator-wait`);
        expect(docs("deploy.md")).toContain(`The wait gives up after ${DEFAULT_OPERATOR_WAIT_SECONDS / 60} minutes`);
    });

    it("name the stack outputs the program exports and the dev root token's Secret", () => {
        const d = docs("deploy.md");
        const program = fs.readFileSync(path.resolve(__dirname, "../../../index.ts"), "utf8");
        const exported = [...program.matchAll(/^export const (\w+)/gm)].map((m) => m[1]!);
        for (const name of ["vaultRootToken", "vaultAddress", "vaultInClusterAddress", "adminCredentialsPath", "databaseHost"]) {
            expect(exported, name).toContain(name);
            expect(d, name).toContain(`\`${name}\``);
        }
        expect(d).toContain(`oc -n vault get secret vault-dev-root-token -o jsonpath='{.data.${DEV_ROOT_TOKEN_SECRET_KEY}}'`);
    });
});
