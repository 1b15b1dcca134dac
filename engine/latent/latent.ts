/**
 * The latent engine: Lucid Sonic Dreams' noise-vector motion (base keyframes + pulse + motion)
 * and class vector, made causal and frame-rate independent. A pure step over explicit state:
 * everything is allocated by {@link createLatentState}, {@link latentStep} allocates nothing, and
 * the same seed with the same input stream and step sizes gives the same output bit for bit.
 *
 * Deviations from the original (each also noted where it happens):
 * - Keyframes come from a clock (a new one every `60 / speed_fpm` s), not from the song length.
 * - Keyframes are stored unscaled; `truncation` multiplies them at output, so a live change of
 *   `truncation` applies at once (the original bakes it into each keyframe).
 * - Pulse and motion smoothing are one-pole filters with time constants in seconds (the
 *   original's 0.75 per frame at 43 fps ≈ 81 ms), solved exactly over each step.
 * - Motion is per second (`motion_react × 20` per second instead of `× 20 / fps` per frame) and
 *   integrated exactly over the step (the integral of the smoothed velocity).
 * - Direction flips and the 4 s redraw of the speed factors happen on a fixed 1 ms grid inside
 *   the step, not once per frame, so 30 fps and 144 fps bounce at the same places.
 * - The flip margin is the original's per-frame step at its native 43 fps, capped at
 *   `truncation` (see {@link flipMargin}).
 * - Spherical keyframe interpolation is an option (`interpolation: 'spherical'`).
 */
import type { Features } from '../analysis/Features.js';
import type { ParamValues } from '../params/registry.js';
import type { Seconds } from '../units.js';
import { classStep, createClassState, PITCH_CLASSES, type ClassState } from './classVector.js';
import { mulberry32, truncatedNormal, TRUNC_LIMIT, type Rng } from './random.js';

/** The original's motion scale: `motion_react × 20 / fps` per frame = `motion_react × 20` per second. */
export const MOTION_SCALE = 20;
/** The frame rate the original's per-frame constants were tuned at. */
export const ORIGINAL_FPS = 43;
/** The grid on which direction flips are checked and speed factors redrawn. */
export const MOTION_TICK_SECONDS: Seconds = 1 / 1000;
/** Speed factors are redrawn every this many ticks (4 s, as the original). */
export const REDRAW_TICKS = 4000;
/** Longer steps are clamped to this (a stalled frame must not throw the latent across the space). */
export const MAX_STEP_SECONDS: Seconds = 1;
/** Smallest time constant used (guards a 0 from a bad preset). */
const MIN_TAU: Seconds = 1e-4;
/** Below this angle spherical interpolation falls back to linear. */
const MIN_SIN_OMEGA = 1e-6;

/** What drives one step. `pulse` and `motion` in 0..1 (clamped); `chroma`: 12 pitch classes. */
export interface LatentInput {
  pulse: number;
  motion: number;
  chroma: ArrayLike<number>;
  /** Scratch of the chord-root mix (see `class_chord_root`). */
  mixed?: Float32Array;
}

export interface LatentOptions {
  /** Latent size (512 for StyleGAN, 128 for BigGAN). */
  dim: number;
  /** Number of model classes; 0 (default) = a model without classes. */
  classCount?: number;
  /** Seed of every random draw. */
  seed: number;
  /** Class list (1..12 class indices), see {@link createClassState}. */
  classes?: readonly number[];
}

export interface LatentState {
  readonly dim: number;
  readonly classCount: number;
  readonly seed: number;
  /** Output: the latent vector, written by each step. */
  readonly z: Float32Array;
  /** Output: the class vector (length `classCount`, empty without classes). */
  readonly classVec: Float32Array;
  /** Seconds stepped so far (after clamping). */
  time: Seconds;

  /** Keyframe draws. */
  readonly keyRng: Rng;
  /** Sign and speed-factor draws. */
  readonly motionRng: Rng;
  /** The keyframe behind and ahead, unscaled (standard truncated normal). */
  key0: Float64Array;
  key1: Float64Array;
  /** Position between key0 (0) and key1 (1). */
  keyPhase: number;
  /** Keyframes drawn so far. */
  keyCount: number;
  /** Angle between key0 and key1 and its sine (spherical interpolation). */
  keyOmega: number;
  keySinOmega: number;
  /** This step's base (truncation × interpolated keyframes). */
  readonly base: Float64Array;
  /** The previous step's base: flip checks inside a step interpolate between the two. */
  readonly basePrev: Float64Array;

