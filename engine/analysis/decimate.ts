import type { Hz } from '../units.js';

/**
 * A causal decimator into a ring buffer: a 6th-order Butterworth low-pass (three biquads) run at
 * the input rate, then every `factor`-th sample kept. All buffers are allocated once by
 * {@link createDecimatorState}; {@link decimateStep} does not allocate.
 *
 * @remarks
 * An IIR low-pass is the cheapest causal anti-alias filter here (about 15 multiplies per input
 * sample). Its stopband is modest (about 30 dB one octave above the cutoff), which is acceptable
 * for the chroma path: what aliases lands mostly near the top of the kept band, where the chroma
 * weighting is small, and music has little energy that high.
 */
export interface DecimatorState {
  /** Input sample rate. */
  readonly inputRate: Hz;
  /** Kept one sample in `factor`. */
  readonly factor: number;
  /** Output sample rate (`inputRate / factor`). */
  readonly outputRate: Hz;
  /** Biquad coefficients, 5 per section: b0, b1, b2, a1, a2 (a0 normalised to 1). */
  readonly coeffs: Float64Array;
  /** Transposed direct form II state, 2 per section. */
  readonly z: Float64Array;
  /** Input samples since the last kept one. */
  phase: number;
  /** Ring buffer of output samples (length a power of two). */
  readonly ring: Float32Array;
  /** Total number of output samples written; the newest is at `(written - 1) & (ring.length - 1)`. */
  written: number;
}

/** Number of biquad sections (filter order / 2). */
const SECTIONS = 3;

/**
 * Picks the largest power-of-two factor that keeps `maxHz` below the output Nyquist rate with
 * a margin of 10 % (so the low-pass can sit at `maxHz`).
 */
export function decimationFactor(inputRate: Hz, maxHz: Hz): number {
  let factor = 1;
  while (inputRate / (factor * 2) >= 2.2 * maxHz) factor *= 2;
  return factor;
}

/**
 * Allocates a decimator.
 * @param inputRate - input sample rate.
 * @param factor - decimation factor (1 = no decimation, the filter still runs).
 * @param cutoffHz - low-pass cutoff (−3 dB), below `inputRate / (2 * factor)`.
 * @param ringLength - minimum ring length in output samples (rounded up to a power of two).
 * @param ringIn - where the ring goes (a SIMD kernel instance's memory), given that length by {@link ringSize}; a new array when left out.
 */
export function createDecimatorState(inputRate: Hz, factor: number, cutoffHz: Hz, ringLength: number, ringIn?: (length: number) => Float32Array): DecimatorState {
  if (!(inputRate > 0) || !(factor >= 1) || !Number.isInteger(factor)) {
    throw new RangeError(`decimator: bad rate ${inputRate} or factor ${factor}`);
  }
  const nyquist = inputRate / 2;
  const fc = Math.min(Math.max(cutoffHz, 1), 0.98 * nyquist);
  const coeffs = new Float64Array(5 * SECTIONS);
  const w0 = (2 * Math.PI * fc) / inputRate;
  const cosw = Math.cos(w0);
  const sinw = Math.sin(w0);
  for (let s = 0; s < SECTIONS; s++) {
    // Butterworth pole pair s of an order-2·SECTIONS filter, as an RBJ low-pass biquad.
    const q = 1 / (2 * Math.cos((Math.PI * (2 * s + 1)) / (4 * SECTIONS)));
    const alpha = sinw / (2 * q);
    const a0 = 1 + alpha;
    coeffs[5 * s] = (1 - cosw) / 2 / a0;
    coeffs[5 * s + 1] = (1 - cosw) / a0;
    coeffs[5 * s + 2] = (1 - cosw) / 2 / a0;
    coeffs[5 * s + 3] = (-2 * cosw) / a0;
    coeffs[5 * s + 4] = (1 - alpha) / a0;
  }
  const len = ringSize(ringLength);
  return {
    inputRate, factor, outputRate: inputRate / factor, coeffs,
    z: new Float64Array(2 * SECTIONS), phase: 0,
    ring: ringIn?.(len) ?? new Float32Array(len), written: 0,
  };
}

/** The ring's length for at least `ringLength` samples: the next power of two. */
export function ringSize(ringLength: number): number {
  let len = 1;
  while (len < ringLength) len *= 2;
  return len;
}

/** Filters `input[from..to)` (all of it by default) and appends every `factor`-th filtered sample to the ring. No allocation. */
export function decimateStep(input: Float32Array, state: DecimatorState, from = 0, to = input.length): void {
  const c = state.coeffs;
  const z = state.z;
  const ring = state.ring;
  const mask = ring.length - 1;
  const factor = state.factor;
  const b00 = c[0], b01 = c[1], b02 = c[2], a01 = c[3], a02 = c[4];
  const b10 = c[5], b11 = c[6], b12 = c[7], a11 = c[8], a12 = c[9];
  const b20 = c[10], b21 = c[11], b22 = c[12], a21 = c[13], a22 = c[14];
  let z00 = z[0], z01 = z[1], z10 = z[2], z11 = z[3], z20 = z[4], z21 = z[5];
  let phase = state.phase;
  let written = state.written;
  for (let i = from; i < to; i++) {
    let x = input[i];
    // Non-finite or absurd input must not poison the filter state: NaN → 0, clamp to ±16.
    if (!(x >= -16 && x <= 16)) x = x > 16 ? 16 : x < -16 ? -16 : 0;
    const y0 = b00 * x + z00;
    z00 = b01 * x - a01 * y0 + z01;
    z01 = b02 * x - a02 * y0;
    const y1 = b10 * y0 + z10;
    z10 = b11 * y0 - a11 * y1 + z11;
    z11 = b12 * y0 - a12 * y1;
    const y2 = b20 * y1 + z20;
    z20 = b21 * y1 - a21 * y2 + z21;
    z21 = b22 * y1 - a22 * y2;
    if (++phase >= factor) {
      phase = 0;
      ring[written & mask] = y2;
      written++;
    }
  }
  // Flush tiny values so a long silence does not leave the state in (slow) denormals.
  z[0] = flush(z00); z[1] = flush(z01); z[2] = flush(z10); z[3] = flush(z11); z[4] = flush(z20); z[5] = flush(z21);
  state.phase = phase;
  state.written = written;
}

function flush(v: number): number {
  return v > 1e-25 || v < -1e-25 ? v : 0;
}
