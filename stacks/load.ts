import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, rawConfigFromPulumi, StackConfig } from "./config";

/**
 * Reads this stack's `vaultkit:*` config once and validates it. Runs before any resource is
 * registered, so bad input stops the program with every problem listed and nothing touched.
 */
export function loadStackConfig(): StackConfig {
    return parseStackConfig(pulumi.getStack(), rawConfigFromPulumi(pulumi.runtime.allConfig()), {
        vaultToken: process.env.VAULT_TOKEN || undefined,
    });
}
