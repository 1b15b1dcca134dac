import type { Seconds } from '../units.js';

/**
 * A causal chord estimate from the note-activation chroma and bass chroma: 12 roots × 7
 * qualities, scored against binary templates each chroma update, smoothed by a forward-only HMM
 * filter (the past is never rewritten: each update's answer stands).
 */

/** The qualities the estimate knows. */
export const CHORD_QUALITIES = ['maj', 'min', '7', 'm7', 'maj7', 'dim', 'sus4'] as const;
export type ChordQuality = (typeof CHORD_QUALITIES)[number];

/** Pitch-class intervals above the root of each quality. */
export const QUALITY_INTERVALS: Readonly<Record<ChordQuality, readonly number[]>> = {
  maj: [0, 4, 7], min: [0, 3, 7], '7': [0, 4, 7, 10], m7: [0, 3, 7, 10], maj7: [0, 4, 7, 11], dim: [0, 3, 6], sus4: [0, 5, 7],
};

/** One estimate: `confidence` is the filter's posterior of this chord, in (0, 1]. */
export interface ChordEstimate {
  root: number;
  quality: ChordQuality;
  confidence: number;
}

export interface ChordParams {
  /** Expected chord changes per second of the HMM (the switching probability per update follows from it). Range 0.05–5. */
  changesPerSecond: number;
  /** Sharpness of the observation: likelihood = exp(this × score). Range 1–100. */
  sharpness: number;
  /** Weight of the bass chroma at the chord's root (and half of it at its other tones) in the score. Range 0–1. */
  bassWeight: number;
  /** Score handicap of the rarer qualities (dim, sus4). Range 0–0.3. */
  rarePenalty: number;
}

/** Defaults, tuned on the tune half of the chord set. */
export const defaultChordParams: ChordParams = {
  changesPerSecond: 0.7,
  sharpness: 40,
  bassWeight: 0.1,
  rarePenalty: 0.15,
};

const N_CHORDS = 12 * CHORD_QUALITIES.length;

/** Filter state; allocated once. */
export interface ChordState {
  /** The newest estimate (its object is reused), or null in silence and before the first update. */
  estimate: ChordEstimate | null;
  /** Posterior over the 84 chords (root-major: index = root × 7 + quality). */
  readonly posterior: Float64Array;
  readonly scratch: Float64Array;
  readonly current: ChordEstimate;
  /** Unit-length binary templates, 12 numbers per chord. */
  readonly templates: Float64Array;
}

export function createChordState(): ChordState {
  const templates = new Float64Array(N_CHORDS * 12);
  for (let root = 0; root < 12; root++) {
    CHORD_QUALITIES.forEach((q, qi) => {
      const iv = QUALITY_INTERVALS[q];
      for (const i of iv) templates[(root * CHORD_QUALITIES.length + qi) * 12 + ((root + i) % 12)] = 1 / Math.sqrt(iv.length);
    });
  }
  const posterior = new Float64Array(N_CHORDS).fill(1 / N_CHORDS);
  return { estimate: null, posterior, scratch: new Float64Array(N_CHORDS), current: { root: 0, quality: 'maj', confidence: 0 }, templates };
}

/** Forgets the past (silence): the next update starts from a flat prior. */
export function resetChord(s: ChordState): void {
  s.posterior.fill(1 / N_CHORDS);
  s.estimate = null;
}

/**
 * The filter's probability that each pitch class is a tone of the sounding chord: Σ over the 84
 * chords of their posterior, for each of their tones, into `out` (12 numbers in [0, 1]).
 */
export function chordTones(s: ChordState, out: Float64Array): void {
  out.fill(0);
  const nq = CHORD_QUALITIES.length;
  for (let c = 0; c < N_CHORDS; c++) {
    const p = s.posterior[c];
    const root = Math.floor(c / nq);
    for (const i of QUALITY_INTERVALS[CHORD_QUALITIES[c % nq]]) out[(root + i) % 12] += p;
  }
}

/**
 * One filter step after a chroma update `dt` seconds after the previous one: predict (stay, or
 * switch to any chord with probability 1 − exp(−changesPerSecond·dt)), weigh by each chord's
 * likelihood, normalise, answer the most probable chord. No allocation.
 *
 * Score of a chord = cosine of the chroma with its binary template + bassWeight × (bass chroma at
 * the root, or half the bass chroma at another chord tone when that is larger: an inversion),
 * minus rarePenalty for dim and sus4.
 */
export function chordStep(s: ChordState, chroma: ArrayLike<number>, bass: ArrayLike<number>, dt: Seconds, p: ChordParams): ChordEstimate | null {
  let norm = 0;
  for (let k = 0; k < 12; k++) norm += chroma[k] * chroma[k];
  if (!(norm > 0)) {
    resetChord(s);
    return null;
  }
  const inv = 1 / Math.sqrt(norm);
  const stay = Math.exp(-p.changesPerSecond * Math.max(0, dt));
  const spread = (1 - stay) / N_CHORDS;
  const { posterior, scratch, templates } = s;
  let best = 0;
  let scoreMax = -Infinity;
  const nq = CHORD_QUALITIES.length;
  for (let c = 0; c < N_CHORDS; c++) {
    let dot = 0;
    const t = c * 12;
    for (let k = 0; k < 12; k++) dot += templates[t + k] * chroma[k];
    const root = Math.floor(c / nq);
    const q = CHORD_QUALITIES[c % nq];
    let b = bass[root];
    for (const i of QUALITY_INTERVALS[q]) if (i > 0) b = Math.max(b, 0.5 * bass[(root + i) % 12]);
    let score = dot * inv + p.bassWeight * b;
    if (q === 'dim' || q === 'sus4') score -= p.rarePenalty;
    scratch[c] = score;
    if (score > scoreMax) scoreMax = score;
  }
  let total = 0;
  for (let c = 0; c < N_CHORDS; c++) {
    const v = (stay * posterior[c] + spread) * Math.exp(p.sharpness * (scratch[c] - scoreMax));
    posterior[c] = v;
    total += v;
  }
  for (let c = 0; c < N_CHORDS; c++) {
    posterior[c] /= total;
    if (posterior[c] > posterior[best]) best = c;
  }
  const e = s.current;
  e.root = Math.floor(best / nq);
  e.quality = CHORD_QUALITIES[best % nq];
  e.confidence = posterior[best];
  s.estimate = e;
  return e;
}
