/** stacks/config/providers.ts: Pulumi provider config (`kubernetes:*`, `vault:*`) this program never reads. */
import { describe } from "vitest";
import { type Case, itRefusesEach } from "./fixtures";

const cases: Case[] = [
    ["kubernetes:context, which the explicit provider ignores", () => undefined, "kubernetes:context", /vaultkit:kubeContext instead/, { otherConfigKeys: ["kubernetes:context"] }],
    ["vault:token, which the explicit provider ignores", () => undefined, "vault:token", /vaultkit:vaultToken/, { otherConfigKeys: ["vault:token"] }],
];

describe("provider config the explicit providers ignore is refused", () => {
    itRefusesEach(cases);
});
