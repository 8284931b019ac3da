/**
 * The operators this project can install, one descriptor each. stacks/operators.ts installs the
 * ones a config needs in one loop; adding an operator is a pin in components/versions.ts, a file
 * here, its line below, and the config condition in `operatorsNeeded` (the type asks for it).
 */
import { OperatorDescriptor } from "./descriptor";
import { secretsStoreCsi } from "./secretsStoreCsi";
import { stackgres } from "./stackgres";
import { vaultSecretsOperator } from "./vaultSecretsOperator";

export * from "./descriptor";
export { vaultSecretsOperator, vaultSecretsOperatorValues } from "./vaultSecretsOperator";
export { stackgres, stackgresOperatorValues } from "./stackgres";
export { secretsStoreCsi, secretsStoreCsiDriverValues, DEFAULT_ROTATION_POLL_INTERVAL } from "./secretsStoreCsi";

/** Every operator, by the name the stack's parts use for it (installed in this order). */
export const OPERATORS = {
    vaultSecretsOperator,
    stackgres,
    secretsStoreCsi,
} as const satisfies Record<string, OperatorDescriptor>;

/** The name of an operator in {@link OPERATORS}. */
export type OperatorName = keyof typeof OPERATORS;
