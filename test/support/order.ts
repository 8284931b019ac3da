/**
 * Order checks on text. `a.indexOf(x) < a.indexOf(y)` passes when x is missing (-1 is less than
 * anything), so these check that every part is there before they compare positions.
 */
import { expect } from "vitest";

/**
 * Asserts that each part occurs in `text`, the first occurrence of each after the first
 * occurrence of the one before. `label` names the text in failure messages.
 */
export function expectInOrder(text: string, parts: string[], label = "text"): void {
    let previous = -1;
    parts.forEach((part, i) => {
        const at = text.indexOf(part);
        expect(at, `${label}: ${JSON.stringify(part)} is missing`).toBeGreaterThanOrEqual(0);
        if (i > 0) expect(at, `${label}: ${JSON.stringify(part)} comes before ${JSON.stringify(parts[i - 1])}`).toBeGreaterThan(previous);
        previous = at;
    });
}
