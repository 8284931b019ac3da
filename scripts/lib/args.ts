/**
 * `--name value` options of the small scripts: `-h`/`--help` prints the usage and exits 0 before
 * anything runs; an unknown option or a missing value throws with the usage.
 */
export function parseOptions<N extends string>(argv: string[], usage: string, names: readonly N[]): Partial<Record<N, string>> {
    const out: Partial<Record<N, string>> = {};
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (arg === "--help" || arg === "-h") {
            console.log(usage);
            process.exit(0);
        }
        const name = arg.replace(/^--/, "") as N;
        if (!arg.startsWith("--") || !names.includes(name)) throw new Error(`unknown argument ${arg}\n\n${usage}`);
        const value = argv[++i];
        if (value === undefined) throw new Error(`${arg} needs a value\n\n${usage}`);
        out[name] = value;
    }
    return out;
}
