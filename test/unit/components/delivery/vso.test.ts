/** The VSO custom resources' specs (components/delivery/vso.ts), and the StackGres-owned Secret name SecretSync refuses. No Pulumi engine involved. */
import { describe, expect, it } from "vitest";
import { assertNotStackGresOwned } from "../../../../components/delivery/secretSync";
import {
    VSO_SYNCED_WAIT_FOR,
    durationString,
    vaultAuthSpec,
    vaultConnectionSpec,
    vaultStaticCredsSecretSpec,
    vaultStaticSecretSpec,
} from "../../../../components/delivery/vso";

describe("VSO specs", () => {
    it("builds the seed's VaultConnection, VaultAuth and VaultStaticSecret", () => {
        expect(vaultConnectionSpec("http://vault.vault.svc.cluster.local:8200")).toEqual({
            address: "http://vault.vault.svc.cluster.local:8200",
            skipTLSVerify: false,
        });
        expect(vaultAuthSpec({ vaultConnectionName: "vc", mount: "kubernetes", role: "keycloak-role", serviceAccount: "default" })).toEqual({
            vaultConnectionRef: "vc",
            method: "kubernetes",
            mount: "kubernetes",
            kubernetes: { role: "keycloak-role", serviceAccount: "default" },
        });
        expect(
            vaultStaticSecretSpec({
                vaultAuthName: "va",
                mount: "kv-v2",
                path: "keycloak-postgresql/config",
                refreshAfterSeconds: 30,
                destinationSecretName: "keycloak-postgresql-vault",
            }),
        ).toEqual({
            vaultAuthRef: "va",
            type: "kv-v2",
            mount: "kv-v2",
            path: "keycloak-postgresql/config",
            refreshAfter: "30s",
            hmacSecretData: true,
            destination: { name: "keycloak-postgresql-vault", create: true, overwrite: false },
        });
    });

    it("passes audiences and a CA Secret through, and refuses CA plus skip-verify", () => {
        expect(vaultAuthSpec({ vaultConnectionName: "vc", mount: "k8s", role: "r", serviceAccount: "sa", audiences: ["aud"] }).kubernetes).toEqual({
            role: "r",
            serviceAccount: "sa",
            audiences: ["aud"],
        });
        expect(vaultConnectionSpec("https://vault:8200", false, "vault-ca")).toEqual({ address: "https://vault:8200", skipTLSVerify: false, caCertSecretRef: "vault-ca" });
        expect(() => vaultConnectionSpec("https://vault:8200", true, "vault-ca")).toThrow(/mutually exclusive/);
        expect(() => vaultConnectionSpec("vault:8200")).toThrow(/http/);
    });

    it("reads static creds with a VaultDynamicSecret that restarts the consumers", () => {
        expect(
            vaultStaticCredsSecretSpec({
                vaultAuthName: "app",
                databaseMount: "database",
                staticRoleName: "app",
                destinationSecretName: "app-db-credentials",
                rolloutRestartDeployments: ["app"],
            }),
        ).toEqual({
            vaultAuthRef: "app",
            mount: "database",
            path: "static-creds/app",
            allowStaticCreds: true,
            destination: { name: "app-db-credentials", create: true, overwrite: false },
            rolloutRestartTargets: [{ kind: "Deployment", name: "app" }],
        });
        expect(() =>
            vaultStaticCredsSecretSpec({ vaultAuthName: "a", databaseMount: "database", staticRoleName: "a/b", destinationSecretName: "d", rolloutRestartDeployments: ["x"] }),
        ).toThrow(/without '\/'/);
    });

    it("refuses KV paths that carry the API 'data/' prefix, and bad durations", () => {
        expect(() =>
            vaultStaticSecretSpec({ vaultAuthName: "a", mount: "kv-v2", path: "data/keycloak-postgresql/config", refreshAfterSeconds: 30, destinationSecretName: "d" }),
        ).toThrow(/without the mount or 'data\/' prefix/);
        expect(durationString(90)).toBe("90s");
        expect(() => durationString(0)).toThrow();
        expect(() => durationString(1.5)).toThrow();
    });

    it("waits for VSO's secretMAC, which is written only after a successful sync", () => {
        expect(VSO_SYNCED_WAIT_FOR).toBe("jsonpath={.status.secretMAC}");
    });

    it("refuses the Secret name StackGres owns", () => {
        expect(() => assertNotStackGresOwned("keycloak-postgresql", "keycloak-postgresql")).toThrow(
            /Secret StackGres creates and owns for SGCluster 'keycloak-postgresql'.*e\.g\. 'keycloak-postgresql-vault'/,
        );
        expect(() => assertNotStackGresOwned("keycloak-postgresql-vault", "keycloak-postgresql")).not.toThrow();
    });
});
