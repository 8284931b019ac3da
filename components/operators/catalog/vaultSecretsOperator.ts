/** The Vault Secrets Operator: syncs the StackGres admin Secret and serves `sync` applications. */
import { PINNED } from "../../versions";
import { OperatorDescriptor, resources } from "./descriptor";

/**
 * Values of the `vault-secrets-operator` chart. No default VaultConnection/VaultAuth: this
 * project declares its own, one per consumer, so nothing authenticates implicitly.
 */
export function vaultSecretsOperatorValues(): Record<string, unknown> {
    return {
        controller: {
            manager: {
                resources: resources("10m", "64Mi", "500m", "256Mi"),
            },
        },
        defaultVaultConnection: { enabled: false },
        defaultAuthMethod: { enabled: false },
    };
}

const pin = PINNED.vaultSecretsOperator;

export const vaultSecretsOperator: OperatorDescriptor = {
    /** VaultConnection, VaultAuth, VaultStaticSecret and VaultDynamicSecret (rotated static creds). */
    crds: [
        "vaultconnections.secrets.hashicorp.com",
        "vaultauths.secrets.hashicorp.com",
        "vaultstaticsecrets.secrets.hashicorp.com",
        "vaultdynamicsecrets.secrets.hashicorp.com",
    ],
    crdGateName: "vault-secrets-operator-crds",
    olm: {
        resourceName: "vault-secrets-operator",
        namespace: "openshift-operators",
        channel: pin.channel,
        catalogs: { [pin.catalog]: { package: pin.olmPackage, csvPrefix: pin.olmPackage } },
        catalog: pin.catalog,
        pinnedVersion: pin.version,
        // openshift-operators already has the global OperatorGroup; a second one breaks OLM.
        createOperatorGroup: false,
    },
    helm: {
        resourceName: "vault-secrets-operator",
        chart: pin.chart,
        repo: pin.repo,
        version: pin.version,
        namespace: "vault-secrets-operator-system",
        values: vaultSecretsOperatorValues,
        // The chart's CRDs are in crds/, which Chart v4 applies; its only hook upgrades CRDs.
        useHelmRelease: false,
    },
};
