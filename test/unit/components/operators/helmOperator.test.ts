/**
 * HelmOperator under the mock engine: `helm.v4.Chart` or `helm.v3.Release` as asked, the wait Job only
 * for run-time CRDs, pinned charts only, and its dependencies handed to every child.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { childNames, dependsOnTransitively, one, registrations, settle, setupMocks, valueOf } from "../../../support/mocks";
import { Marker } from "../../../support/types";

const TYPE = "vaultkit:index:HelmOperator";
const CHART = "kubernetes:helm.sh/v4:Chart";
const RELEASE = "kubernetes:helm.sh/v3:Release";

let mod: typeof import("../../../../components/operators/helmOperator");
let chartOp: import("../../../../components/operators/helmOperator").HelmOperator;
let releaseOp: import("../../../../components/operators/helmOperator").HelmOperator;

const children = (name: string) => childNames(`${TYPE}::${name}`);
const urns = (rs: pulumi.Resource[]) => Promise.all(rs.map((r) => valueOf((r as pulumi.CustomResource).urn)));

beforeAll(async () => {
    await setupMocks();
    mod = await import("../../../../components/operators/helmOperator");
    const ns = new Marker("test:index:Marker", "namespace-gate");
    chartOp = new mod.HelmOperator(
        "plain",
        { namespace: "plain-system", chart: "plain-operator", repo: "https://charts.example.com", version: "1.2.3", values: { a: 1 }, useHelmRelease: false },
        { dependsOn: [ns] },
    );
    releaseOp = new mod.HelmOperator(
        "hooked",
        {
            namespace: "hooked",
            chart: "hooked-operator",
            repo: "https://charts.example.com",
            version: "2.0.0",
            releaseName: "hooked-release",
            values: { b: true },
            useHelmRelease: true,
            runtimeCrdNames: ["widgets.example.com"],
            waitImage: "mirror.example.com/kubectl:v1.31.0",
            waitRunAsUser: 1000,
            timeoutSeconds: 300,
        },
        { dependsOn: [ns] },
    );
    await settle();
});

describe("HelmOperator", () => {
    it("without hooks or run-time CRDs: exactly one helm.v4.Chart, release named after the chart", async () => {
        expect(children("plain")).toEqual([`${CHART}::plain-chart`]);
        expect(one(CHART, "plain-chart").inputs).toEqual({
            name: "plain-operator",
            chart: "plain-operator",
            version: "1.2.3",
            repositoryOpts: { repo: "https://charts.example.com" },
            namespace: "plain-system",
            values: { a: 1 },
        });
        expect(await valueOf(chartOp.releaseName)).toBe("plain-operator");
        expect(await urns(chartOp.ready)).toEqual([one(CHART, "plain-chart").urn]);
    });

    it("with hooks: a helm.v3.Release that waits for its Jobs, and a wait component for the run-time CRDs after it", async () => {
        expect(children("hooked")).toEqual([`${RELEASE}::hooked-release`, "vaultkit:index:OperatorReadyWait::hooked-wait"]);
        const release = one(RELEASE, "hooked-release");
        expect(release.inputs).toMatchObject({
            name: "hooked-release",
            chart: "hooked-operator",
            version: "2.0.0",
            repositoryOpts: { repo: "https://charts.example.com" },
            namespace: "hooked",
            createNamespace: false,
            values: { b: true },
            skipAwait: false,
            waitForJobs: true,
            timeout: 300,
        });
        const job = one("kubernetes:batch/v1:Job", "hooked-wait-job");
        const pod = job.inputs.spec.template.spec;
        expect(pod.containers[0].image).toBe("mirror.example.com/kubectl:v1.31.0");
        expect(pod.securityContext.runAsUser).toBe(1000);
        expect(pod.containers[0].command[2]).toContain("customresourcedefinitions.apiextensions.k8s.io/widgets.example.com");
        expect(dependsOnTransitively(job, release)).toBe(true);
        expect(await urns(releaseOp.ready)).toEqual([release.urn, job.urn]);
    });

    it("hands its dependsOn to every child", () => {
        const gate = one("test:index:Marker", "namespace-gate");
        for (const r of registrations.filter((x) => x.urn.includes(`${TYPE}$`))) {
            expect(dependsOnTransitively(r, gate), `${r.type}::${r.name}`).toBe(true);
        }
    });

    it("refuses a floating chart version or a non-https repository before registering anything", async () => {
        const before = registrations.length;
        const args = { namespace: "x", chart: "c", repo: "https://charts.example.com", version: "1.2.3", values: {}, useHelmRelease: false };
        expect(() => new mod.HelmOperator("floating", { ...args, version: "1.x" })).toThrow(/chart c must be pinned to an exact version like '1.2.3', got "1.x"/);
        expect(() => new mod.HelmOperator("http", { ...args, repo: "http://charts.example.com" })).toThrow(/https:\/\/ repository/);
        await settle();
        expect(registrations.length).toBe(before);
    });
});
