import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError, configWarnings, parseStackConfig, rawConfigFromPulumi, StackConfig } from "./config";

/** The SDK's check of whether a config key was set with `--secret` (public at run time, internal in its typings). */
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;

/**
 * Reads this stack's `vaultkit:*` config once and validates it. Runs before any resource is
 * registered, so bad input stops the program with every problem listed and nothing touched: as a
 * `RunError`, which the CLI prints as its message alone (any other error gets a stack trace and an
 * object dump). The environment adds what the providers would read behind the config's back
 * (VAULT_TOKEN, VAULT_SKIP_VERIFY, provider config of other namespaces) and the files the config
 * names (relative to the project directory, the program's working directory).
 */
export function loadStackConfig(): StackConfig {
    const all = pulumi.runtime.allConfig();
    for (const warning of configWarnings(all)) {
        pulumi.log.warn(warning);
    }
    try {
        return parseStackConfig(pulumi.getStack(), rawConfigFromPulumi(all), {
            vaultToken: process.env.VAULT_TOKEN || undefined,
            vaultSkipVerify: process.env.VAULT_SKIP_VERIFY,
            readFile: (path) => readFileSync(path, "utf8"),
            otherConfigKeys: Object.keys(all).filter((k) => !k.startsWith(`${CONFIG_NAMESPACE}:`)),
            isSecret: isConfigSecret && ((key) => isConfigSecret(`${CONFIG_NAMESPACE}:${key}`)),
        });
    } catch (e) {
        if (e instanceof ConfigError) {
            throw new pulumi.RunError(`stack '${pulumi.getStack()}': ${e.message}`);
        }
        throw e;
    }
}
