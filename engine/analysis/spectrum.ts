import type { Frames, Hz, Seconds } from '../units.js';
import { createRealFft, type RealFft } from './realFft.js';
import { f64In, i32In, kernelBytes, type KernelExports } from './kernels.js';

/** Parameters of the short-time spectrum shared by onsets, bands and the percussive/harmonic split. */
export interface SpectrumParams {
  /** Analysis window length; rounded to samples, zero-padded to the next power of two. */
  frameSeconds: Seconds;
  /** Log-spaced filterbank: lowest and highest edge. */
  minHz: Hz;
  maxHz: Hz;
  /** Filterbank resolution; bands narrower than one FFT bin are merged. */
  bandsPerOctave: number;
}

export const defaultSpectrumParams: SpectrumParams = {
  frameSeconds: 1024 / 48000,
  minHz: 30,
  maxHz: 16000,
  bandsPerOctave: 24,
};

/**
 * Preallocated state of the short-time spectrum: a sliding window of the newest samples, its
 * FFT, the magnitude spectrum and a log-spaced triangular filterbank over it.
 */
export interface SpectrumState {
  readonly sampleRate: Hz;
  readonly fftSize: number;
  readonly windowLength: Frames;
  /** The newest `windowLength` samples (zeros before the first hop), a ring: the oldest at `framePos`. */
  readonly frame: Float64Array;
  framePos: number;
  readonly window: Float64Array;
  /** The transform; its input is the windowed, zero-padded frame, its magnitudes {@link SpectrumState.magnitude}. */
  readonly fft: RealFft;
  /** |X_k| for k = 0..fftSize/2, scaled so a full-scale sine's peak bin reads 1. */
  readonly magnitude: Float64Array;
  /** Scale from |X_k| to `magnitude` (2 / Σ window). */
  readonly magnitudeScale: number;
  /** Scale from `magnitude²` summed over bins to the frame's (window-weighted) mean square. */
  readonly powerScale: number;
  /** Filterbank: for band b, bins binStart[b]..binEnd[b]-1 with weights at weightOffset[b]. */
  readonly binStart: Int32Array;
  readonly binEnd: Int32Array;
  readonly weightOffset: Int32Array;
  readonly weights: Float64Array;
  /** Linear filterbank magnitudes of the newest frame. */
  readonly bandMag: Float64Array;
  readonly bandCount: number;
  /** Centre frequency of each band. */
  readonly bandHz: Float64Array;
  /** The framing and the filterbank in the transform's SIMD kernel instance (byte offsets of the arrays above there); null: in JavaScript. */
  readonly kernel: SpectrumKernel | null;
}

interface SpectrumKernel {
  readonly run: KernelExports;
  readonly frame: number;
  readonly window: number;
  readonly input: number;
  readonly magnitude: number;
  readonly binStart: number;
  readonly binEnd: number;
  readonly weightOffset: number;
  readonly weights: number;
  readonly bandMag: number;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** A periodic-offset Hann window of `length` samples: 0.5 − 0.5·cos(2π(n + ½)/length). */
export function hann(length: number): Float64Array {
  const window = new Float64Array(length);
  for (let n = 0; n < length; n++) window[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (n + 0.5)) / length);
  return window;
}

/** Builds the spectrum state for a sample rate; `simd`: the transform in the WebAssembly SIMD kernels where they run (realFft.ts; the same bits either way). */
export function createSpectrumState(sampleRate: Hz, params: SpectrumParams = defaultSpectrumParams, simd = true): SpectrumState {
  const windowLength = Math.max(16, Math.round(params.frameSeconds * sampleRate));
  const fftSize = Math.max(16, nextPow2(windowLength));
  const window = hann(windowLength);
  let sum = 0;
  let sumSq = 0;
  for (const w of window) {
    sum += w;
    sumSq += w * w;
  }
  const magnitudeScale = 2 / sum;
  const bank = logFilterbank(sampleRate, fftSize, params);
  const count = bank.bandHz.length;
  // The frame, the window, the filterbank and its output sit in the transform's kernel instance, where it has one.
  const fft = createRealFft(fftSize, simd, kernelBytes([windowLength, windowLength, bank.weights.length, count, count, count, count]));
  const k = fft.kernels;
  const frame = f64In(k, windowLength);
  const win = f64In(k, window);
  const weights = f64In(k, bank.weights);
  const binStart = i32In(k, bank.binStart);
  const binEnd = i32In(k, bank.binEnd);
  const weightOffset = i32In(k, bank.weightOffset);
  const bandMag = f64In(k, count);
  const kernel = k === null ? null : {
    run: k.exports, frame: frame.ptr, window: win.ptr, input: fft.inputPtr, magnitude: fft.magnitudePtr,
    binStart: binStart.ptr, binEnd: binEnd.ptr, weightOffset: weightOffset.ptr, weights: weights.ptr, bandMag: bandMag.ptr,
  };
  return {
    sampleRate, fftSize, windowLength,
    frame: frame.view, framePos: 0,
    window: win.view,
    fft,
    magnitude: fft.magnitude,
    magnitudeScale,
    powerScale: 2 / (fftSize * sumSq * magnitudeScale * magnitudeScale),
    binStart: binStart.view, binEnd: binEnd.view, weightOffset: weightOffset.view, weights: weights.view,
    bandMag: bandMag.view,
    bandCount: count,
    bandHz: bank.bandHz,
    kernel,
  };
}

