/**
 * StackGres' admin credentials (its seven-key credentials document) generated into Vault KV v2, with a
 * read-only policy on exactly that secret. Vault holds them; StackGres reads them through the VSO sync.
 */
import * as pulumi from "@pulumi/pulumi";
import { childDependsOn } from "../dependencies";
import { derivedInput } from "../inputs";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";
import { CREDENTIAL_KEYS, STACKGRES_USERNAMES } from "./clusterSpecs";
import { kvDataPath } from "../vault/paths";
import { kvReadPolicyRules, renderPolicyHcl } from "../vault/policies";

/** The seven keys StackGres expects in its credentials Secret (defined with the SGCluster spec). */
export const STACKGRES_CREDENTIAL_KEYS = Object.values(CREDENTIAL_KEYS);


/** The KV document for StackGres from four passwords (exactly the seven keys). */
export function stackGresCredentialData(pw: { superuser: string; replication: string; authenticator: string; restapi: string }): Record<string, string> {
    return {
        [CREDENTIAL_KEYS.superuserUsername]: STACKGRES_USERNAMES.superuser,
        [CREDENTIAL_KEYS.superuserPassword]: pw.superuser,
        [CREDENTIAL_KEYS.replicationUsername]: STACKGRES_USERNAMES.replication,
        [CREDENTIAL_KEYS.replicationPassword]: pw.replication,
        [CREDENTIAL_KEYS.authenticatorUsername]: STACKGRES_USERNAMES.authenticator,
        [CREDENTIAL_KEYS.authenticatorPassword]: pw.authenticator,
        [CREDENTIAL_KEYS.restApiPassword]: pw.restapi,
    };
}

/** Every input of `random.RandomPassword`: a change to any of them would replace the password. */
export const RANDOM_PASSWORD_INPUTS = [
    "keepers",
    "length",
    "lower",
    "minLower",
    "minNumeric",
    "minSpecial",
    "minUpper",
    "number",
    "numeric",
    "overrideSpecial",
    "special",
    "upper",
];

/** Arguments of {@link StackGresAdminCredentials}. */
export interface StackGresAdminCredentialsArgs {
    /** KV v2 mount path (e.g. another program's mount, with `createMount: false`). Defaults to `kv-v2`. */
    kvMount?: pulumi.Input<string>;
    /** Create the KV v2 mount (false when it already exists). Default true. */
    createMount?: boolean;
    /** Secret path inside the mount, e.g. `keycloak-postgresql/config`. */
    secretPath: pulumi.Input<string>;
    /** Read-only policy on exactly that secret, e.g. `keycloak-postgresql-policy`. */
    policyName: pulumi.Input<string>;
    /** Password length. Default 32. Only the first create uses it: later changes are ignored (see RANDOM_PASSWORD_INPUTS). */
    passwordLength?: number;
}

/** The type token this component had before the rename (`PostgresAdminCredentials`): aliased, so stacks keep their credentials. */
export const STACKGRES_ADMIN_CREDENTIALS_PREVIOUS_TYPE = "vaultkit:index:PostgresAdminCredentials";

/**
 * StackGres' admin credentials, generated (never typed by hand) and stored in KV v2 with the key
 * names StackGres expects, plus a read-only policy on exactly that secret's data path.
 */
export class StackGresAdminCredentials extends pulumi.ComponentResource {
    /** KV mount path. */
    public readonly kvMount: pulumi.Output<string>;
    /** Secret path inside the mount. */
    public readonly secretPath: pulumi.Output<string>;
    /** API path pods read: `<mount>/data/<path>`. */
    public readonly dataPath: pulumi.Output<string>;
    /** The read policy's name. */
    public readonly policyName: pulumi.Output<string>;
    /** The superuser password (secret), for break-glass use by operators of the stack. */
    public readonly superuserPassword: pulumi.Output<string>;
    /** The KV secret resource, to depend on. */
    public readonly secret: vault.kv.SecretV2;

    constructor(name: string, args: StackGresAdminCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
        // Renamed from PostgresAdminCredentials: without the alias, Pulumi would replace the component and
        // every child, i.e. generate new passwords for a database StackGres already bootstrapped.
        super("vaultkit:index:StackGresAdminCredentials", name, args, pulumi.mergeOptions(opts, { aliases: [{ type: STACKGRES_ADMIN_CREDENTIALS_PREVIOUS_TYPE }] }));
        const kvMount = args.kvMount ?? "kv-v2";
        const length = args.passwordLength ?? 32;
        // Checked now when plain (kvReadPolicyRules refuses a bad path), else when known.
        const policyHcl = derivedInput({ kvMount, secretPath: args.secretPath }, (p) => renderPolicyHcl(kvReadPolicyRules(p.kvMount, p.secretPath)));

        let mountPath: pulumi.Output<string> = pulumi.output(kvMount);
        if (args.createMount ?? true) {
            const mount = new vault.Mount(
                `${name}-kv`,
                { path: kvMount, type: "kv", options: { version: "2" }, description: "KV v2 for database admin credentials" },
                { parent: this, dependsOn: childDependsOn(opts) },
            );
            mountPath = mount.path;
        }
        // No special characters: the values end up in Patroni's YAML and in connection URLs.
        // StackGres bootstraps the database with these and never changes its users afterwards, so a
        // new value (a changed length or option) must not reach Vault: every input is ignored after
        // the first create. Rotating one is a deliberate procedure (docs/operations.md).
        const password = (role: string) =>
            new random.RandomPassword(`${name}-${role}-password`, { length, special: false }, { parent: this, ignoreChanges: RANDOM_PASSWORD_INPUTS });
        const superuser = password("superuser");
        const replication = password("replication");
        const authenticator = password("authenticator");
        const restapi = password("restapi");

        const dataJson = pulumi
            .all([superuser.result, replication.result, authenticator.result, restapi.result])
            .apply(([s, r, a, api]) => JSON.stringify(stackGresCredentialData({ superuser: s, replication: r, authenticator: a, restapi: api })));

        this.secret = new vault.kv.SecretV2(
            `${name}-secret`,
            { mount: mountPath, name: args.secretPath, dataJson: pulumi.secret(dataJson) },
            { parent: this, dependsOn: childDependsOn(opts) },
        );
        const policy = new vault.Policy(`${name}-policy`, { name: args.policyName, policy: policyHcl }, { parent: this, dependsOn: childDependsOn(opts) });

        this.kvMount = mountPath;
        this.secretPath = this.secret.name;
        this.dataPath = pulumi.all([mountPath, args.secretPath]).apply(([mount, path]) => kvDataPath(mount, path));
        this.policyName = policy.name;
        this.superuserPassword = pulumi.secret(superuser.result);
        this.registerOutputs({
            kvMount: this.kvMount,
            secretPath: this.secretPath,
            dataPath: this.dataPath,
            policyName: this.policyName,
            superuserPassword: this.superuserPassword,
        });
    }
}
