import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { arrayOf, isRecord, JsonObject, show, stringOf } from "../lib/values";

export const CONNECTION_TYPE = "vault:database/secretBackendConnection:SecretBackendConnection";
export const SECRETS_MOUNT_TYPE = "vault:database/secretsMount:SecretsMount";
export const GENERIC_ENDPOINT_TYPE = "vault:generic/endpoint:Endpoint";

/** Database engine blocks that may carry a connection URL (SecretBackendConnection inputs). */
const ENGINE_BLOCKS = [
    "postgresql",
    "mysql",
    "mysqlRds",
    "mysqlAurora",
    "mysqlLegacy",
    "mssql",
    "oracle",
    "hana",
    "redshift",
    "snowflake",
    "mongodb",
    "cassandra",
    "couchbase",
    "elasticsearch",
    "influxdb",
    "redis",
    "redisElasticache",
    "mongodbatlas",
] as const;

/** Problems with an `allowed_roles` list: wildcard, empty or missing. */
export function allowedRolesProblems(allowedRoles: unknown): string[] {
    if (allowedRoles === undefined || allowedRoles === null) {
        return ["has no allowedRoles: list the static/dynamic roles that may use this connection explicitly"];
    }
    if (!Array.isArray(allowedRoles) && typeof allowedRoles !== "string") {
        return [`has allowedRoles ${show(allowedRoles)}, expected a list of role names`];
    }
    // Vault's API also takes a comma-separated string (generic endpoints write it that way).
    const roles = typeof allowedRoles === "string" ? allowedRoles.split(",").map((r) => r.trim()).filter((r) => r !== "") : arrayOf(allowedRoles);
    if (roles.length === 0) {
        return ["has an empty allowedRoles: list the roles that may use this connection explicitly"];
    }
    const problems: string[] = [];
    for (const role of roles) {
        if (typeof role !== "string" || role.trim() === "") {
            problems.push(`has an invalid allowedRoles entry ${show(role)}`);
        } else if (role.includes("*")) {
            problems.push(`allows role pattern '${role}': a wildcard lets any current or future role (and whoever can create roles) use this connection's privileges`);
        }
    }
    return problems;
}

/** Problems with a connection URL: a literal password in the userinfo instead of `{{password}}`. */
export function connectionUrlProblems(connectionUrl: unknown): string[] {
    const url = stringOf(connectionUrl);
    if (url === undefined) {
        return [];
    }
    const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^@/]*)@/.exec(url);
    if (!match) {
        return [];
    }
    const userinfo = match[1]!;
    const colon = userinfo.indexOf(":");
    if (colon < 0) {
        return [];
    }
    const password = userinfo.slice(colon + 1);
    if (password === "{{password}}" || password === "") {
        return [];
    }
    return ["embeds a literal password in its connection URL: use `{{username}}:{{password}}` and pass the credentials as (secret) username/password fields"];
}

function reportConnection(where: string, block: JsonObject, allowedRoles: unknown, reportViolation: ReportViolation): void {
    for (const p of allowedRolesProblems(allowedRoles)) {
        reportViolation(`${where} ${p}.`);
    }
    for (const p of connectionUrlProblems(block["connectionUrl"] ?? block["connection_url"])) {
        reportViolation(`${where} ${p}.`);
    }
}

/** Parses a generic endpoint's `dataJson` when its path is a database connection (`<mount>/config/<name>`). */
function databaseConfigFromEndpoint(props: JsonObject): JsonObject | undefined {
    const path = stringOf(props["path"]) ?? "";
    if (!/(^|\/)config\/[^/]+$/.test(path)) {
        return undefined;
    }
    const raw = stringOf(props["dataJson"]);
    if (raw === undefined) {
        return undefined;
    }
    let data: unknown;
    try {
        data = JSON.parse(raw);
    } catch {
        return undefined;
    }
    if (!isRecord(data) || (data["plugin_name"] === undefined && data["connection_url"] === undefined)) {
        return undefined;
    }
    return data;
}

/**
 * Database connections must name the roles allowed to use them. Vault's `allowed_roles` accepts
 * globs, and `*` lets any role — including ones created later by anyone with write access to
 * `database/roles/*` — borrow the connection's (CREATEROLE) credentials. An empty list is Vault's
 * default and lets no role use the connection; it is rejected too because it is almost always a
 * wiring mistake (a connection whose roles were forgotten). Also rejects literal passwords in the
 * connection URL.
 */
export function validateDatabaseConnectionAllowedRoles(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
    if (args.type === CONNECTION_TYPE) {
        const block = ENGINE_BLOCKS.map((b) => args.props[b]).find(isRecord) ?? {};
        reportConnection(`Database connection '${args.name}'`, block, args.props["allowedRoles"], reportViolation);
        return;
    }
    if (args.type === SECRETS_MOUNT_TYPE) {
        for (const [key, value] of Object.entries(args.props)) {
            if (!Array.isArray(value)) {
                continue;
            }
            value.forEach((block, i) => {
                if (isRecord(block) && typeof block["name"] === "string" && ("connectionUrl" in block || "allowedRoles" in block || "pluginName" in block)) {
                    reportConnection(`Database secrets mount '${args.name}' ${key}[${i}] (${block["name"]})`, block, block["allowedRoles"], reportViolation);
                }
            });
        }
        return;
    }
    if (args.type === GENERIC_ENDPOINT_TYPE) {
        const data = databaseConfigFromEndpoint(args.props);
        if (data) {
            reportConnection(`Database connection endpoint '${args.name}' (${String(args.props["path"])})`, data, data["allowed_roles"], reportViolation);
        }
    }
}

export const databaseConnectionAllowedRoles: ResourceValidationPolicy = {
    name: "vault-database-connection-explicit-allowed-roles",
    description: "Vault database connections must list their allowed roles explicitly (no '*', not empty) and keep passwords out of the connection URL.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set allowedRoles to the names of the static roles declared for this connection (the DatabaseSecretsEngine component does this from the stack's applications).",
    validateResource: validateDatabaseConnectionAllowedRoles,
};
