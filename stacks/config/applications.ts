/**
 * `vaultkit:applications` and `vaultkit:externalApplications`: the applications that get rotated
 * PostgreSQL credentials on this stack's connection, each with its own identity and delivery pattern.
 */
import { z } from "zod";
import { STACKGRES_USERNAMES } from "../../components/stackgres/clusterSpecs";
import { DELIVERY_PATTERNS } from "../../components/delivery/propagation";
import { adminRoleBinding } from "./database";
import { keyOf } from "./errors";
import { dnsLabel, duration, namespaceName, objectName, pgRole, pinnedImage, ROTATION_PERIOD_BOUNDS, TOKEN_TTL_BOUNDS } from "./primitives";
import type { CrossFieldRule } from "./rules";
import { missingVaultComponent } from "./vault";

const deliveryPattern = z.enum(DELIVERY_PATTERNS, {
    error: `expected one of ${DELIVERY_PATTERNS.map((p) => `'${p}'`).join(", ")}`,
});

/** One element of `vaultkit:applications`. */
export const applicationSchema = z.strictObject({
    /** The application's name; also the Vault static role name. */
    name: dnsLabel,
    namespace: namespaceName,
    serviceAccount: objectName,
    /** The PostgreSQL role Vault manages for this application. */
    databaseRole: pgRole,
    rotationPeriod: duration(ROTATION_PERIOD_BOUNDS.min, ROTATION_PERIOD_BOUNDS.max).default(86400),
    delivery: deliveryPattern.default("direct"),
    tokenTtl: duration(TOKEN_TTL_BOUNDS.min, TOKEN_TTL_BOUNDS.max).default(3600),
    /** Image of the application's sample Deployment (the fetcher needs `curl` and `sed`; the check needs `psql`). */
    image: pinnedImage.optional(),
    /** Create the sample Deployment that reads and uses the credentials. */
    deployWorkload: z.boolean({ error: "expected true or false" }).default(true),
});

/** One element of `vaultkit:externalApplications`. */
export const externalApplicationSchema = z.strictObject({
    /** The Vault static role name the other stack creates on this stack's connection. */
    name: dnsLabel,
    /** The PostgreSQL role that static role manages. */
    databaseRole: pgRole,
});


/** `vaultkit:applications`. */
export const applicationsSchema = z.array(applicationSchema, { error: "expected a list of applications" }).default([]);

/**
 * `vaultkit:externalApplications`: applications another stack declares on this stack's database
 * connection (docs/packaging.md, "Second team"): only their static role names join the connection's
 * `allowed_roles`, and in StackGres mode their PostgreSQL roles are created for Vault to manage. Nothing
 * else of theirs (static role, policy, auth role, service account, workload) is declared here.
 */
export const externalApplicationsSchema = z.array(externalApplicationSchema, { error: "expected a list of { name, databaseRole }" }).default([]);

/**
 * Vault's Kubernetes auth binds roles to (namespace, ServiceAccount). Two roles binding the same
 * pair let either workload log in as the other, so every application needs a pair of its own,
 * never one the admin credentials role binds.
 */
export const identityRules: CrossFieldRule = (c, r) => {
    const admin = adminRoleBinding(c);
    const seen = new Map<string, number>();
    c.applications.forEach((app, i) => {
        const key = keyOf(["applications", i, "serviceAccount"]);
        const given = JSON.stringify(`${app.namespace}/${app.serviceAccount}`);
        const pair = `${app.namespace}/${app.serviceAccount}`;
        const prev = seen.get(pair);
        if (prev !== undefined) {
            r.push({
                key,
                expected: `expected a namespace and service account of its own: applications[${i}] ('${app.name}') and applications[${prev}] ('${c.applications[prev]!.name}') both run as ${pair}, so each could log in as the other and read its credentials`,
                given,
            });
        } else {
            seen.set(pair, i);
        }
        if (admin.namespaces.includes(app.namespace) && admin.serviceAccounts.includes(app.serviceAccount)) {
            r.push({
                key,
                expected:
                    `expected an identity the admin role does not bind: applications[${i}] ('${app.name}') runs as ${pair}, which the admin credentials role ` +
                    `'${c.database.adminAuthRole}' binds (service accounts ${admin.serviceAccounts.join(", ")} in ${admin.namespaces.join(", ")}), so it could read the PostgreSQL superuser password`,
                given,
            });
        }
    });
};

/** Static role names and database roles are one namespace each on the connection, whichever list declares them. */
export const connectionRoleRules: CrossFieldRule = (c, r) => {
    const seen = new Map<string, string>();
    const seenRoles = new Map<string, string>();
    const entries = [
        ...c.applications.map((app, i) => ({ list: "applications", i, app })),
        ...c.externalApplications.map((app, i) => ({ list: "externalApplications", i, app })),
    ];
    for (const { list, i, app } of entries) {
        const prev = seen.get(app.name);
        if (prev !== undefined) {
            r.add([list, i, "name"], `expected a unique application name ('${app.name}' is already used by ${prev})`);
        }
        seen.set(app.name, `${list}[${i}]`);
        const prevRole = seenRoles.get(app.databaseRole);
        if (prevRole !== undefined) {
            r.add([list, i, "databaseRole"], `expected a database role no other application uses ('${app.databaseRole}' belongs to ${prevRole})`);
        }
        seenRoles.set(app.databaseRole, `${list}[${i}]`);
        if (app.databaseRole === c.database.vaultAdminRole || (Object.values(STACKGRES_USERNAMES) as string[]).includes(app.databaseRole)) {
            r.add([list, i, "databaseRole"], "expected an application role, not the superuser, replication, authenticator or Vault admin role");
        }
    }
};

/** A delivery pattern needs its Vault component (the CSI provider, the agent injector) in the cluster. */
export const deliveryRules: CrossFieldRule = (c, r) => {
    c.applications.forEach((app, i) => {
        const missing = missingVaultComponent(app.delivery, c.vault, r.raw);
        if (missing) {
            r.add(["applications", i, "delivery"], `expected a pattern whose Vault component ${missing}`);
        }
    });
};
