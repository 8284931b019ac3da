/**
 * Setup file of mutation runs (vitest.mutation.config.mts; a no-op outside Stryker).
 *
 * Stryker's perTest coverage charges a mutant to the test that was running when the mutated code
 * ran. Code that runs outside a test (a file's imports and its `beforeAll`, where most unit files
 * build their components or stack once) is charged to no test: Stryker calls such mutants "static"
 * and runs every test file for each of them, which makes a run over stacks/ take days. Each test
 * file runs in a fresh module graph, so what its `beforeAll` did can only affect that file's tests:
 * this file charges it to them, and Stryker then runs, for each mutant, only the files that executed
 * it. Code that ran while the test file was imported stays static: Stryker activates a static mutant
 * before the imports, a per-test one only in its `beforeAll` (too late for a module-level constant of
 * a module the test file imports statically). Runs after Stryker's own setup file (the runner puts its
 * file first): this `beforeAll` runs after Stryker's, and this `afterAll` before Stryker's, which
 * reads the coverage (vitest runs after-hooks in reverse).
 */
import { afterAll, beforeAll, inject } from "vitest";

type Coverage = { static: Record<string, number>; perTest: Record<string, Record<string, number>> };
type Task = { type: string; name: string; suite?: Task; file?: { filepath: string }; tasks?: Task[] };

// Values the Stryker runner provides to every test file (absent outside Stryker).
const provided = inject as unknown as (key: string) => unknown;
const mode = provided("mode");
const globalNamespace = provided("globalNamespace") as string | undefined;
const separator = provided("testNameSeparator") as string | undefined;

/** Stryker's test id: the same as its setup file's `toRawTestId`. */
function testId(test: Task): string {
    const parts = [test.name];
    for (let suite = test.suite; suite; suite = suite.suite) {
        parts.unshift(suite.name);
    }
    return `${test.file?.filepath ?? "unknown.js"}#${parts.join(separator).trim()}`;
}

function testsOf(task: Task): Task[] {
    return (task.tasks ?? []).flatMap((t) => (t.type === "suite" ? testsOf(t) : t.type === "test" ? [t] : []));
}

if (mode === "dry-run" && globalNamespace && separator) {
    const coverage = () => ((globalThis as Record<string, any>)[globalNamespace] as { mutantCoverage?: Coverage } | undefined)?.mutantCoverage;
    // The first beforeAll of the file: its imports have run, none of its own hooks yet.
    let atImport = new Set<string>();
    beforeAll(() => {
        atImport = new Set(Object.keys(coverage()?.static ?? {}));
    });
    // vitest hands the file's suite to an after-hook whose context argument is destructured.
    afterAll(({}, file) => {
        const cov = coverage();
        if (!cov) {
            return;
        }
        const charged = Object.entries(cov.static).filter(([mutant]) => !atImport.has(mutant));
        for (const test of testsOf(file as unknown as Task)) {
            const hits = (cov.perTest[testId(test)] ??= {});
            for (const [mutant, count] of charged) {
                hits[mutant] = (hits[mutant] ?? 0) + count;
            }
        }
        for (const [mutant] of charged) {
            delete cov.static[mutant];
        }
    });
}
