/** What a bench scenario is: a module under test/bench/scenarios/ that measures and returns figures. */

export interface BenchContext {
  /** `--quick`: small counts so CI proves the scenario still runs; figures are not meaningful. */
  quick: boolean;
  /** Prints one `label ........ value` line. */
  line(label: string, value: string): void;
  /** Prints a free-form line. */
  say(text: string): void;
}

export interface Scenario {
  /** Its name for `--only`. */
  name: string;
  /** One line on what it measures. */
  title: string;
  /** Its figures, by section of bench/results/latest.json (e.g. `{ pipeline: {…}, demo: {…} }`). */
  run(ctx: BenchContext): Promise<Record<string, Record<string, unknown>>>;
}

export const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
export const perSec = (count: number, ms: number) => Math.round((count / Math.max(ms, 1)) * 1000);
export const quantile = (sorted: readonly number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;
