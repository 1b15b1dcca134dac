/**
 * In-process onset tuning on the evaluation set: runs the analyzer with parameter overrides on
 * every clip (no CLI spawn) and prints per-category F, precision, recall and latency.
 *
 *   node --import tsx bench/eval/tune.ts [--quick] [--dir DIR] [--chroma] '{"onset":{"delta":2}}' …
 *
 * With `--chroma`, it scores chord-template accuracy on the chord files instead.
 * Each JSON argument is one configuration (AnalysisOverrides); none = the defaults.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAnalyzer, feed, type AnalysisOverrides } from '../../engine/analysis/analyzer.js';
import { CATEGORIES } from './compose.js';
import { generate } from './generate.js';
import { readMono, SAMPLE_RATE } from './render.js';
import { aggregate } from './report.js';
import { loadChordClassifier, scoreChroma, scoreOnsets } from './score.js';
import type { ChromaFrame } from './score.js';

/** Onset times (end of the firing hop) of our analyzer on one signal. */
export function detectOnsets(x: Float32Array, overrides: AnalysisOverrides): number[] {
  const a = createAnalyzer(SAMPLE_RATE, overrides);
  const out: number[] = [];
  feed(a, x, (f) => { if (f.onset) out.push(f.t); });
  return out;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { quick: { type: 'boolean', default: false }, chroma: { type: 'boolean', default: false }, dir: { type: 'string' } } });
const set = await generate({ quick: values.quick, dir: values.dir, log: () => undefined });
const configs = positionals.length ? positionals.map((s) => JSON.parse(s) as AnalysisOverrides) : [{}];

if (values.chroma) {
  const { classify } = await loadChordClassifier();
  const files = await Promise.all(set.chords.map((c) => readMono(join(set.dir, c.wav))));
  for (const cfg of configs) {
    const cells = set.chords.map((c, i) => {
      const a = createAnalyzer(SAMPLE_RATE, cfg);
      const frames: ChromaFrame[] = [];
      feed(a, files[i], (f) => { frames.push({ t: f.t, chroma: Float32Array.from(f.chroma) }); });
      const s = scoreChroma(frames, c.chords, classify);
      return { name: c.timbre, correct: s.correct, root: s.rootCorrect, frames: s.frames };
    });
    const sum = (k: 'correct' | 'root' | 'frames'): number => cells.reduce((x, c) => x + c[k], 0);
    process.stdout.write(`${JSON.stringify(cfg)}\n  all ${(sum('correct') / sum('frames')).toFixed(3)} (root ${(sum('root') / sum('frames')).toFixed(3)}) | ${cells.map((c) => `${c.name} ${(c.correct / c.frames).toFixed(3)}`).join(' | ')}\n`);
  }
  process.exit(0);
}
const audio = await Promise.all(set.onsets.map((c) => readMono(join(set.dir, c.wav))));
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