/**
 * Triangular filters with centres log-spaced at `bandsPerOctave`, snapped to FFT bins; filters
 * whose snapped centres coincide are merged (as SuperFlux does at low frequencies).
 */
function logFilterbank(sampleRate: Hz, fftSize: number, p: SpectrumParams) {
  const binHz = sampleRate / fftSize;
  const maxHz = Math.min(p.maxHz, sampleRate / 2);
  const centres: number[] = [];
  for (let f = p.minHz; f <= maxHz; f *= 2 ** (1 / p.bandsPerOctave)) {
    const bin = Math.round(f / binHz);
    if (bin >= 1 && bin < fftSize / 2 && bin !== centres[centres.length - 1]) centres.push(bin);
  }
  const count = centres.length - 2;
  const binStart = new Int32Array(count);
  const binEnd = new Int32Array(count);
  const weightOffset = new Int32Array(count);
  const bandHz = new Float64Array(count);
  const w: number[] = [];
  for (let b = 0; b < count; b++) {
    const lo = centres[b], mid = centres[b + 1], hi = centres[b + 2];
    binStart[b] = lo;
    binEnd[b] = hi;
    weightOffset[b] = w.length;
    bandHz[b] = mid * binHz;
    let sum = 0;
    const start = w.length;
    for (let k = lo; k < hi; k++) {
      const v = k <= mid ? (k - lo + 1) / (mid - lo + 1) : (hi - k + 1) / (hi - mid + 1);
      w.push(v);
      sum += v;
    }
    for (let i = start; i < w.length; i++) w[i] /= sum;
  }
  return { binStart, binEnd, weightOffset, weights: Float64Array.from(w), bandHz };
}

/**
 * Slides `hop` into the window, transforms, and fills `magnitude` and `bandMag`. No allocation.
 */
export function spectrumStep(hop: Float32Array, s: SpectrumState): void {
  const { frame, windowLength, window } = s;
  const h = Math.min(hop.length, windowLength);
  // The hop over the oldest samples of the ring (in two runs where it wraps); the oldest is then where it ended.
  const pos0 = s.framePos;
  const skip = hop.length - h;
  const first = Math.min(h, windowLength - pos0);
  for (let i = 0; i < first; i++) frame[pos0 + i] = hop[skip + i];
  for (let i = first; i < h; i++) frame[i - first] = hop[skip + i];
  const pos = pos0 + h >= windowLength ? pos0 + h - windowLength : pos0 + h;
  s.framePos = pos;
  const k = s.kernel;
  if (k !== null) {
    k.run.windowRing(k.frame, windowLength, pos, k.window, k.input);
    s.fft.transform(s.magnitudeScale);
    k.run.bandSums(k.magnitude, k.binStart, k.binEnd, k.weightOffset, k.weights, s.bandCount, k.bandMag);
    return;
  }
  const windowed = s.fft.input;
  const split = windowLength - pos;
  for (let n = 0; n < split; n++) windowed[n] = frame[pos + n] * window[n];
  for (let n = split; n < windowLength; n++) windowed[n] = frame[n - split] * window[n];
  s.fft.transform(s.magnitudeScale);
  const { binStart, binEnd, weightOffset, weights, bandMag, magnitude } = s;
  for (let b = 0; b < s.bandCount; b++) {
    let acc = 0;
    let wi = weightOffset[b];
    for (let k = binStart[b]; k < binEnd[b]; k++) acc += weights[wi++] * magnitude[k];
    bandMag[b] = acc;
  }
}

/** Mean power (Parseval-scaled) of bins whose frequency lies in [loHz, hiHz). */
export function bandPower(s: SpectrumState, loHz: Hz, hiHz: Hz): number {
  const binHz = s.sampleRate / s.fftSize;
  const k0 = Math.max(1, Math.ceil(loHz / binHz));
  const k1 = Math.min(s.fftSize / 2, Math.ceil(hiHz / binHz));
  let acc = 0;
  for (let k = k0; k < k1; k++) acc += s.magnitude[k] * s.magnitude[k];
  return acc * s.powerScale;
}
