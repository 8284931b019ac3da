/** The command line of the benchmark scripts: `--sizes a,b,c` and `--help`. */

/** The sizes asked for; prints `usage` and exits 0 on --help, throws on anything unknown. */
export function parseSizesArgs(argv: string[], o: { defaults: number[]; min: number; usage: string }): number[] {
    let sizes = o.defaults;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (arg === "--help" || arg === "-h") {
            console.log(o.usage);
            process.exit(0);
        } else if (arg === "--sizes") {
            const list = argv[++i] ?? "";
            sizes = list.split(",").map(Number);
            if (list === "" || sizes.some((n) => !Number.isInteger(n) || n < o.min)) {
                throw new Error(`--sizes expects whole numbers from ${o.min}, like 1,10,100; given '${list}'\n\n${o.usage}`);
            }
        } else {
            throw new Error(`unknown argument ${arg}\n\n${o.usage}`);
        }
    }
    return sizes;
}
