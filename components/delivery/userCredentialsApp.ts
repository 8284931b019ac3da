import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { optionalServiceAccount, withDependencies } from "./deps";
import { psqlCheckCommand, psqlCheckLoopScript, seedPsqlCheck, vaultFetchLoopScript } from "./scripts";
import {
    ContainerResources,
    VAULT_CA_DIR,
    VAULT_TOKEN_FILE,
    deploymentManifest,
    emptyDirVolume,
    restrictedContainer,
    vaultCaMount,
    vaultCaVolume,
    vaultTokenMount,
    vaultTokenVolume,
    workloadLabels,
} from "./workload";

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
        const dependsOn = opts?.dependsOn;
        const psql = {
            user: args.databaseUser,
            host: args.databaseHost,
            port: args.databasePort ?? 5432,
            database: args.databaseName ?? "postgres",
            passwordFile: USER_PASSWORD_FILE,
            sslMode: args.sslMode,
        };
        const checkIntervalSeconds = args.checkIntervalSeconds ?? 60;
        const fetchScript = vaultFetchLoopScript({
            vaultAddress: args.vaultAddress,
            authMount: args.authMount ?? "kubernetes",
            role: args.role,
            jwtFile: VAULT_TOKEN_FILE,
            secretPath: args.credsPath,
            outputFile: USER_PASSWORD_FILE,
            extractField: "password",
            intervalSeconds: args.fetchIntervalSeconds ?? 60,
            workDir: "/var/run/vault-fetch",
            caCertFile: args.vaultCaSecretName ? `${VAULT_CA_DIR}/ca.crt` : undefined,
        });
        const serviceAccount = optionalServiceAccount(this, name, args.createServiceAccount, { serviceAccountName: args.serviceAccountName, namespace: args.namespace, labels }, dependsOn);
        const manifest = deploymentManifest({
            name: deploymentName,
            namespace: args.namespace,
            labels,
            serviceAccountName: args.serviceAccountName,
            automountServiceAccountToken: false,
            runAsUser: args.runAsUser,
            containers: [
                restrictedContainer({
                    name: "fetcher",
                    image: args.fetcherImage,
                    command: ["sh", "-c", fetchScript],
                    resources: args.fetcherResources,
                    volumeMounts: [
                        { name: "shared", mountPath: "/tmp" },
                        { name: "fetch-work", mountPath: "/var/run/vault-fetch" },
                        vaultTokenMount(),
                        ...(args.vaultCaSecretName ? [vaultCaMount()] : []),
                    ],
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
                vaultTokenVolume(args.audience, args.tokenExpirationSeconds ?? 3600),
                ...(args.vaultCaSecretName ? [vaultCaVolume(args.vaultCaSecretName)] : []),
            ],
        });
        const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, manifest, {
            parent: this,
            dependsOn: withDependencies(dependsOn, ...serviceAccount),
        });

        this.deploymentName = deployment.urn.apply(() => deploymentName);
        this.checkCommand = pulumi.output(seedPsqlCheck(psql));
        this.registerOutputs({ deploymentName: this.deploymentName, checkCommand: this.checkCommand });
    }
}
