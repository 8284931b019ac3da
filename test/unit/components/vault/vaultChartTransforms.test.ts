/**
 * components/vault/vaultChartTransforms.ts, called directly: the chart objects vault-helm renders
 * (test/support/vaultHelmObjects.ts) and hand-made ones missing the fields the transforms read, so
 * each transform's promise holds for any object, not only the pinned chart's.
 */
import { describe, expect, it } from "vitest";
import { DEV_ROOT_TOKEN_ENV, devRootTokenFromSecret, injectorWebhookWithoutCaBundle } from "../../../../components/vault/vaultChartTransforms";
import { vaultHelmDevStatefulSet, vaultHelmInjectorWebhook } from "../../../support/vaultHelmObjects";

const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const WEBHOOK = "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration";
const ref = { name: "dv-dev-root-token", key: "tok" };
const opts = { protect: false };
const call = (t: any, type: string, props: any, name = "vault") => t({ type, name, custom: true, props, opts });
const refused = (what: string, found: number) =>
    `vault chart: expected exactly one VAULT_DEV_ROOT_TOKEN_ID env entry in StatefulSet ${what}, found ${found}; ` +
    `the chart's dev-mode template changed, and Vault must not start with a root token Pulumi does not hold`;

describe("devRootTokenFromSecret", () => {
    const transform = devRootTokenFromSecret(ref);

    it("names the env var vault-helm's dev mode fills", () => {
        expect(DEV_ROOT_TOKEN_ENV).toBe("VAULT_DEV_ROOT_TOKEN_ID");
    });

    it("rewrites the chart's one literal entry into the given Secret key, and keeps the options", () => {
        const sts = vaultHelmDevStatefulSet("");
        const out = call(transform, STATEFUL_SET, sts);
        expect(out.opts).toBe(opts);
        const env = out.props.spec.template.spec.containers[0].env;
        expect(env.find((e: any) => e.name === DEV_ROOT_TOKEN_ENV)).toEqual({ name: DEV_ROOT_TOKEN_ENV, valueFrom: { secretKeyRef: { name: "dv-dev-root-token", key: "tok" } } });
        expect(env).toHaveLength(sts.spec.template.spec.containers[0].env.length);
    });

    it("reads containers without env, and keeps env entries of another name", () => {
        const props = {
            metadata: { name: "vault" },
            spec: {
                template: {
                    spec: {
                        containers: [
                            { name: "sidecar" },
                            { name: "vault", env: [null, { name: "A", value: "1" }, { name: DEV_ROOT_TOKEN_ENV, value: null }] },
                        ],
                    },
                },
            },
        };
        const out = call(transform, STATEFUL_SET, props);
        expect(out.props.spec.template.spec.containers).toEqual([
            { name: "sidecar", env: [] },
            { name: "vault", env: [null, { name: "A", value: "1" }, { name: DEV_ROOT_TOKEN_ENV, valueFrom: { secretKeyRef: ref } }] },
        ]);
    });

    it("refuses, naming the StatefulSet, one without a pod spec, without containers, or with the entry twice", () => {
        expect(() => call(transform, STATEFUL_SET, { metadata: { name: "bare" } })).toThrow(new Error(refused("bare", 0)));
        expect(() => call(transform, STATEFUL_SET, { metadata: { name: "no-template" }, spec: {} })).toThrow(new Error(refused("no-template", 0)));
        expect(() => call(transform, STATEFUL_SET, { metadata: { name: "no-spec" }, spec: { template: {} } })).toThrow(new Error(refused("no-spec", 0)));
        expect(() => call(transform, STATEFUL_SET, { metadata: { name: "empty" }, spec: { template: { spec: {} } } })).toThrow(new Error(refused("empty", 0)));
        const twice = { name: "vault", env: [{ name: DEV_ROOT_TOKEN_ENV, value: "a" }, { name: DEV_ROOT_TOKEN_ENV, value: "b" }] };
        expect(() => call(transform, STATEFUL_SET, { metadata: { name: "twice" }, spec: { template: { spec: { containers: [twice] } } } })).toThrow(new Error(refused("twice", 2)));
        // Without metadata (or props) the resource's own name stands in.
        expect(() => call(transform, STATEFUL_SET, {}, "vault-sts")).toThrow(new Error(refused("vault-sts", 0)));
        expect(() => call(transform, STATEFUL_SET, undefined, "vault-sts")).toThrow(new Error(refused("vault-sts", 0)));
    });

    it("leaves every other type alone", () => {
        expect(call(transform, "kubernetes:apps/v1:Deployment", vaultHelmDevStatefulSet(""))).toBeUndefined();
    });
});

describe("injectorWebhookWithoutCaBundle", () => {
    it("drops only caBundle from every webhook's clientConfig, and keeps the options", () => {
        const hook = vaultHelmInjectorWebhook();
        const out = call(injectorWebhookWithoutCaBundle, WEBHOOK, hook);
        expect(out.opts).toBe(opts);
        expect(out.props.webhooks[0].clientConfig).toEqual({ service: { name: "vault-agent-injector-svc", namespace: "vault", path: "/mutate" } });
        expect({ ...out.props.webhooks[0], clientConfig: undefined }).toEqual({ ...hook.webhooks[0], clientConfig: undefined });
    });

    it("passes webhooks without clientConfig through, and reads a configuration without webhooks", () => {
        const bare = { name: "bare.vault.hashicorp.com", sideEffects: "None" };
        expect(call(injectorWebhookWithoutCaBundle, WEBHOOK, { webhooks: [bare, null] }).props.webhooks).toEqual([bare, null]);
        expect(call(injectorWebhookWithoutCaBundle, WEBHOOK, { metadata: { name: "cfg" } }).props).toEqual({ metadata: { name: "cfg" }, webhooks: [] });
        expect(call(injectorWebhookWithoutCaBundle, WEBHOOK, undefined).props).toEqual({ webhooks: [] });
    });

    it("leaves every other type alone", () => {
        expect(call(injectorWebhookWithoutCaBundle, "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration", vaultHelmInjectorWebhook())).toBeUndefined();
    });
});
