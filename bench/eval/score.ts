/**
 * Scoring as mir_eval does it: onsets matched one-to-one within ±50 ms (precision, recall, F,
 * plus the latency of matched pairs), and frame-wise chord accuracy from chroma with the 60
 * binary templates, and of the engine's own chord estimate.
 */
import type { Seconds } from '../../engine/units.js';
import type { ChordSegment } from './chordSet.js';
import { CHORD_TYPES, INTERVALS, SETTLE } from './chordSet.js';

/** mir_eval's default onset tolerance. */
export const ONSET_WINDOW: Seconds = 0.05;

/** Scores of one clip. */
export interface OnsetScore {
  precision: number;
  recall: number;
  f: number;
  nRef: number;
  nDet: number;
  matched: number;
  /** detection − annotation for each matched pair, seconds. */
  latencies: Seconds[];
}

/**
 * One-to-one matching within ±`window`: all candidate pairs taken greedily by distance
 * (closest first), each annotation and detection used at most once.
 * @remarks mir_eval finds a maximum matching; distance-greedy differs from it only when
 * candidates overlap (onsets < 2·window apart) and then pairs the nearest, which is what the
 * latency figures want. Both inputs may be unsorted.
 */
export function matchOnsets(ref: readonly Seconds[], det: readonly Seconds[], window = ONSET_WINDOW): [number, number][] {
  const r = ref.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0]);
  const d = det.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0]);
  const cand: [number, number, number][] = [];
  let lo = 0;
  for (const [rt, ri] of r) {
    while (lo < d.length && d[lo][0] < rt - window) lo++;
    for (let j = lo; j < d.length && d[j][0] <= rt + window; j++) cand.push([Math.abs(d[j][0] - rt), ri, d[j][1]]);
  }
  cand.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const usedR = new Set<number>();
  const usedD = new Set<number>();
  const pairs: [number, number][] = [];
  for (const [, ri, di] of cand) {
    if (usedR.has(ri) || usedD.has(di)) continue;
    usedR.add(ri);
    usedD.add(di);
    pairs.push([ri, di]);
  }
  return pairs.sort((a, b) => ref[a[0]] - ref[b[0]]);
}

/** Precision, recall, F-measure and latencies for one clip (mir_eval's conventions for empties). */
export function scoreOnsets(ref: readonly Seconds[], det: readonly Seconds[], window = ONSET_WINDOW): OnsetScore {
  const pairs = matchOnsets(ref, det, window);
  const m = pairs.length;
  const precision = det.length ? m / det.length : 0;
  const recall = ref.length ? m / ref.length : 0;
  const f = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f, nRef: ref.length, nDet: det.length, matched: m, latencies: pairs.map(([i, j]) => det[j] - ref[i]) };
}

/** The q-quantile (linear interpolation) of `xs`; NaN when empty. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const i = Math.floor(pos);
  return i + 1 < s.length ? s[i] + (s[i + 1] - s[i]) * (pos - i) : s[i];
}

export const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : NaN);

/** A chord label. */
export interface ChordLabel { root: number; type: string }

/** One analysis frame: `t` is the time it became available (hop end); `chord` is the engine's estimate. */
export interface ChromaFrame { t: Seconds; chroma: ArrayLike<number>; chord?: { root: number; quality: string } | null }

/**
 * The held-out set's classifier: the 60 binary templates (12 roots × maj, min, 7, m7, maj7),
 * cosine similarity, argmax (ties to the first: root C first, then the order of CHORD_TYPES).
 * A silent frame scores 0 everywhere, i.e. C major.
 */
export function cosineClassifyChord(chroma: ArrayLike<number>): ChordLabel {
  let norm = 0;
  for (let k = 0; k < 12; k++) norm += chroma[k] * chroma[k];
  let best: ChordLabel = { root: 0, type: 'maj' };
  let bestScore = -Infinity;
  for (let root = 0; root < 12; root++) {
    for (const type of CHORD_TYPES) {
      const tones = INTERVALS[type];
      let dot = 0;
      for (const iv of tones) dot += chroma[(root + iv) % 12];
      const s = norm > 0 ? dot / Math.sqrt(norm * tones.length) : 0;
      if (s > bestScore) { bestScore = s; best = { root, type }; }
    }
  }
  return best;
}

/** Frame-wise chord scores of one file. */
export interface ChromaScore {
  /** Frames inside the steady part of a chord. */
  frames: number;
  /** Frames whose chroma's template (root and quality) is right. */
  correct: number;
  /** Frames whose chroma's template root is right. */
  rootCorrect: number;
  /** Frames whose chord estimate (the `chord` field) is right: root and quality; root only. */
  estimateCorrect: number;
  estimateRoot: number;
}

/**
 * Classifies every frame whose time falls in a chord's steady part (`start + SETTLE` .. `end`)
 * with the 60 templates and counts hits; the frames' own chord estimates are counted beside.
 */
export function scoreChroma(frames: readonly ChromaFrame[], chords: readonly ChordSegment[]): ChromaScore {
  const s: ChromaScore = { frames: 0, correct: 0, rootCorrect: 0, estimateCorrect: 0, estimateRoot: 0 };
  let k = 0;
  for (const f of frames) {
    while (k < chords.length && f.t > chords[k].end) k++;
    if (k >= chords.length) break;
    const c = chords[k];
    if (f.t < c.start + SETTLE) continue;
    const got = cosineClassifyChord(f.chroma);
    s.frames++;
    if (got.root === c.root) {
      s.rootCorrect++;
      if (got.type === c.type) s.correct++;
    }
    if (f.chord && f.chord.root === c.root) {
      s.estimateRoot++;
      if (f.chord.quality === c.type) s.estimateCorrect++;
    }
  }
  return s;
}

/** Sums of chord scores. */
export function sumChroma(xs: readonly ChromaScore[]): ChromaScore {
  const s: ChromaScore = { frames: 0, correct: 0, rootCorrect: 0, estimateCorrect: 0, estimateRoot: 0 };
  for (const x of xs) for (const k of Object.keys(s) as (keyof ChromaScore)[]) s[k] += x[k];
  return s;
}
