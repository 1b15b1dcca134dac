/**
 * Effects as data: each one declares its stage in the chain, when it is active, its inputs
 * (where each value comes from: a registry parameter, an audio feature, a statistic of the
 * generated frame, or the clock), its GLSL for the live renderer, and a CPU version of the same
 * formula for the offline render, so a rendered video looks like the show.
 */
import type { Features } from '../engine/analysis/Features.js';
import type { ParamId, ParamValues } from '../engine/params/registry.js';
import type { Seconds } from '../engine/units.js';

/** Statistics of the generated frame that effects may use. */
export interface FrameStats {
  /** Mean luma (Rec. 601, 0..1) of the generated frame. */
  meanGrey: number;
}

/** Audio features an effect may follow (normalised, 0..1; `beatPhase` is 0 at a beat). */
export type FeatureId = 'percussiveNorm' | 'harmonicNorm' | 'envelope' | 'onsetStrengthNorm' | 'beatPhase';

/** Values the renderer itself provides: `time` is `u_time`, the output clock in seconds. */
export type GlobalId = 'time';

export interface EffectInput {
  name: string;
  type: 'float';
  default: number;
  /** Bound to a registry parameter. */
  param?: ParamId;
  /** Bound to an audio feature. */
  feature?: FeatureId;
  /** Bound to a statistic of the generated frame. */
  frame?: keyof FrameStats;
  /** Provided by the renderer (`u_time`): not an effect uniform, the GLSL reads `u_<global>`. */
  global?: GlobalId;
}

/**
 * Where an effect sits in the chain, and the GLSL signature of its function `NAME`:
 * - `uv`: `vec2 NAME(vec2 uv)` maps the lookup coordinate (applied in chain order);
 * - `sample`: `vec3 NAME(vec2 uv)` reads the frame, calling `source(vec2)` as often as it likes
 *   (at most one per chain; without one the chain reads `source(uv)`);
 * - `color`: `vec3 NAME(vec3 c, vec2 uv)` on colours in 0..1, `uv` the output coordinate 0..1;
 * - `feedback`: `vec3 NAME(vec3 c, vec3 prev, vec2 uv)`, `prev` the previous output at this pixel.
 */
export type EffectStage = 'uv' | 'sample' | 'color' | 'feedback';

/** Input values of one effect by input name (see {@link effectUniforms}). */
export type Uniforms = Readonly<Record<string, number>>;

/** An RGBA8 image, rows top first. */
export interface CpuImage {
  data: Uint8Array;
  width: number;
  height: number;
}

interface EffectBase<S extends EffectStage> {
  /** A GLSL identifier: the name of the effect's function and the prefix of its uniforms. */
  name: string;
  stage: S;
  inputs: readonly EffectInput[];
  /** Whether the effect is in the chain for these parameter values. */
  active(params: ParamValues): boolean;
  /**
   * GLSL (ES 1.00) defining the stage's function `<name>` (and helpers prefixed `<name>_`). The
   * compile step declares the inputs as `uniform float u_<effect>_<input>;`.
   */
  glsl: string;
}

export interface UvEffect extends EffectBase<'uv'> {
  /** The same map on the CPU: `uv` holds interleaved (u, v) lookup coordinates, mapped in place. */
  cpu(uv: Float32Array, u: Uniforms): void;
}

export interface SampleEffect extends EffectBase<'sample'> {
  /** The same read on the CPU: for each pixel i, samples `src` around (uv[2i], uv[2i+1]) into RGB of `dst`. */
  cpu(uv: Float32Array, src: CpuImage, dst: Uint8Array, u: Uniforms): void;
}

export interface ColorEffect extends EffectBase<'color'> {
  /** The same formula on the RGB of an RGBA8 frame, in place. */
  cpu(rgba: Uint8Array, width: number, height: number, u: Uniforms): void;
}

export interface FeedbackEffect extends EffectBase<'feedback'> {
  /** The same formula on the RGB of an RGBA8 frame, in place, against the previous output `prev`. */
  cpu(rgba: Uint8Array, prev: Uint8Array, width: number, height: number, u: Uniforms): void;
}

export type Effect = UvEffect | SampleEffect | ColorEffect | FeedbackEffect;

/** The GLSL uniform of an effect input: `u_<effect>_<input>`. */
export function uniformName(effect: string, input: string): string {
  return `u_${effect}_${input}`;
}

/** The value of every input of `effect` from the current parameters, features, frame and time. */
export function effectUniforms(effect: Effect, params: ParamValues, features: Features, frame: FrameStats, time: Seconds = 0): Record<string, number> {
  const u: Record<string, number> = {};
  for (const i of effect.inputs) {
    const v = i.param ? params[i.param] : i.feature ? features[i.feature] : i.frame ? frame[i.frame] : i.global === 'time' ? time : i.default;
    u[i.name] = typeof v === 'number' && Number.isFinite(v) ? v : i.default;
  }
  return u;
}

/** Mean luma (Rec. 601) of an RGBA8 frame, 0..1. */
export function frameStats(rgba: Uint8Array): FrameStats {
  let sum = 0;
  for (let i = 0; i < rgba.length; i += 4) sum += 0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2];
  return { meanGrey: sum / (rgba.length / 4) / 255 };
}

/**
 * Applies a per-channel tone map `f` (0..255 → any, clamped and rounded) to R, G and B in place.
 *
 * @remarks Through a 256-entry table: one lookup per byte instead of the float formula, ≈ 4×
 * faster on a 512² frame.
 */
export function applyToneMap(rgba: Uint8Array, f: (v: number) => number): void {
  const lut = new Uint8ClampedArray(256);
  for (let v = 0; v < 256; v++) lut[v] = f(v);
  for (let i = 0; i < rgba.length; i += 4) {
    rgba[i] = lut[rgba[i]];
    rgba[i + 1] = lut[rgba[i + 1]];
    rgba[i + 2] = lut[rgba[i + 2]];
  }
}

/**
 * A clamping, rounding view of the same bytes: writing a float stores it as the GPU would
 * (clamped to 0..255, rounded to nearest).
 */
export function clampedView(rgba: Uint8Array): Uint8ClampedArray {
  return new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length);
}
