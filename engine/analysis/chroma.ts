import FFT from 'fft.js';
import type { Db, Hz, Seconds } from '../units.js';
import { createDecimatorState, decimateStep, decimationFactor, type DecimatorState } from './decimate.js';

/**
 * Parameters of the causal chroma (12 pitch classes) analysis. Everything is in seconds, hertz or
 * decibels, so the result does not depend on the sample rate or the hop size.
 *
 * `windowSeconds`, `maxHz` and `minHz` size the buffers and are read by
 * {@link createChromaState} only; the others are read on every {@link chromaStep}.
 */
export interface ChromaParams {
  /** Length of the analysis window (Hann). Longer resolves low notes better but reacts slower. Range 0.1–0.6. */
  windowSeconds: Seconds;
  /** How often the long FFT runs (rounded to whole hops). The main CPU knob. Range 0.01–0.2. */
  updateSeconds: Seconds;
  /** Lowest partial frequency counted (fades in over the octave above). Range 20–200. */
  minHz: Hz;
  /** Highest partial frequency counted (fades out over the two octaves below). Sets the decimation. Range 1000–8000. */
  maxHz: Hz;
  /** Time constant of the leaky average of the output chroma. Range 0–2. */
  smoothSeconds: Seconds;
  /** Time constant of the tuning (reference pitch) estimate. Range 0.5–60. */
  tuningSeconds: Seconds;
  /** Gate: when the mean-square level in [minHz, maxHz] over the window is below this, the chroma is all 0. */
  silenceDb: Db;
  /** Spectral peaks weaker than the strongest one by more than this are ignored. Range 20–80. */
  peakThresholdDb: Db;
  /** Peak weight = amplitude ^ this (1 = linear magnitude, smaller compresses). Range 0.2–2. */
  magnitudeExponent: number;
  /**
   * Fraction of weight removed from a peak explained as the 3rd, 5th, 6th, 7th, 9th or 10th
   * harmonic of a lower peak (and not as an octave of a kept one). Range 0–1.
   */
  harmonicSuppression: number;
}

/** Defaults for {@link ChromaParams}, tuned on the evaluation's chord set (`bench/eval/tune.ts --chroma`). */
export const defaultChromaParams: ChromaParams = {
  windowSeconds: 0.3,
  updateSeconds: 0.04,
  minHz: 50,
  maxHz: 5000,
  smoothSeconds: 0.08,
  tuningSeconds: 5,
  silenceDb: -60,
  peakThresholdDb: 50,
  magnitudeExponent: 0.5,
  harmonicSuppression: 0.6,
};

/** Most spectral peaks kept per update (the lowest ones win when there are more). */
const MAX_PEAKS = 160;
/** Harmonic numbers whose pitch class differs from the fundamental's, checked for suppression. */
const ODD_HARMONICS = [3, 5, 6, 7, 9, 10] as const;
/** Frequency tolerance when matching a peak to a harmonic of a lower one (covers piano inharmonicity). */
const HARMONIC_TOLERANCE_CENTS = 35;
/** A lower peak explains a harmonic only if it is at least this fraction of the harmonic's amplitude. */
const FUNDAMENTAL_MIN_RATIO = 0.05;

/** State of the chroma analysis; all buffers are allocated here, once. */
export interface ChromaState {
  /** 12 pitch classes C..B, scaled so the strongest is 1; all 0 in silence. Written in place. */
  readonly chroma: Float32Array;
  /**
   * Running estimate of the reference-pitch offset from A4 = 440 Hz, in cents, in (−50, 50]:
   * positive when the music is sharp (452 Hz gives about +47).
   */
  tuningCents: number;
  readonly sampleRate: Hz;
  readonly hopFrames: number;
  /** Anti-alias filter, decimation and ring buffer of the decimated signal. */
  readonly decimator: DecimatorState;
  /** Window length in decimated samples. */
  readonly windowLength: number;
  /** FFT size (power of two ≥ windowLength; the rest is zero padding). */
  readonly fftSize: number;
  readonly fft: FFT;
  /** Hann window of windowLength. */
  readonly window: Float64Array;
  readonly fftIn: Float64Array;
  readonly fftOut: Float64Array;
  /** Power spectrum, fftSize / 2 + 1 bins. */
  readonly power: Float64Array;
  readonly peakHz: Float64Array;
  readonly peakAmp: Float64Array;
  readonly peakMidi: Float64Array;
  /** 1 where the peak was taken as an upper harmonic of a lower one. */
  readonly peakHarmonic: Uint8Array;
  /** This update's chroma before smoothing. */
  readonly raw: Float64Array;
  /** Smoothed (unnormalised) chroma. */
  readonly smooth: Float64Array;
  /** Leaky circular mean of the peaks' deviations from the semitone grid. */
  tuningCos: number;
  tuningSin: number;
  /** Decimated samples written since the last update. */
  sinceUpdate: number;
}

