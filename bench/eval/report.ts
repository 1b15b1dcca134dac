/**
 * Aggregation of per-clip scores into per-category figures, and the markdown report.
 */
import type { Seconds } from '../../engine/units.js';
import type { OnsetScore } from './score.js';
import { mean, quantile } from './score.js';

/** Aggregate of one detector over a group of clips. */
export interface GroupFigures {
  clips: number;
  /** Mean over clips of the per-clip F, precision and recall. */
  f: number;
  precision: number;
  recall: number;
  /** Median and 90th percentile of detection − annotation over all matched pairs, in ms. */
  latencyMedianMs: number;
  latencyP90Ms: number;
}

export function aggregate(scores: readonly OnsetScore[]): GroupFigures {
  const lat = scores.flatMap((s) => s.latencies);
  return {
    clips: scores.length,
    f: mean(scores.map((s) => s.f)),
    precision: mean(scores.map((s) => s.precision)),
    recall: mean(scores.map((s) => s.recall)),
    latencyMedianMs: quantile(lat, 0.5) * 1000,
    latencyP90Ms: quantile(lat, 0.9) * 1000,
  };
}

/** One row of the onset table. */
export interface OnsetRow {
  group: string;
  clips: number;
  onsets: number;
  ours?: GroupFigures;
  aubio: { method: string; config: string; figures: GroupFigures };
}

/** Chord figures of one group: template accuracy of the chroma, and of the chord estimate. */
export interface ChordFigures { accuracy: number; rootAccuracy: number; estimate: number; estimateRoot: number }

/** One row of the chord table. */
export interface ChromaRow {
  group: string;
  files: number;
  frames: number;
  ours?: ChordFigures;
  reference: ChordFigures;
}

const pct = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(3));
const ms = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(1));

export interface ReportInput {
  mode: 'full' | 'quick';
  date: string;
  setSummary: string;
  oursNote: string;
  onsetRows: OnsetRow[];
  /** Mean F of every aubio method × config per category (column order = `categories`). */
  aubioGrid: { method: string; config: string; f: number[] }[];
  categories: string[];
  chromaRows: ChromaRow[];
  timings: Record<string, Seconds>;
}

export function markdownReport(r: ReportInput): string {
  const L: string[] = [];
  L.push(`# Onset and chord evaluation (${r.mode})`, '');
  L.push(`Made by \`node --import tsx bench/eval/run.ts${r.mode === 'quick' ? ' --quick' : ''}\` on ${r.date}. ${r.setSummary}`, '');
  L.push(`Ours: ${r.oursNote}`, '');
  L.push('## Onsets (±50 ms, one-to-one; F, P, R are means over clips)', '');
  L.push('| group | clips | onsets | ours F | ours P / R | ours latency median / p90 (ms) | aubio best method | aubio F | aubio latency median / p90 (ms) |');
  L.push('|---|---:|---:|---:|---|---|---|---:|---|');
  for (const row of r.onsetRows) {
    const o = row.ours;
    const a = row.aubio.figures;
    L.push(`| ${row.group} | ${row.clips} | ${row.onsets} | ${pct(o?.f)} | ${pct(o?.precision)} / ${pct(o?.recall)} | ${ms(o?.latencyMedianMs)} / ${ms(o?.latencyP90Ms)} | ${row.aubio.method} (${row.aubio.config}) | ${pct(a.f)} | ${ms(a.latencyMedianMs)} / ${ms(a.latencyP90Ms)} |`);
  }
  L.push('');
  L.push('Latency = reported time − annotated onset, for matched pairs. **Ours** reports the time at which a');
  L.push('detection became available (end of the hop that fired it), never back-dated. **aubio** reports its');
  L.push('own onset times, which it back-dates by its peak-picking delay; its latency is not a live latency.');
  L.push('aubio\'s best method is picked per row (an oracle choice in its favour).', '');
  L.push('### aubio, every method (mean F per category)', '');
  L.push(`| method | window | ${r.categories.join(' | ')} |`);
  L.push(`|---|---|${r.categories.map(() => '---:').join('|')}|`);
  for (const g of r.aubioGrid) L.push(`| ${g.method} | ${g.config} | ${g.f.map(pct).join(' | ')} |`);
  L.push('');
  L.push('## Chords (frames from 250 ms after each change to the next)', '');
  L.push('The **report** half is the held-out one: no default was tuned on it (its timbres, seeds and songs are');
  L.push('not in the tune half). "chroma" = the best of the 60 binary templates (12 roots × maj, min, 7, m7, maj7,');
  L.push('cosine) on `--json`\'s `chroma`; "estimate" = the engine\'s causal `chord` field (root and quality).', '');
  L.push('| group | files | frames | ours chroma | ours chroma root | ours estimate | ours estimate root | reference STFT chroma |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of r.chromaRows) {
    L.push(`| ${c.group} | ${c.files} | ${c.frames} | ${pct(c.ours?.accuracy)} | ${pct(c.ours?.rootAccuracy)} | ${pct(c.ours?.estimate)} | ${pct(c.ours?.estimateRoot)} | ${pct(c.reference.accuracy)} |`);
  }
  L.push('');
  L.push('Reference = bench/eval/referenceChroma.ts (offline 8192-point STFT, not causal), same 60 templates.', '');
  L.push(`Timings (s): ${Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}.`, '');
  return L.join('\n');
}
