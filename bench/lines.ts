/** The bench's shared pieces: sections, medians and aligned readable lines. */
import { quantile } from './eval/score.js';

/** One part of the bench: prints its readable lines, returns its figures. */
export interface BenchSection {
  name: string;
  run(): Promise<Record<string, number>>;
}

/** The median (linear interpolation between the two middle values of an even count). */
export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/** Rounds to 4 significant digits so the JSON line stays readable. */
export function sig(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(4)) : x;
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1);
  if (a >= 10) return x.toFixed(2);
  return x.toFixed(3);
}

/** One aligned readable line: key, value, unit, optional note. */
export function line(key: string, value: number, unit: string, note = ''): void {
  process.stdout.write(`  ${key.padEnd(32)} ${fmt(value).padStart(10)} ${unit.padEnd(8)}${note ? ` ${note}` : ''}\n`);
}

export function note(text: string): void {
  process.stdout.write(`  ${text}\n`);
}