/**
 * Allocates the chroma state for a stream at `sampleRate` analysed in hops of `hopFrames`.
 * @param params - only `windowSeconds`, `minHz` and `maxHz` are read here.
 */
export function createChromaState(sampleRate: number, hopFrames: number, params: Partial<ChromaParams> = {}): ChromaState {
  const p = { ...defaultChromaParams, ...params };
  const factor = decimationFactor(sampleRate, p.maxHz);
  const outputRate = sampleRate / factor;
  const windowLength = Math.max(64, Math.round(p.windowSeconds * outputRate));
  let fftSize = 64;
  while (fftSize < windowLength) fftSize *= 2;
  const decimator = createDecimatorState(sampleRate, factor, Math.min(p.maxHz * 1.05, 0.45 * outputRate), fftSize);
  const window = new Float64Array(windowLength);
  for (let i = 0; i < windowLength; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / windowLength);
  return {
    chroma: new Float32Array(12),
    tuningCents: 0,
    sampleRate, hopFrames, decimator, windowLength, fftSize,
    fft: new FFT(fftSize),
    window,
    fftIn: new Float64Array(fftSize),
    fftOut: new Float64Array(2 * fftSize),
    power: new Float64Array(fftSize / 2 + 1),
    peakHz: new Float64Array(MAX_PEAKS),
    peakAmp: new Float64Array(MAX_PEAKS),
    peakMidi: new Float64Array(MAX_PEAKS),
    peakHarmonic: new Uint8Array(MAX_PEAKS),
    raw: new Float64Array(12),
    smooth: new Float64Array(12),
    tuningCos: 0, tuningSin: 0, sinceUpdate: 0,
  };
}

/**
 * Called once per analysis hop with that hop's mono samples; updates `state.chroma` and
 * `state.tuningCents` in place. No allocation.
 *
 * @remarks
 * The signal is low-passed and decimated to about 2.4 × maxHz into a ring; every
 * `updateSeconds` a Hann-windowed FFT of the newest `windowSeconds` is taken, its spectral peaks
 * are located to a fraction of a bin (parabola on log power), mapped to pitch, corrected by the
 * tuning estimate and added to their pitch class. Peaks that look like non-octave harmonics of a
 * lower peak are damped, which removes most of the major third that a minor chord's root
 * contributes through its 5th harmonic. Cost is dominated by the FFT, amortised over the hops of
 * one update.
 */
export function chromaStep(hop: Float32Array, state: ChromaState, params: ChromaParams): void {
  const dec = state.decimator;
  const before = dec.written;
  decimateStep(hop, dec);
  state.sinceUpdate += dec.written - before;
  const updateSamples = Math.max(1, Math.round(params.updateSeconds * dec.outputRate));
  if (state.sinceUpdate < updateSamples) return;
  const dt = state.sinceUpdate / dec.outputRate;
  state.sinceUpdate = 0;
  analyse(state, params, dt);
}

