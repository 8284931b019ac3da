/** StackGres: runs the database (`database.mode: stackgres`). */
import { PINNED } from "../../versions";
import { OperatorDescriptor, resources } from "./descriptor";

/**
 * Values of the `stackgres-operator` chart. Only the operator is needed here: no web console /
 * REST API (and no cluster-admin binding for its admin user), no OpenTelemetry collector (its
 * default request is 1 GiB; SGClusters run without it).
 */
export function stackgresOperatorValues(): Record<string, unknown> {
    return {
        operator: { resources: resources("100m", "512Mi", "1", "1Gi") },
        jobs: { resources: resources("10m", "64Mi", "500m", "256Mi") },
        deploy: { operator: true, restapi: false, collector: false },
        cert: { createForWebApi: false, createForCollector: false },
        rbac: { create: false },
        grafana: { autoEmbed: false },
    };
}

const pin = PINNED.stackgres;

export const stackgres: OperatorDescriptor = {
    /** SGCluster and the objects it references. */
    crds: ["sgclusters.stackgres.io", "sgscripts.stackgres.io", "sginstanceprofiles.stackgres.io", "sgpgconfigs.stackgres.io"],
    crdGateName: "stackgres-crds",
    olm: {
        resourceName: "stackgres-operator",
        namespace: "openshift-operators",
        subscriptionName: "stackgres",
        channel: pin.channel,
        catalogs: Object.fromEntries(
            Object.entries(pin.olmPackageByCatalog).map(([catalog, pkg]) => [catalog, { package: pkg, csvPrefix: pin.csvPrefixByCatalog[catalog as keyof typeof pin.csvPrefixByCatalog] }]),
        ),
        catalog: "certified-operators",
        pinnedVersion: pin.version,
        // openshift-operators already has the global OperatorGroup; a second one breaks OLM.
        createOperatorGroup: false,
    },
    helm: {
        resourceName: "stackgres-operator",
        chart: pin.chart,
        repo: pin.repo,
        version: pin.version,
        releaseName: "stackgres-operator",
        namespace: "stackgres",
        values: stackgresOperatorValues,
        // Install Jobs are Helm hooks, and the operator creates its CRDs when it starts.
        useHelmRelease: true,
        runtimeCrds: true,
    },
};
