import * as pulumi from "@pulumi/pulumi";
import { derivedInput } from "../inputs";
import { ContainerSpec, refuseWholeOutputs, VaultConnection, VaultKubernetesLogin, WorkloadSpec } from "./args";
import { PsqlCheckInputs, psqlCheckCommand, psqlCheckLoopScript, seedPsqlCheck } from "./scripts";
import { assertFetcherLogin, fetcherContainerInput, vaultLoginVolumes } from "./vaultFetcher";
import { emptyDirVolume, restrictedContainer } from "./workload";
import { createWorkload } from "./workloadResources";

/** Where the fetcher writes the current password; shared with the psql container (memory emptyDir). */
export const USER_PASSWORD_FILE = "/tmp/password";

/** Arguments of {@link UserCredentialsApp}. */
export interface UserCredentialsAppArgs {
    /** Namespace of the Deployment. A Namespace's `metadata.name` also makes it wait for it. */
    namespace: pulumi.Input<string>;
    /** Vault as pods reach it; `address` is required. */
    vault: VaultConnection;
    /** How the fetcher logs in, as the pod's service account; `audience` is required (the pod mounts a token bound to it). */
    login: VaultKubernetesLogin;
    /** Vault API path of the static credentials (seed: `database/static-creds/app`). */
    apiPath: pulumi.Input<string>;
    /** PostgreSQL role the credentials belong to (seed: `app`). */
    databaseUser: pulumi.Input<string>;
    /** Database host (seed: `keycloak-postgresql-primary.rhbk.svc.cluster.local`). */
    databaseHost: pulumi.Input<string>;
    /** Database port. Defaults to 5432. */
    databasePort?: pulumi.Input<number>;
    /** Database name. Defaults to `postgres`. */
    databaseName?: pulumi.Input<string>;
    /** libpq sslmode. Defaults to `prefer`. */
    sslMode?: string;
    /** Seconds between reads of the credentials (bounds how late a rotation is seen). Defaults to 60. */
    fetchIntervalSeconds?: number;
    /** Seconds between connection checks (and readiness checks). Defaults to 60. */
    checkIntervalSeconds?: number;
    /** Make the pod Ready only while psql can connect (end-to-end check in `pulumi up`). Defaults to true. */
    enableReadinessCheck?: boolean;
    /** The Deployment and its service account. */
    workload: WorkloadSpec;
    /** The fetcher container: an image with `sh`, `curl`, `sed` (e.g. UBI 9); `command` replaces the generated loop. */
    fetcher: ContainerSpec;
    /** The psql container: an image with `psql` (e.g. postgres:16.1); `command` and `readinessCommand` replace the generated check. */
    psql: ContainerSpec;
}

/**
 * The seed's user-credentials Deployment: a fetcher container keeps the static role's current
 * password in `/tmp/password` (memory-backed, shared), and a psql container logs in with it on an
 * interval, so every rotation is exercised for real.
 */
export class UserCredentialsApp extends pulumi.ComponentResource {
    /** Name of the Deployment. */
    public readonly deploymentName: pulumi.Output<string>;
    /** The seed's manual check, to run with `kubectl exec -c psql`. */
    public readonly checkCommand: pulumi.Output<string>;

    constructor(name: string, args: UserCredentialsAppArgs, opts?: pulumi.ComponentResourceOptions) {
        refuseWholeOutputs("UserCredentialsApp", { vault: args.vault, login: args.login, workload: args.workload });
        assertFetcherLogin("UserCredentialsApp", args);
        super("vaultkit:index:UserCredentialsApp", name, args, opts);
        const psqlInputs = {
            user: args.databaseUser,
            host: args.databaseHost,
            port: args.databasePort ?? 5432,
            database: args.databaseName ?? "postgres",
            passwordFile: USER_PASSWORD_FILE,
            sslMode: args.sslMode,
        };
        const checkIntervalSeconds = args.checkIntervalSeconds ?? 60;
        const fetcher = fetcherContainerInput("fetcher", args, args.fetcher, {
            apiPath: args.apiPath,
            outputFile: USER_PASSWORD_FILE,
            extractField: "password",
            fetchIntervalSeconds: args.fetchIntervalSeconds ?? 60,
            workDir: "/var/run/vault-fetch",
            workMounts: [
                { name: "shared", mountPath: "/tmp" },
                { name: "fetch-work", mountPath: "/var/run/vault-fetch" },
            ],
        });
        const psqlContainer = derivedInput({ psql: psqlInputs, container: args.psql }, ({ psql, container }) =>
            restrictedContainer({
                name: "psql",
                image: container.image,
                command: container.command ?? ["sh", "-c", psqlCheckLoopScript(psql, checkIntervalSeconds)],
                resources: container.resources,
                readinessCommand: container.readinessCommand ?? (args.enableReadinessCheck === false ? undefined : ["sh", "-c", `${psqlCheckCommand(psql)} >/dev/null`]),
                readinessPeriodSeconds: container.readinessPeriodSeconds ?? checkIntervalSeconds,
                volumeMounts: [{ name: "shared", mountPath: "/tmp" }],
            }),
        );
        this.deploymentName = createWorkload(
            name,
            args,
            {
                pattern: "user-credentials",
                automountServiceAccountToken: false,
                containers: [fetcher, psqlContainer],
                volumes: [emptyDirVolume("shared", true), emptyDirVolume("fetch-work", true), ...vaultLoginVolumes(args)],
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.checkCommand = pulumi.output(derivedInput(psqlInputs, (psql: PsqlCheckInputs) => seedPsqlCheck(psql)));
        this.registerOutputs({ deploymentName: this.deploymentName, checkCommand: this.checkCommand });
    }
}
