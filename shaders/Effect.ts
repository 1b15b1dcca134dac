/**
 * Effects as data: each one declares its uniforms (where each value comes from: a registry
 * parameter, an audio feature, or a statistic of the generated frame), its GLSL for the live
 * renderer, and a CPU version of the same formula for the offline render, so a rendered video
 * looks like the show.
 */
import type { Features } from '../engine/analysis/Features.js';
import type { ParamId, ParamValues } from '../engine/params/registry.js';

/** Statistics of the generated frame that effects may use. */
export interface FrameStats {
  /** Mean luma (Rec. 601, 0..1) of the generated frame. */
  meanGrey: number;
}

/** Audio features an effect may follow (normalised, 0..1). */
export type FeatureId = 'percussiveNorm' | 'harmonicNorm' | 'envelope' | 'onsetStrengthNorm';

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
}

export interface Effect {
  name: string;
  inputs: readonly EffectInput[];
  /**
   * GLSL (ES 1.00) defining `vec3 <name>(vec3 c)` on colours in 0..1; inputs are uniforms named
   * `u_<effect>_<input>`.
   */
  glsl: string;
  /** The same formula on RGBA8 in place (the offline render); `u` holds the input values by name. */
  cpu(rgba: Uint8Array, u: Readonly<Record<string, number>>): void;
}

/** The value of every input of `effect` from the current parameters, features and frame. */
export function effectUniforms(effect: Effect, params: ParamValues, features: Features, frame: FrameStats): Record<string, number> {
  const u: Record<string, number> = {};
  for (const i of effect.inputs) {
    const v = i.param ? params[i.param] : i.feature ? features[i.feature] : i.frame ? frame[i.frame] : i.default;
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
