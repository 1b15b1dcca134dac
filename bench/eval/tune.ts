/**
 * In-process onset tuning on the evaluation set: runs the analyzer with parameter overrides on
 * every clip (no CLI spawn) and prints per-category F, precision, recall and latency.
 *
 *   node --import tsx bench/eval/tune.ts [--quick] [--dir DIR] '{"onset":{"delta":2}}' …
 *
 * Each JSON argument is one configuration (AnalysisOverrides); none = the defaults.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAnalyzer, feed, type AnalysisOverrides } from '../../engine/analysis/analyzer.js';
import { CATEGORIES } from './compose.js';
import { generate } from './generate.js';
import { readMono, SAMPLE_RATE } from './render.js';
import { aggregate } from './report.js';
import { scoreOnsets } from './score.js';

/** Onset times (end of the firing hop) of our analyzer on one signal. */
export function detectOnsets(x: Float32Array, overrides: AnalysisOverrides): number[] {
  const a = createAnalyzer(SAMPLE_RATE, overrides);
  const out: number[] = [];
  feed(a, x, (f) => { if (f.onset) out.push(f.t); });
  return out;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { quick: { type: 'boolean', default: false }, dir: { type: 'string' } } });
const set = await generate({ quick: values.quick, dir: values.dir, log: () => undefined });
const audio = await Promise.all(set.onsets.map((c) => readMono(join(set.dir, c.wav))));
const configs = positionals.length ? positionals.map((s) => JSON.parse(s) as AnalysisOverrides) : [{}];
for (const cfg of configs) {
  const t0 = performance.now();
  const scores = set.onsets.map((c, i) => scoreOnsets(c.onsets, detectOnsets(audio[i], cfg)));
  const ms = performance.now() - t0;
  const cell = (pick: (i: number) => boolean): string => {
    const g = aggregate(scores.filter((_, i) => pick(i)));
    return `${g.f.toFixed(3)} (${g.precision.toFixed(2)}/${g.recall.toFixed(2)}) ${g.latencyMedianMs.toFixed(1)}ms`;
  };
  const parts = CATEGORIES.map((cat) => `${cat} ${cell((i) => set.onsets[i].category === cat)}`);
  const worst = ['noise', 'reverb'].map((v) => `${v} ${cell((i) => set.onsets[i].variant === v)}`);
  process.stdout.write(`${JSON.stringify(cfg)}\n  all ${cell(() => true)} | ${parts.join(' | ')} | ${worst.join(' | ')} [${(ms / 1000).toFixed(1)} s]\n`);
}
