/** scripts/lib/render/index.ts on the fixture program: index.yaml lists every registration with its parent, provider and dependency edges, and values unknown before deployment. */
import { describe, expect, it } from "vitest";
import { renderedFixture } from "./fixture";

const { rendered, yamlOf, index, entry } = renderedFixture();

describe("index.yaml", () => {
    it("indexes every registration with parents and dependency edges", () => {
        const sg = entry("kubernetes:stackgres.io/v1:SGCluster::keycloak-postgresql");
        expect(sg).toMatchObject({
            category: "kubernetes",
            file: "k8s/rhbk/sgcluster-keycloak-postgresql.yaml",
            parent: "vaultkit:index:FixturePlatform::platform",
            provider: "pulumi:providers:kubernetes::k8s",
            dependsOn: ["kubernetes:helm.sh/v3:Release::stackgres-operator", "kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret::keycloak-postgresql-vss"],
        });
        expect(entry("vault:index/policy:Policy::keycloak-postgresql-policy").dependsOn).toEqual(["vault:index/mount:Mount::kv-v2"]);
        expect(entry("pulumi:providers:vault::vault").dependsOn).toEqual([
            "kubernetes:helm.sh/v4:Chart::vault",
            "random:index/randomPassword:RandomPassword::vault-dev-root-token",
        ]);
        expect(index().counts).toEqual({ component: 1, helm: 2, kubernetes: 14, other: 4, provider: 2, vault: 8 });
    });
});

describe("values unknown before deployment", () => {
    it("are rendered as [unknown until deployment] and listed in the index", () => {
        const p = [...rendered().files.keys()].find((x) => x.startsWith("k8s/rhbk/configmap-vault-info-"))!;
        expect(yamlOf(p).data).toEqual({ kvAccessor: "[unknown until deployment]", kvPath: "kv-v2" });
        expect(entry("kubernetes:core/v1:ConfigMap::vault-info").unknownInputs).toEqual(["data.kvAccessor"]);
    });
});
