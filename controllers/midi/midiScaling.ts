/**
 * MIDI scaling: a continuous control's position 0..1 → a parameter command, and back (a
 * parameter value → the position a knob or fader would show), through a mapping's curve,
 * invert and range. Pure functions; the controller and the feedback share them.
 */
import type { SetParam, SetParamNorm } from '../commands.js';
import { normFromValue } from '../../engine/params/ParamStore.js';
import { PARAMS, type ParamSpec } from '../../engine/params/registry.js';
import type { CcMapping, MappingCurve, PitchMapping } from './MidiMapping.js';

/** A mapping of a continuous control (CC, 14-bit CC, pitch bend). */
export type ScaledMapping = CcMapping | PitchMapping;

/** Largest 14-bit value (pitch bend, 14-bit CC pairs). */
export const MAX_14BIT = 16383;

/** Steepness of the mapping curves (the registry's own curves use the same). */
const K = 4;
const EK = Math.expm1(K);

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/** Shapes a position 0..1: `exponential` (e^{4p}−1)/(e^4−1), fine at the bottom;
 *  `logarithmic` its inverse, fine at the top. */
export function shape(curve: MappingCurve, p: number): number {
  if (curve === 'exponential') return Math.expm1(K * p) / EK;
  if (curve === 'logarithmic') return Math.log1p(p * EK) / K;
  return p;
}

/** The inverse of {@link shape}. */
export function unshape(curve: MappingCurve, s: number): number {
  if (curve === 'exponential') return Math.log1p(s * EK) / K;
  if (curve === 'logarithmic') return Math.expm1(K * s) / EK;
  return s;
}

/** The 14-bit value of an MSB/LSB pair. */
export function combine14(msb: number, lsb: number): number {
  return (msb << 7) | lsb;
}

/**
 * A control position 0..1 → the command for the mapped parameter: with a `range` (numbers
 * only) the value in the parameter's units, clamped by the hub; otherwise a normalised value
 * through the registry's own curve over the parameter's whole range.
 */
export function commandFromPosition(m: ScaledMapping, position: number): SetParam | SetParamNorm {
  const p = clamp01(m.invert ? 1 - position : position);
  const s = clamp01(shape(m.curve, p));
  const spec: ParamSpec = PARAMS[m.param];
  if (m.range && spec.kind === 'num') {
    const [lo, hi] = m.range;
    return { type: 'set', id: m.param, value: lo + s * (hi - lo), clamp: true };
  }
  return { type: 'setNorm', id: m.param, norm: s };
}

/** The control position 0..1 that would produce `value` (the inverse of {@link commandFromPosition}). */
export function positionFromValue(m: ScaledMapping, value: unknown): number {
  const spec: ParamSpec = PARAMS[m.param];
  let s: number;
  if (m.range && spec.kind === 'num') {
    const [lo, hi] = m.range;
    s = hi === lo ? 0 : clamp01(((value as number) - lo) / (hi - lo));
  } else {
    s = clamp01(normFromValue(m.param, value));
  }
  const p = clamp01(unshape(m.curve, s));
  return m.invert ? 1 - p : p;
}

/** Whether soft takeover applies: only numbers are continuous (a switch or a choice mapped to
 *  a CC must follow a button at once). */
export function isContinuous(m: ScaledMapping): boolean {
  return PARAMS[m.param].kind === 'num';
}
