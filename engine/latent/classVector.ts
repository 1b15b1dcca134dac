/**
 * The class vector (models with classes): Lucid Sonic Dreams' pitch → class mapping, made causal
 * and frame-rate independent. A pure step over explicit state, allocated once.
 */
import type { ParamValues } from '../params/registry.js';
import type { Seconds } from '../units.js';

/** Number of pitch classes (C..B). */
export const PITCH_CLASSES = 12;
/**
 * The original's class update runs at 43 frames per second with `class_pitch_react × 43 / fps`
 * per frame: `class_pitch_react × 43` per second here.
 */
export const CLASS_RATE_PER_SECOND = 43;
/**
 * Leak time constant of the running pitch dominance behind `dominant_classes_first`.
 *
 * @remarks Deviation: the original ranks pitch classes by their total over the whole song; live,
 * the rank comes from a leaky sum of chroma with this time constant (the last half minute or so).
 */
export const DOMINANCE_SECONDS: Seconds = 30;
/** Below this spread the normalisation treats the class vector as all-equal. */
const FLAT = 1e-12;

export interface ClassState {
  readonly count: number;
  /** The class list: pitch class p (or the p-th most dominant) → `list[(p + rotation) % length]`. */
  readonly list: Int32Array;
  /** Rotation of the list by `class_shuffle_*`, in places. */
  rotation: number;
  /** Seconds since the last shuffle. */
  shuffleClock: Seconds;
  /** Leaky sum of each pitch class's chroma (the running dominance). */
  readonly dominance: Float64Array;
  /** Pitch classes from most to least dominant (identity unless `dominant_classes_first`). */
  readonly order: Int32Array;
  /** The class each pitch class drives this step. */
  readonly classOf: Int32Array;
  /** Scratch: this step's push per class. */
  readonly push: Float64Array;
  /** The normalised class vector v (in [0, 1], before `class_complexity` and smoothing). */
  readonly v: Float64Array;
}

/** The default class list: pitch class p → class p (p mod classCount for fewer than 12 classes). */
export function defaultClassList(classCount: number): number[] {
  const list: number[] = [];
  for (let p = 0; p < PITCH_CLASSES; p++) list.push(p % classCount);
  return list;
}

/**
 * @param classes the class list (1..12 entries, each a class index below `classCount`); pitch
 *   class p maps to `classes[p % length]`. Default: {@link defaultClassList}.
 */
export function createClassState(classCount: number, classes?: readonly number[]): ClassState {
  if (!Number.isInteger(classCount) || classCount < 1) throw new RangeError(`classCount must be a positive integer, got ${classCount}`);
  const list = classes ?? defaultClassList(classCount);
  if (list.length < 1 || list.length > PITCH_CLASSES) throw new RangeError(`classes must have 1 to 12 entries, got ${list.length}`);
  for (const c of list) {
    if (!Number.isInteger(c) || c < 0 || c >= classCount) throw new RangeError(`classes: ${c} is not a class index below ${classCount}`);
  }
  const order = new Int32Array(PITCH_CLASSES);
  for (let p = 0; p < PITCH_CLASSES; p++) order[p] = p;
  return {
    count: classCount,
    list: Int32Array.from(list),
    rotation: 0,
    shuffleClock: 0,
    dominance: new Float64Array(PITCH_CLASSES),
    order,
    classOf: new Int32Array(PITCH_CLASSES),
    push: new Float64Array(classCount),
    v: new Float64Array(classCount),
  };
}

