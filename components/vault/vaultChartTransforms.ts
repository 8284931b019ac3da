/**
 * Pulumi `transforms` for the objects the vault-helm chart renders (helm.v4.Chart is a remote
 * component; its children pass through these callbacks before they are registered). Pure
 * functions of the resource's type and inputs, so tests call them directly.
 */
import * as pulumi from "@pulumi/pulumi";

/** The env var vault-helm's dev mode fills from `server.dev.devRootToken` (templates/_helpers.tpl `vault.envs`). */
export const DEV_ROOT_TOKEN_ENV = "VAULT_DEV_ROOT_TOKEN_ID";

const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const MUTATING_WEBHOOK = "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration";

/**
 * Dev mode: the chart writes `VAULT_DEV_ROOT_TOKEN_ID` as a literal `value` into the StatefulSet,
 * which Chart v4 registers as plain inputs (state, `preview --diff`). This rewrites that one entry
 * to `valueFrom.secretKeyRef`, so the chart never sees the token and no second entry of the same
 * name is needed (server-side apply refuses duplicate keys in `env`). A dev-mode StatefulSet
 * without the entry is refused: Vault would otherwise run with a token nobody knows, or a
 * placeholder.
 */
export function devRootTokenFromSecret(ref: { name: string; key: string }): pulumi.ResourceTransform {
    const devRootTokenFromSecret: pulumi.ResourceTransform = (args) => {
        if (args.type !== STATEFUL_SET) {
            return undefined;
        }
        const spec = args.props?.spec?.template?.spec;
        let rewritten = 0;
        const containers = (spec?.containers ?? []).map((c: any) => ({
            ...c,
            env: (c.env ?? []).map((e: any) => {
                if (e?.name !== DEV_ROOT_TOKEN_ENV) {
                    return e;
                }
                rewritten++;
                return { name: DEV_ROOT_TOKEN_ENV, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } };
            }),
        }));
        if (rewritten !== 1) {
            throw new Error(
                `vault chart: expected exactly one ${DEV_ROOT_TOKEN_ENV} env entry in StatefulSet ${args.props?.metadata?.name ?? args.name}, found ${rewritten}; ` +
                    `the chart's dev-mode template changed, and Vault must not start with a root token Pulumi does not hold`,
            );
        }
        return {
            props: { ...args.props, spec: { ...args.props.spec, template: { ...args.props.spec.template, spec: { ...spec, containers } } } },
            opts: args.opts,
        };
    };
    return devRootTokenFromSecret;
}

/**
 * The injector's MutatingWebhookConfiguration: vault-helm renders `clientConfig.caBundle: ""` and
 * the injector patches in its own CA at run time (vault-k8s `updateCABundle`, a JSON patch). Left
 * in Pulumi's applied configuration, the empty value is a field Pulumi claims: the next
 * server-side apply of that object conflicts with the injector's (or, forced, blanks the CA).
 * Dropping the field leaves it to the injector.
 */
export const injectorWebhookWithoutCaBundle: pulumi.ResourceTransform = (args) => {
    if (args.type !== MUTATING_WEBHOOK) {
        return undefined;
    }
    const webhooks = (args.props?.webhooks ?? []).map((w: any) => {
        if (w?.clientConfig === undefined) {
            return w;
        }
        const { caBundle: _dropped, ...clientConfig } = w.clientConfig;
        return { ...w, clientConfig };
    });
    return { props: { ...args.props, webhooks }, opts: args.opts };
};
