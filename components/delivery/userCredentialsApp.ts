import * as pulumi from "@pulumi/pulumi";
import { psqlCheckCommand, psqlCheckLoopScript, seedPsqlCheck } from "./scripts";
import { vaultFetcherContainer, vaultFetcherScript, vaultLoginVolumes } from "./vaultFetcher";
import { ContainerResources, emptyDirVolume, restrictedContainer, workloadLabels } from "./workload";
import { createWorkload } from "./workloadResources";

/** Where the fetcher writes the current password; shared with the psql container (memory emptyDir). */
export const USER_PASSWORD_FILE = "/tmp/password";

/** Arguments of {@link UserCredentialsApp}. */
export interface UserCredentialsAppArgs {
    /** Namespace of the Deployment. */
    namespace: string;
    /** Vault as pods reach it. */
    vaultAddress: string;
    /** Kubernetes auth mount. Defaults to `kubernetes`. */
    authMount?: string;
    /** The application's Vault Kubernetes auth role. */
    role: string;
    /** API path of the static credentials (seed: `database/static-creds/app`). */
    credsPath: string;
    /** PostgreSQL role the credentials belong to (seed: `app`). */
    databaseUser: string;
    /** Database host (seed: `keycloak-postgresql-primary.rhbk.svc.cluster.local`). */
    databaseHost: string;
    /** Database port. Defaults to 5432. */
    databasePort?: number;
    /** Database name. Defaults to `postgres`. */
    databaseName?: string;
    /** libpq sslmode. Defaults to `prefer`. */
    sslMode?: string;
    /** Seconds between reads of the credentials (bounds how late a rotation is seen). Defaults to 60. */
    fetchIntervalSeconds?: number;
    /** Seconds between connection checks. Defaults to 60. */
    checkIntervalSeconds?: number;
    /** Make the pod Ready only while psql can connect (end-to-end check in `pulumi up`). Defaults to true. */
    enableReadinessCheck?: boolean;
    /** Audience of the projected login token; must match the role's bound audience. */
    audience: string;
    /** Lifetime of the projected token (the kubelet renews it). Defaults to 3600. */
    tokenExpirationSeconds?: number;
    /** Secret holding Vault's CA under `ca.crt` (https Vault). */
    vaultCaSecretName?: string;
    /** The application's service account. */
    serviceAccountName: string;
    /** Create `serviceAccountName`. */
    createServiceAccount?: boolean;
    /** metadata.name of the Deployment. Defaults to the component name. */
    deploymentName?: string;
    /** Fetcher image with `sh`, `curl`, `sed` (pinned; e.g. UBI 9). */
    fetcherImage: string;
    /** Image with `psql` (pinned; e.g. postgres:16.1). */
    psqlImage: string;
    /** Resources of the fetcher container. */
    fetcherResources?: ContainerResources;
    /** Resources of the psql container. */
    psqlResources?: ContainerResources;
    /** Fixed UID for plain Kubernetes with root-default images; leave unset on OpenShift. */
    runAsUser?: number;
    /** Extra labels. */
    labels?: { [key: string]: string };
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
        super("vaultkit:index:UserCredentialsApp", name, args, opts);
        const deploymentName = args.deploymentName ?? name;
        const labels = workloadLabels(deploymentName, "user-credentials", args.labels);
        const psql = {
            user: args.databaseUser,
            host: args.databaseHost,
            port: args.databasePort ?? 5432,
            database: args.databaseName ?? "postgres",
            passwordFile: USER_PASSWORD_FILE,
            sslMode: args.sslMode,
        };
        const checkIntervalSeconds = args.checkIntervalSeconds ?? 60;
        const fetchScript = vaultFetcherScript({
            vaultAddress: args.vaultAddress,
            authMount: args.authMount,
            role: args.role,
            secretPath: args.credsPath,
            outputFile: USER_PASSWORD_FILE,
            extractField: "password",
            intervalSeconds: args.fetchIntervalSeconds ?? 60,
            workDir: "/var/run/vault-fetch",
            vaultCaSecretName: args.vaultCaSecretName,
        });
        this.deploymentName = createWorkload(
            this,
            name,
            args,
            { deploymentName, labels, automountServiceAccountToken: false },
            () => ({
                containers: [
                    vaultFetcherContainer({
                        name: "fetcher",
                        image: args.fetcherImage,
                        script: fetchScript,
                        resources: args.fetcherResources,
                        workMounts: [
                            { name: "shared", mountPath: "/tmp" },
                            { name: "fetch-work", mountPath: "/var/run/vault-fetch" },
                        ],
                        vaultCaSecretName: args.vaultCaSecretName,
                    }),
                    restrictedContainer({
                        name: "psql",
                        image: args.psqlImage,
                        command: ["sh", "-c", psqlCheckLoopScript(psql, checkIntervalSeconds)],
                        resources: args.psqlResources,
                        readinessCommand: args.enableReadinessCheck === false ? undefined : ["sh", "-c", `${psqlCheckCommand(psql)} >/dev/null`],
                        readinessPeriodSeconds: checkIntervalSeconds,
                        volumeMounts: [{ name: "shared", mountPath: "/tmp" }],
                    }),
                ],
                volumes: [
                    emptyDirVolume("shared", true),
                    emptyDirVolume("fetch-work", true),
                    ...vaultLoginVolumes(args.audience, args.tokenExpirationSeconds, args.vaultCaSecretName),
                ],
            }),
            opts?.dependsOn,
        );
        this.checkCommand = pulumi.output(seedPsqlCheck(psql));
        this.registerOutputs({ deploymentName: this.deploymentName, checkCommand: this.checkCommand });
    }
}