/** One long-FFT update: spectrum → peaks → pitch classes → smoothing. */
function analyse(state: ChromaState, params: ChromaParams, dt: Seconds): void {
  const { fftIn, fftOut, power, window, windowLength, fftSize } = state;
  const dec = state.decimator;
  const ring = dec.ring;
  const mask = ring.length - 1;
  const start = dec.written - windowLength;
  let wSum = 0;
  let wSq = 0;
  for (let i = 0; i < windowLength; i++) {
    const w = window[i];
    fftIn[i] = ring[(start + i) & mask] * w;
    wSum += w;
    wSq += w * w;
  }
  state.fft.realTransform(fftOut, fftIn);

  const binHz = dec.outputRate / fftSize;
  const half = fftSize / 2;
  const kLo = Math.max(2, Math.ceil(params.minHz / binHz));
  const kHi = Math.min(half - 2, Math.floor(Math.min(params.maxHz, 0.48 * dec.outputRate) / binHz));
  let bandSum = 0;
  let maxPow = 0;
  for (let k = kLo - 1; k <= kHi + 1; k++) {
    const re = fftOut[2 * k];
    const im = fftOut[2 * k + 1];
    const p = re * re + im * im;
    power[k] = p;
    if (k >= kLo && k <= kHi) {
      bandSum += p;
      if (p > maxPow) maxPow = p;
    }
  }
  // Parseval: mean square of the band-limited, windowed signal, relative to full scale.
  const bandMs = (2 * bandSum) / (fftSize * wSq);
  if (!(bandMs > 0) || 10 * Math.log10(bandMs) < params.silenceDb) {
    silence(state);
    return;
  }

  const nPeaks = findPeaks(state, kLo, kHi, maxPow * Math.pow(10, -params.peakThresholdDb / 10), binHz, wSum / 2);
  markHarmonics(state, nPeaks);
  accumulate(state, params, nPeaks, dt);
}

function silence(state: ChromaState): void {
  state.chroma.fill(0);
  state.smooth.fill(0);
}

/** Local maxima of the power spectrum above `threshold`, with parabolic interpolation on log power. */
function findPeaks(state: ChromaState, kLo: number, kHi: number, threshold: number, binHz: Hz, ampNorm: number): number {
  const { power, peakHz, peakAmp, peakMidi } = state;
  let n = 0;
  for (let k = kLo; k <= kHi && n < MAX_PEAKS; k++) {
    const p = power[k];
    if (p <= threshold || p <= power[k - 1] || p < power[k + 1]) continue;
    const a = Math.log(power[k - 1] + 1e-30);
    const b = Math.log(p);
    const c = Math.log(power[k + 1] + 1e-30);
    const den = a - 2 * b + c;
    const delta = den < 0 ? Math.min(0.5, Math.max(-0.5, (0.5 * (a - c)) / den)) : 0;
    const hz = (k + delta) * binHz;
    peakHz[n] = hz;
    peakAmp[n] = Math.exp(0.5 * (b - 0.25 * (a - c) * delta)) / ampNorm;
    peakMidi[n] = 69 + 12 * Math.log2(hz / 440);
    n++;
  }
  return n;
}

/** Index of a peak below `below` within the harmonic tolerance of `hz`, or −1. Peaks are sorted. */
function findPeakNear(peakHz: Float64Array, below: number, hz: Hz, ratio: number): number {
  const lo = hz / ratio;
  const hi = hz * ratio;
  let a = 0;
  let b = below;
  while (a < b) {
    const m = (a + b) >> 1;
    if (peakHz[m] < lo) a = m + 1;
    else b = m;
  }
  if (a >= below || peakHz[a] > hi) return -1;
  // Closest of the candidates in [lo, hi].
  let best = a;
  for (let j = a + 1; j < below && peakHz[j] <= hi; j++) {
    if (Math.abs(peakHz[j] - hz) < Math.abs(peakHz[best] - hz)) best = j;
  }
  return best;
}

/**
 * Marks peaks that are a non-octave harmonic (3, 5, 6, 7, 9, 10 ×) of a lower peak and not an
 * octave (2, 4 ×) of a lower unmarked one. Ascending order, so a mark can depend on lower marks.
 */
