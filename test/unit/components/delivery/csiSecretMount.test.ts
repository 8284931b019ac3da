/** The Secrets Store CSI data of components/delivery/csiSecretMount.ts: objects YAML, SecretProviderClass spec, volume. No Pulumi engine involved. */
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { csiObjectsYaml, csiVolume, secretProviderClassSpec } from "../../../../components/delivery/csiSecretMount";

const SEED_KV_DATA_PATH = "kv-v2/data/keycloak-postgresql/config";

describe("CSI", () => {
    it("renders the seed's objects YAML: one file with the whole response, no secretKey", () => {
        const text = csiObjectsYaml([{ objectName: "keycloak-postgresql-vault", apiPath: SEED_KV_DATA_PATH }]);
        expect(text).toBe("- objectName: keycloak-postgresql-vault\n  secretPath: kv-v2/data/keycloak-postgresql/config\n");
        expect(YAML.parse(text)).toEqual([{ objectName: "keycloak-postgresql-vault", secretPath: SEED_KV_DATA_PATH }]);
    });

    it("adds secretKey for single values and refuses empty or duplicate lists", () => {
        expect(YAML.parse(csiObjectsYaml([{ objectName: "password", apiPath: "database/static-creds/app", secretKey: "password" }]))).toEqual([
            { objectName: "password", secretPath: "database/static-creds/app", secretKey: "password" },
        ]);
        expect(() => csiObjectsYaml([])).toThrow(/at least one/);
        expect(() =>
            csiObjectsYaml([
                { objectName: "a", apiPath: "x/y" },
                { objectName: "a", apiPath: "x/z" },
            ]),
        ).toThrow(/twice/);
        expect(() => csiObjectsYaml([{ objectName: "..", apiPath: "x/y" }])).toThrow(/file name/);
        expect(() => csiObjectsYaml([{ objectName: "../etc", apiPath: "x/y" }])).toThrow(/file name/);
        expect(() => csiObjectsYaml([{ objectName: "app.password", apiPath: "x/y" }])).not.toThrow();
        expect(() => csiObjectsYaml([{ objectName: "a/b", apiPath: "x/y" }])).toThrow(/file name/);
    });

    it("builds a vault SecretProviderClass; the mount path parameter only when not the default", () => {
        expect(secretProviderClassSpec({ role: "keycloak-role", objects: [{ objectName: "f", apiPath: SEED_KV_DATA_PATH }] })).toEqual({
            provider: "vault",
            parameters: { roleName: "keycloak-role", objects: "- objectName: f\n  secretPath: kv-v2/data/keycloak-postgresql/config\n" },
        });
        const p = secretProviderClassSpec({
            role: "r",
            authMount: "k8s-east",
            audience: "https://kubernetes.default.svc",
            vaultAddress: "http://vault.vault.svc:8200",
            objects: [{ objectName: "f", apiPath: "a/b" }],
        }).parameters;
        expect(p).toMatchObject({ vaultKubernetesMountPath: "k8s-east", audience: "https://kubernetes.default.svc", vaultAddress: "http://vault.vault.svc:8200" });
        expect(secretProviderClassSpec({ role: "r", authMount: "kubernetes", objects: [{ objectName: "f", apiPath: "a/b" }] }).parameters).not.toHaveProperty(
            "vaultKubernetesMountPath",
        );
        expect(() => secretProviderClassSpec({ role: "", objects: [{ objectName: "f", apiPath: "a/b" }] })).toThrow(/login.role/);
    });

    it("mounts the driver's volume read-only", () => {
        expect(csiVolume("spc")).toEqual({
            name: "secrets-store",
            csi: { driver: "secrets-store.csi.k8s.io", readOnly: true, volumeAttributes: { secretProviderClass: "spc" } },
        });
    });
});
