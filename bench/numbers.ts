// What the benchmarks share: a numeric `--NAME VALUE` option and the median they report.

/** `--NAME VALUE` from the command line as a number; `fallback` when it is not given. */
export function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

/** The middle of the sorted values (the upper one of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