function markHarmonics(state: ChromaState, n: number): void {
  const { peakHz, peakAmp, peakHarmonic } = state;
  const ratio = Math.pow(2, HARMONIC_TOLERANCE_CENTS / 1200);
  for (let i = 0; i < n; i++) {
    peakHarmonic[i] = 0;
    const hz = peakHz[i];
    const j2 = findPeakNear(peakHz, i, hz / 2, ratio);
    if (j2 >= 0 && peakHarmonic[j2] === 0) continue;
    const j4 = findPeakNear(peakHz, i, hz / 4, ratio);
    if (j4 >= 0 && peakHarmonic[j4] === 0) continue;
    for (const h of ODD_HARMONICS) {
      const j = findPeakNear(peakHz, i, hz / h, ratio);
      if (j >= 0 && peakAmp[j] >= FUNDAMENTAL_MIN_RATIO * peakAmp[i]) {
        peakHarmonic[i] = 1;
        break;
      }
    }
  }
}

/** Weight of a partial by its (fractional MIDI) pitch: fades in above minHz and out below maxHz. */
function pitchWeight(midi: number, loMidi: number, hiMidi: number): number {
  if (midi <= loMidi || midi >= hiMidi) return 0;
  if (midi < loMidi + 12) {
    const s = Math.sin((Math.PI / 2) * ((midi - loMidi) / 12));
    return s * s;
  }
  if (midi > hiMidi - 24) {
    const c = Math.cos((Math.PI / 2) * ((midi - (hiMidi - 24)) / 24));
    return c * c;
  }
  return 1;
}

/** Weight of a partial by its distance `d` (semitones, |d| ≤ 0.5) from the tuned semitone grid. */
function gridWeight(d: number): number {
  const x = Math.abs(d);
  if (x <= 0.3) return 1;
  const c = Math.cos((Math.PI / 2) * ((x - 0.3) / 0.2));
  return c * c;
}

/** Peaks → this update's chroma and tuning; then the leaky average and max-normalisation. */
function accumulate(state: ChromaState, params: ChromaParams, n: number, dt: Seconds): void {
  const { peakAmp, peakMidi, peakHarmonic, raw, smooth, chroma } = state;
  const loMidi = 69 + 12 * Math.log2(params.minHz / 440);
  const hiMidi = 69 + 12 * Math.log2(params.maxHz / 440);
  const tuning = state.tuningCents / 100;
  const keepHarmonic = 1 - params.harmonicSuppression;
  raw.fill(0);
  let tc = 0;
  let ts = 0;
  let tw = 0;
  for (let i = 0; i < n; i++) {
    const midi = peakMidi[i];
    const fw = pitchWeight(midi, loMidi, hiMidi);
    if (fw === 0) continue;
    const amp = peakAmp[i];
    if (peakHarmonic[i] === 0) {
      const dev = midi - Math.round(midi);
      const wt = amp * fw;
      tc += wt * Math.cos(2 * Math.PI * dev);
      ts += wt * Math.sin(2 * Math.PI * dev);
      tw += wt;
    }
    const tuned = midi - tuning;
    const nearest = Math.round(tuned);
    const pc = ((nearest % 12) + 12) % 12;
    let w = Math.pow(amp, params.magnitudeExponent) * fw * gridWeight(tuned - nearest);
    if (peakHarmonic[i] === 1) w *= keepHarmonic;
    raw[pc] += w;
  }
  if (tw > 0) {
    const b = 1 - Math.exp(-dt / Math.max(1e-3, params.tuningSeconds));
    state.tuningCos += b * (tc / tw - state.tuningCos);
    state.tuningSin += b * (ts / tw - state.tuningSin);
    state.tuningCents = (100 * Math.atan2(state.tuningSin, state.tuningCos)) / (2 * Math.PI);
  }

  let rawMax = 0;
  for (let k = 0; k < 12; k++) if (raw[k] > rawMax) rawMax = raw[k];
  const a = params.smoothSeconds > 0 ? 1 - Math.exp(-dt / params.smoothSeconds) : 1;
  let sMax = 0;
  for (let k = 0; k < 12; k++) {
    const target = rawMax > 0 ? raw[k] / rawMax : 0;
    const s = smooth[k] + a * (target - smooth[k]);
    smooth[k] = s;
    if (s > sMax) sMax = s;
  }
  for (let k = 0; k < 12; k++) chroma[k] = sMax > 1e-9 ? smooth[k] / sMax : 0;
}