  /** Smoothed pulse p (the same for every dimension). */
  pulse: number;
  /** Smoothed motion velocity m per dimension (latent units per second). */
  readonly velocity: Float64Array;
  /** Integrated motion per dimension. */
  readonly offset: Float64Array;
  /** Direction s ∈ {+1, −1} per dimension. */
  readonly sign: Int8Array;
  /** Speed-factor choice per dimension: 1 → `1 − motion_randomness`, 0 → 1. */
  readonly slow: Uint8Array;
  /** Seconds into the current motion tick. */
  tickFrac: Seconds;
  /** Motion ticks completed. */
  ticks: number;

  /** Class state, null without classes. */
  readonly cls: ClassState | null;
}

/** Mixes the seed into an independent stream for motion draws. */
const MOTION_STREAM = 0x9e3779b9;

export function createLatentState(opts: LatentOptions): LatentState {
  const { dim, seed } = opts;
  const classCount = opts.classCount ?? 0;
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(classCount) || classCount < 0) throw new RangeError(`classCount must be a non-negative integer, got ${classCount}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (opts.classes && classCount === 0) throw new RangeError('classes given for a model without classes (classCount 0)');

  const keyRng = mulberry32(seed);
  const motionRng = mulberry32((seed ^ MOTION_STREAM) >>> 0);
  const s: LatentState = {
    dim, classCount, seed,
    z: new Float32Array(dim),
    classVec: new Float32Array(classCount),
    time: 0,
    keyRng, motionRng,
    key0: new Float64Array(dim),
    key1: new Float64Array(dim),
    keyPhase: 0,
    keyCount: 0,
    keyOmega: 0,
    keySinOmega: 0,
    base: new Float64Array(dim),
    basePrev: new Float64Array(dim),
    pulse: 0,
    velocity: new Float64Array(dim),
    offset: new Float64Array(dim),
    sign: new Int8Array(dim),
    slow: new Uint8Array(dim),
    tickFrac: 0,
    ticks: 0,
    cls: classCount > 0 ? createClassState(classCount, opts.classes) : null,
  };
  drawKeyframe(s, s.key0);
  drawKeyframe(s, s.key1);
  updateOmega(s);
  for (let d = 0; d < dim; d++) s.sign[d] = motionRng() < 0.5 ? -1 : 1;
  redrawSpeedFactors(s);
  // z before the first step: the first keyframe, no pulse, no motion (truncation 1).
  for (let d = 0; d < dim; d++) s.z[d] = s.base[d] = s.key0[d];
  return s;
}

/** A reusable input object (zero chroma). */
export function createLatentInput(): LatentInput {
  return { pulse: 0, motion: 0, chroma: new Float32Array(PITCH_CLASSES) };
}

/**
 * The pulse and motion sources from one hop of features: `pulse_percussive` / `pulse_harmonic`
 * choose `percussiveNorm` / `harmonicNorm` (their mean when both, `envelope` when neither);
 * motion the same with `motion_percussive` / `motion_harmonic`. `chroma` is the features'
 * array (not copied). Writes into `out` when given (no allocation).
 */
export function latentInputFromFeatures(f: Features, params: ParamValues, out: LatentInput = createLatentInput()): LatentInput {
  return latentInputFromStems(f, f, f, params, out);
}

/**
 * Per-stem routing: pulse, motion and class each follow their own input's features (e.g. pulse
 * from the drums, motion and class from the keys); otherwise as {@link latentInputFromFeatures}.
 */
export function latentInputFromStems(
  pulse: Features,
  motion: Features,
  cls: Features,
  params: ParamValues,
  out: LatentInput = createLatentInput(),
): LatentInput {
  out.pulse = pick(pulse, params.pulse_percussive, params.pulse_harmonic);
  out.motion = pick(motion, params.motion_percussive, params.motion_harmonic);
  out.chroma = classChroma(cls, params.class_chord_root, out);
  return out;
}

/**
 * What drives the class vector: the chroma, or with `class_chord_root` = k > 0,
 * (1 − k) × chroma + k × confidence at the chord estimate's root (into `out.mixed`, made once).
 */
function classChroma(f: Features, k: number, out: LatentInput): ArrayLike<number> {
  if (!(k > 0)) return f.chroma;
  const mixed = (out.mixed ??= new Float32Array(PITCH_CLASSES));
  for (let p = 0; p < PITCH_CLASSES; p++) mixed[p] = (1 - k) * f.chroma[p];
  if (f.chord) mixed[f.chord.root] += k * f.chord.confidence;
  return mixed;
}

/**
 * The pulse source of one hop (see {@link latentInputFromFeatures}). A frame loop keeps the
 * maximum over the hops since its last frame, so a transient shorter than a frame still kicks.
 */
export function pulseSource(f: Features, params: ParamValues): number {
  return pick(f, params.pulse_percussive, params.pulse_harmonic);
}

function pick(f: Features, percussive: boolean, harmonic: boolean): number {
  if (percussive && harmonic) return 0.5 * (f.percussiveNorm + f.harmonicNorm);
  if (percussive) return f.percussiveNorm;
  if (harmonic) return f.harmonicNorm;
  return f.envelope;
}

/**
 * Margin of the direction flip: a dimension turns up when `z − margin < −2·truncation` and down
 * when `z + margin ≥ 2·truncation`.
 *
 * @remarks Deviation: the original's margin is its per-frame step `motion_react × 20 / fps`, which
 * depends on the frame rate; here it is that step at the original's 43 fps
 * (`motion_react × 20 / 43`), capped at `truncation` so the band between the turns never
 * closes (a large `motion_react` with a small `truncation` would pin every dimension).
 */
export function flipMargin(params: ParamValues): number {
  return Math.min((params.motion_react * MOTION_SCALE) / ORIGINAL_FPS, params.truncation);
}

/**
 * One step of `dt` seconds: writes `state.z` (and `state.classVec` for models with classes).
 *
 * - Base: `truncation × interp(key0, key1, phase)`, the phase advancing by `dt × speed_fpm / 60`;
 *   a new keyframe when it passes 1 (`speed_fpm` 0 holds the image). Linear, or spherical.
 * - Pulse: `p_raw = pulse_react × pulse`; `p += (p_raw − p)(1 − e^(−dt/τ))`, τ =
 *   `pulse_decay_seconds`. Transient, not accumulated.
 * - Motion: `m_raw[d] = motion_react × 20 × motion × s[d] × r[d]` per second, `r[d]` ∈
 *   {1, 1 − `motion_randomness`} redrawn every 4 s; m follows m_raw with τ =
 *   `motion_smooth_seconds`; `offset += ∫ m dt` (exact); direction flips checked every 1 ms.
 * - `z = base + p + offset`.
 *
 * `dt` ≤ 0 or not finite counts as 0; above {@link MAX_STEP_SECONDS} it is clamped.
 */
export function latentStep(s: LatentState, input: LatentInput, params: ParamValues, dt: Seconds): void {
  const h = dt > 0 ? Math.min(dt, MAX_STEP_SECONDS) : 0;
  s.time += h;

  s.basePrev.set(s.base);
  advanceKeyframes(s, params.speed_fpm, h);
  computeBase(s, params);

  const pRaw = params.pulse_react * clamp01(input.pulse);
  const tauP = Math.max(params.pulse_decay_seconds, MIN_TAU);
  const p0 = s.pulse;
  const speed = params.motion_react * MOTION_SCALE * clamp01(input.motion);
  const tauM = Math.max(params.motion_smooth_seconds, MIN_TAU);
  const slowFactor = 1 - params.motion_randomness;
  const bound = TRUNC_LIMIT * params.truncation;
  const margin = flipMargin(params);

  let remaining = h;
  let elapsed = 0;
  while (remaining > 0) {
    const toTick = MOTION_TICK_SECONDS - s.tickFrac;
    const ticked = remaining >= toTick;
    const seg = ticked ? toTick : remaining;
    integrateMotion(s, speed, slowFactor, tauM, seg);
    remaining -= seg;
    elapsed += seg;
    if (!ticked) {
      s.tickFrac += seg;
      continue;
    }
    s.tickFrac = 0;
    s.ticks++;
    const p = pRaw + (p0 - pRaw) * Math.exp(-elapsed / tauP);
    flipDirections(s, p, h > 0 ? elapsed / h : 1, bound, margin);
    if (s.ticks % REDRAW_TICKS === 0) redrawSpeedFactors(s);
  }

  s.pulse = p0 + (pRaw - p0) * (1 - Math.exp(-h / tauP));
  const z = s.z;
  const base = s.base;
  const offset = s.offset;
  const p = s.pulse;
  for (let d = 0; d < s.dim; d++) z[d] = base[d] + p + offset[d];

  if (s.cls) classStep(s.cls, input.chroma, params, h, s.classVec);
}

function clamp01(x: number): number {
  return x > 0 ? (x < 1 ? x : 1) : 0;
}

function drawKeyframe(s: LatentState, into: Float64Array): void {
  for (let d = 0; d < s.dim; d++) into[d] = truncatedNormal(s.keyRng);
  s.keyCount++;
}

function updateOmega(s: LatentState): void {
  let dot = 0;
  let n0 = 0;
  let n1 = 0;
  for (let d = 0; d < s.dim; d++) {
    const a = s.key0[d];
    const b = s.key1[d];
    dot += a * b;
    n0 += a * a;
    n1 += b * b;
  }
  const norm = Math.sqrt(n0 * n1);
  const cos = norm > 0 ? Math.max(-1, Math.min(1, dot / norm)) : 1;
  s.keyOmega = Math.acos(cos);
  s.keySinOmega = Math.sin(s.keyOmega);
}

/** Advances the keyframe clock; passing 1 makes key1 the new key0 and draws a new key1. */
function advanceKeyframes(s: LatentState, speedFpm: number, h: Seconds): void {
  if (!(speedFpm > 0)) return;
  s.keyPhase += (h * speedFpm) / 60;
  while (s.keyPhase >= 1) {
    s.keyPhase -= 1;
    nextKeyframe(s);
  }
}

function nextKeyframe(s: LatentState): void {
  const old = s.key0;
  s.key0 = s.key1;
  s.key1 = old;
  drawKeyframe(s, s.key1);
  updateOmega(s);
}

/**
 * The `keyframe` trigger: a cut to the keyframe ahead (it becomes the one behind, phase 0, and a
 * new one is drawn ahead). Takes effect at the next {@link latentStep}.
 */
export function jumpKeyframe(s: LatentState): void {
  s.keyPhase = 0;
  nextKeyframe(s);
}

function computeBase(s: LatentState, params: ParamValues): void {
  const t = s.keyPhase;
  let w0 = 1 - t;
  let w1 = t;
  if (params.interpolation === 'spherical' && s.keySinOmega > MIN_SIN_OMEGA) {
    w0 = Math.sin((1 - t) * s.keyOmega) / s.keySinOmega;
    w1 = Math.sin(t * s.keyOmega) / s.keySinOmega;
  }
  const trunc = params.truncation;
  const k0 = s.key0;
  const k1 = s.key1;
  const base = s.base;
  for (let d = 0; d < s.dim; d++) base[d] = trunc * (w0 * k0[d] + w1 * k1[d]);
}

/** Exact solution over `seg` seconds of m' = (m_raw − m)/τ, offset' = m, m_raw held. */
function integrateMotion(s: LatentState, speed: number, slowFactor: number, tau: Seconds, seg: Seconds): void {
  const e = Math.exp(-seg / tau);
  const g = tau * (1 - e);
  const vel = s.velocity;
  const off = s.offset;
  const sign = s.sign;
  const slow = s.slow;
  for (let d = 0; d < s.dim; d++) {
    const mRaw = speed * sign[d] * (slow[d] === 1 ? slowFactor : 1);
    const m0 = vel[d];
    vel[d] = mRaw + (m0 - mRaw) * e;
    off[d] += mRaw * seg + (m0 - mRaw) * g;
  }
}

/** Flip check at fraction `w` of the step (the base interpolated between the step's ends). */
function flipDirections(s: LatentState, p: number, w: number, bound: number, margin: number): void {
  const base = s.base;
  const prev = s.basePrev;
  const off = s.offset;
  const sign = s.sign;
  for (let d = 0; d < s.dim; d++) {
    const z = prev[d] + (base[d] - prev[d]) * w + p + off[d];
    if (z - margin < -bound) sign[d] = 1;
    else if (z + margin >= bound) sign[d] = -1;
  }
}

function redrawSpeedFactors(s: LatentState): void {
  for (let d = 0; d < s.dim; d++) s.slow[d] = s.motionRng() < 0.5 ? 1 : 0;
}
