import * as pulumi from "@pulumi/pulumi";
import { childDependsOn } from "../dependencies";
import * as vault from "@pulumi/vault";
import { databaseConnectionInputs, PostgresEndpoint, rotateRootEndpointInputs } from "./databaseSecretsData";
import { rotateRootPath } from "./paths";

/** Arguments of {@link DatabaseSecretsEngine}. */
export interface DatabaseSecretsEngineArgs {
    /** Mount path. Seed: `database`. */
    path?: pulumi.Input<string>;
    /** Connection name. Seed: `keycloak-postgresql`. */
    connectionName: pulumi.Input<string>;
    /**
     * Where Vault reaches PostgreSQL; may be another program's output (a database it created). Plain:
     * checked and built into the connection URL at construction; an Output: once its value is known.
     */
    endpoint: pulumi.Input<PostgresEndpoint>;
    /** The PostgreSQL role Vault logs in as (CREATEROLE, not superuser). */
    username: pulumi.Input<string>;
    /** Its password (secret). */
    password: pulumi.Input<string>;
    /**
     * Static role names this connection may serve. The seed used `*`; here the list must be
     * explicit and non-empty, so a role added elsewhere cannot borrow the connection. Plain: that
     * check runs at construction.
     */
    allowedRoles: string[];
    /**
     * Rotate the connection's own password right after it is written (`rotate-root`), so only
     * Vault knows it. The StackGres superuser is never touched: the connection does not use it.
     */
    rotateRootCredentials?: boolean;
}

/**
 * Vault's database secrets engine with one PostgreSQL connection. Vault verifies the connection
 * on write, so callers make this depend on the database being ready (primary up, roles created).
 */
export class DatabaseSecretsEngine extends pulumi.ComponentResource {
    /** Mount path. */
    public readonly path: pulumi.Output<string>;
    /** Connection name (the `db_name` of static roles). */
    public readonly connectionName: pulumi.Output<string>;
    /** The connection resource, for static roles to depend on. */
    public readonly connection: vault.database.SecretBackendConnection;

    constructor(name: string, args: DatabaseSecretsEngineArgs, opts?: pulumi.ComponentResourceOptions) {
        // Built (and checked: allowedRoles, a plain endpoint) before anything is registered, this component
        // included; the backend is the mount below.
        const connectionInputs = databaseConnectionInputs({
            mount: undefined,
            connectionName: args.connectionName,
            endpoint: args.endpoint,
            username: args.username,
            password: pulumi.secret(args.password),
            allowedRoles: args.allowedRoles,
        });
        super("vaultkit:index:DatabaseSecretsEngine", name, args, opts);
        const mount = new vault.Mount(
            `${name}-mount`,
            { path: args.path ?? "database", type: "database", description: "Database credentials" },
            { parent: this, dependsOn: childDependsOn(opts) },
        );
        this.connection = new vault.database.SecretBackendConnection(
            `${name}-connection`,
            { ...connectionInputs, backend: mount.path },
            // Vault verifies the connection on write: whatever the caller waits for, this waits for.
            { parent: this, dependsOn: childDependsOn(opts) },
        );
        if (args.rotateRootCredentials) {
            new vault.generic.Endpoint(
                `${name}-rotate-root`,
                rotateRootEndpointInputs(pulumi.all([mount.path, this.connection.name]).apply(([m, c]) => rotateRootPath(m, c))),
                { parent: this, dependsOn: [this.connection] },
            );
        }
        this.path = mount.path;
        this.connectionName = this.connection.name;
        this.registerOutputs({ path: this.path, connectionName: this.connectionName });
    }
}
