/**
 * In-process onset tuning on the evaluation set: runs the analyzer with parameter overrides on
 * every clip (no CLI spawn) and prints per-category F, precision, recall and latency.
 *
 *   node --import tsx bench/eval/tune.ts [--quick] [--dir DIR] [--chroma] '{"onset":{"delta":2}}' …
 *
 * Onsets are scored on the tune half (clips 0–7 of each kind; `--half report` to look at 8–15,
 * `--half all` for both). With `--chroma`, it scores chord-template accuracy (chroma / estimate)
 * on the chord files of the tune half instead (`--half report` to look at the other).
 * Each JSON argument is one configuration (AnalysisOverrides); none = the defaults.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAnalyzer, feed, type AnalysisOverrides } from '../../engine/analysis/analyzer.js';
import { CATEGORIES } from './compose.js';
import { generate, onsetHalf } from './generate.js';
import { readMono, SAMPLE_RATE } from './render.js';
import { detectOnsets } from './detectors.js';
import { aggregate } from './report.js';
import { chordGroups } from './run.js';
import { scoreChroma, scoreOnsets, sumChroma } from './score.js';
import type { ChromaFrame } from './score.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { quick: { type: 'boolean', default: false }, chroma: { type: 'boolean', default: false }, half: { type: 'string', default: 'tune' }, dir: { type: 'string' } } });
const set = await generate({ quick: values.quick, dir: values.dir, log: () => undefined });
const configs = positionals.length ? positionals.map((s) => JSON.parse(s) as AnalysisOverrides) : [{}];

if (values.chroma) {
  // The tune half unless told otherwise (`--half report` only to look, never to pick defaults).
  const groups = chordGroups(set.chords).filter((g) => g.name.startsWith(`${values.half}/`) && !g.name.includes(': '));
  const used = [...new Set(groups.flatMap((g) => g.idx))];
  const files = new Map(await Promise.all(used.map(async (i) => [i, await readMono(join(set.dir, set.chords[i].wav))] as const)));
  for (const cfg of configs) {
    const t0 = performance.now();
    const scores = new Map(used.map((i) => {
      const a = createAnalyzer(SAMPLE_RATE, cfg);
      const frames: ChromaFrame[] = [];
      feed(a, files.get(i)!, (f) => { frames.push({ t: f.t, chroma: Float32Array.from(f.chroma), chord: f.chord ? { ...f.chord } : null }); });
      return [i, scoreChroma(frames, set.chords[i].chords)] as const;
    }));
    const cells = groups.map((g) => {
      const s = sumChroma(g.idx.map((i) => scores.get(i)!));
      return `${g.name.slice(values.half!.length + 1)} ${(s.correct / s.frames).toFixed(3)}/${(s.estimateCorrect / s.frames).toFixed(3)}`;
    });
    process.stdout.write(`${JSON.stringify(cfg)}\n  chroma/estimate: ${cells.join(' | ')} [${((performance.now() - t0) / 1000).toFixed(1)} s]\n`);
  }
  process.exit(0);
}
// Onsets: the tune half (clips 0–7) unless told otherwise; `--half all` for every clip.
const clips = set.onsets.filter((c) => values.quick || values.half === 'all' || onsetHalf(c) === values.half);
const audio = await Promise.all(clips.map((c) => readMono(join(set.dir, c.wav))));
for (const cfg of configs) {
  const t0 = performance.now();
  const scores = clips.map((c, i) => scoreOnsets(c.onsets, detectOnsets(audio[i], cfg)));
  const ms = performance.now() - t0;
  const cell = (pick: (i: number) => boolean): string => {
    const g = aggregate(scores.filter((_, i) => pick(i)));
    return `${g.f.toFixed(3)} (${g.precision.toFixed(2)}/${g.recall.toFixed(2)}) ${g.latencyMedianMs.toFixed(1)}ms`;
  };
  const parts = CATEGORIES.map((cat) => `${cat} ${cell((i) => clips[i].category === cat)}`);
  const worst = ['noise', 'reverb'].map((v) => `${v} ${cell((i) => clips[i].variant === v)}`);
  process.stdout.write(`${JSON.stringify(cfg)}\n  all ${cell(() => true)} | ${parts.join(' | ')} | ${worst.join(' | ')} [${(ms / 1000).toFixed(1)} s]\n`);
}
