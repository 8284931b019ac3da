// First: a readable refusal on a Node.js older than package.json engines.node (before @pulumi/pulumi loads).
import "./scripts/check-node.cjs";
import { buildStack } from "./stacks";
import { loadStackConfig } from "./stacks/load";

const outputs = buildStack(loadStackConfig());

export const vaultAddress = outputs.vaultAddress;
export const vaultInClusterAddress = outputs.vaultInClusterAddress;
export const vaultRootToken = outputs.vaultRootToken;
export const vaultInitSecretName = outputs.vaultInitSecretName;
export const adminCredentialsPath = outputs.adminCredentialsPath;
export const databaseHost = outputs.databaseHost;
export const applications = outputs.applications;
export const sharedConnection = outputs.sharedConnection;