/**
 * One class step: writes `out` (length `classCount`).
 *
 * - Shuffle: while `class_shuffle_seconds` > 0, every that many seconds the list rotates by
 *   `round(class_shuffle_strength × 12)` places (the first rotation after that many seconds).
 * - Mapping: with `dominant_classes_first` the j-th most dominant pitch class (running
 *   dominance, ties to the lower pitch class) drives `list[j]`, otherwise pitch class p drives
 *   `list[p]`; both through the rotation.
 * - Update: `u = v + class_pitch_react × 43 × dt × x`, `x[class] = chroma[p]`;
 *   `v = (u − min u) / ptp(u)`; all-equal → `v = (1, 0, …, 0)` (the original's nudge of one
 *   entry).
 * - Output: `class_complexity × v`, smoothed by a one-pole filter with time constant
 *   `class_smooth_seconds` (0 = none).
 *
 * @remarks Deviations from the original:
 * - Smoothing is a causal one-pole with a time constant in seconds; the original averages blocks
 *   of `class_smooth_seconds` and interpolates between them, which looks ahead.
 * - v is kept before `class_complexity`: the complexity only scales the output, so turning it
 *   down live and up again does not erase the class memory.
 * - Several pitch classes driving one class (fewer than 12 entries, or repeats): the strongest
 *   pushes (the original's assignment keeps the last one).
 * - The rank for `dominant_classes_first` is a running estimate ({@link DOMINANCE_SECONDS}).
 */
/** One shuffle: the class list rotates by `round(class_shuffle_strength × 12)` places (the
 *  `shuffle` trigger calls this directly). */
export function shuffleClasses(s: ClassState, params: ParamValues): void {
  s.rotation = (s.rotation + Math.round(params.class_shuffle_strength * PITCH_CLASSES)) % s.list.length;
}

export function classStep(s: ClassState, chroma: ArrayLike<number>, params: ParamValues, dt: Seconds, out: Float32Array): void {
  const n = s.count;
  const len = s.list.length;

  // Shuffle: rotate the class list on a clock.
  const every = params.class_shuffle_seconds;
  if (every > 0) {
    s.shuffleClock += dt;
    while (s.shuffleClock >= every) {
      s.shuffleClock -= every;
      shuffleClasses(s, params);
    }
  } else {
    s.shuffleClock = 0;
  }

  // Running pitch dominance (leaky sum).
  const leak = Math.exp(-dt / DOMINANCE_SECONDS);
  const dom = s.dominance;
  for (let p = 0; p < PITCH_CLASSES; p++) {
    const c = chroma[p];
    dom[p] = dom[p] * leak + (c > 0 ? c : 0) * dt;
  }

  // Order of the pitch classes: by dominance (insertion sort, stable) or identity.
  const order = s.order;
  for (let p = 0; p < PITCH_CLASSES; p++) order[p] = p;
  if (params.dominant_classes_first) {
    for (let i = 1; i < PITCH_CLASSES; i++) {
      const p = order[i];
      const d = dom[p];
      let j = i - 1;
      while (j >= 0 && dom[order[j]] < d) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = p;
    }
  }
  for (let j = 0; j < PITCH_CLASSES; j++) s.classOf[order[j]] = s.list[(j + s.rotation) % len];

  // Push per class.
  const x = s.push;
  x.fill(0);
  for (let p = 0; p < PITCH_CLASSES; p++) {
    const c = chroma[p];
    const k = s.classOf[p];
    if (c > x[k]) x[k] = c;
  }

  // u = v + gain·x, then min–max normalisation.
  const v = s.v;
  const gain = params.class_pitch_react * CLASS_RATE_PER_SECOND * dt;
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < n; k++) {
    const u = v[k] + gain * x[k];
    v[k] = u;
    if (u < lo) lo = u;
    if (u > hi) hi = u;
  }
  const ptp = hi - lo;
  if (ptp > FLAT) {
    const inv = 1 / ptp;
    for (let k = 0; k < n; k++) v[k] = (v[k] - lo) * inv;
  } else {
    v.fill(0);
    v[0] = 1;
  }

  // Complexity and causal smoothing.
  const complexity = params.class_complexity;
  const tau = params.class_smooth_seconds;
  const a = tau > 0 ? 1 - Math.exp(-dt / tau) : 1;
  for (let k = 0; k < n; k++) {
    const target = complexity * v[k];
    out[k] = a === 1 ? target : out[k] + (target - out[k]) * a;
  }
}
