/**
 * Every version this project pins, in one place, with where each pin comes from. Components use
 * these as defaults; stacks may override them through config where the config reference says so.
 * Each operator's descriptor (components/operators/catalog/<operator>.ts) reads its pins from here.
 */
export const PINNED = {
    /** HashiCorp vault-helm. Source: ../shared/reference/vault-helm/v0.34.1/Chart.yaml (appVersion 2.0.4). */
    vaultChart: {
        chart: "vault",
        repo: "https://helm.releases.hashicorp.com",
        version: "0.34.1",
        /** Vault server image tag the chart version brings (values.yaml `server.image.tag`). */
        appVersion: "2.0.4",
        /** Agent injector image (values.yaml `injector.image.tag`). */
        injectorVersion: "1.7.6",
        /** CSI provider image (values.yaml `csi.image.tag`). */
        csiProviderVersion: "1.7.4",
    },
    /**
     * Vault Secrets Operator. OLM package/channel from the upstream bundle Makefile
     * (`CHANNELS="stable"`); CSV name pattern from the upstream CSV base; version = newest CRDs kept in
     * ../shared/crds/vault-secrets-operator/v1.4.1 (commit 9b840a5a). The Helm chart version tracks the operator.
     */
    vaultSecretsOperator: {
        olmPackage: "vault-secrets-operator",
        channel: "stable",
        catalog: "certified-operators",
        startingCSV: "vault-secrets-operator.v1.4.1",
        chart: "vault-secrets-operator",
        repo: "https://helm.releases.hashicorp.com",
        version: "1.4.1",
    },
    /**
     * StackGres. Version = newest CRDs and charts in ../shared/crds/stackgres/1.18.6 and
     * ../shared/reference/stackgres-helm (Chart.yaml 1.18.6). OLM package names per catalog from
     * ongres/stackgres operator-sdk deploy scripts (see ../shared/design/seed-facts.md).
     */
    stackgres: {
        olmPackageByCatalog: {
            "certified-operators": "stackgres-certified",
            "community-operators": "stackgres-community",
            "redhat-marketplace": "stackgres",
        },
        csvPrefixByCatalog: {
            "certified-operators": "stackgres",
            "community-operators": "stackgres-community",
            "redhat-marketplace": "stackgres",
        },
        channel: "stable",
        version: "1.18.6",
        chart: "stackgres-operator",
        repo: "https://stackgres.io/downloads/stackgres-k8s/stackgres/helm/",
    },
    /**
     * Secrets Store CSI driver. OpenShift: the Red Hat operator (redhat-operators; channel `preview`
     * through OpenShift 4.15, the seed's release, `stable` from 4.16). Plain Kubernetes: the upstream
     * chart at v1.6.0, the release whose CRDs are kept in ../shared/crds/secrets-store-csi-driver.
     */
    secretsStoreCsi: {
        olmPackage: "secrets-store-csi-driver-operator",
        channel: "preview",
        catalog: "redhat-operators",
        namespace: "openshift-cluster-csi-drivers",
        chart: "secrets-store-csi-driver",
        repo: "https://kubernetes-sigs.github.io/secrets-store-csi-driver/charts",
        version: "1.6.0",
    },
    /**
     * `kubectl` images for the operator wait Job and the HA bootstrap Job (both contain `sh`).
     * - OpenShift: Red Hat's `ose-cli` at the seed's OpenShift minor (4.15); kubectl 1.28. The
     *   cluster's global pull secret covers registry.redhat.io.
     * - Plain Kubernetes: the upstream kubectl image (published since 1.28; debian-base with bash,
     *   sed, grep, jq per kubernetes/kubernetes build/server-image/kubectl/Dockerfile; its entrypoint
     *   is kubectl, so Jobs set `command: [/bin/sh, -c, ...]`). Its default user is root, so the
     *   Jobs set a non-root UID there (never on OpenShift, whose SCC assigns one).
     */
    kubectlImages: {
        openshift: "registry.redhat.io/openshift4/ose-cli:v4.15",
        kubernetes: "registry.k8s.io/kubectl:v1.31.0",
    },
    /**
     * The OLM API the Subscription/OperatorGroup objects are written against: operator-framework/api
     * v0.45.0 (CRDs in ../shared/crds/olm, commit 72d46e1d).
     */
    olmApi: { version: "v0.45.0" },
    /** OpenShift API the ClusterCSIDriver and Route follow: the seed's OpenShift 4.15 (openshift/api release-4.15). */
    openshiftApi: { version: "release-4.15" },
    /** Debug/sample workload image: UBI 9 (curl, sh). Red Hat's minor-release tag. */
    debugImage: "registry.access.redhat.com/ubi9/ubi:9.4",
    /** psql client for the user-credentials check; the seed's client was 16.1. */
    psqlImage: "docker.io/library/postgres:16.1",
} as const;
