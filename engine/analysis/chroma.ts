import type { Db, Hz, Seconds } from '../units.js';
import { chromaNetInputs, chromaNetsForward, createChromaNets, type ChromaNet } from './chromaNet.js';
import { chromaNetContextFloor, chromaNetContextSeconds } from './chromaNetWeights.js';
import { createKernels, f64In, kernelBytes, type KernelArray, type KernelExports } from './kernels.js';
import { createRealFft, type RealFft } from './realFft.js';
import { hann } from './spectrum.js';
import { chordStep, chordTones, createChordState, resetChord, type ChordParams, type ChordState } from './chord.js';
import { createDecimatorState, decimateStep, decimationFactor, ringSize, type DecimatorState } from './decimate.js';

/**
 * Parameters of the causal note-activation chroma (NNLS-chroma style, after Mauch & Dixon 2010).
 * Everything is in seconds, hertz, decibels or semitones, so the result does not depend on the
 * sample rate or the hop size.
 *
 * `windowSeconds`, `shortWindowSeconds`, `maxHz`, `minHz`, `harmonics`, `harmonicDecay` and `brightDecay` size
 * the buffers and the note dictionary and are read by {@link createChromaState} only; the others
 * are read on every {@link chromaStep}.
 */
export interface ChromaParams {
  /** The long window (Hann), used below `splitHz`: long enough to part semitones in the bass. Range 0.17–0.6. */
  windowSeconds: Seconds;
  /** The short window, used from `splitHz` up: reacts faster where semitones are wide. Range 0.08–0.4. */
  shortWindowSeconds: Seconds;
  /** Where the log-frequency spectrum switches from the long to the short window. Range 80–400. */
  splitHz: Hz;
  /** How often the spectra and the note fit are computed (rounded to whole hops). The main CPU knob. Range 0.01–0.2. */
  updateSeconds: Seconds;
  /** Lowest note fundamental fitted (E1 = 41.2 Hz). Range 25–100. */
  minHz: Hz;
  /** Highest frequency of the spectrum (sets the decimation). Range 1000–8000. */
  maxHz: Hz;
  /** Harmonics per note template. Range 1–20. */
  harmonics: number;
  /** Amplitude of harmonic h in a note's dull template: harmonicDecay^(h−1). Range 0.3–0.95. */
  harmonicDecay: number;
  /**
   * The decay of each note's second, bright template (0 = none): the fit mixes the two per note,
   * so an instrument rich in harmonics (organ, guitar, choir) is explained by its fundamentals
   * rather than by notes an octave and a fifth above. Range 0–0.98.
   */
  brightDecay: number;
  /**
   * A note's activation may not exceed this × the line spectrum at its fundamental, so a
   * note whose fundamental is absent cannot explain another note's partials. 0 = no cap. Range 0–5.
   */
  fundamentalCap: number;
  /** Notes above this MIDI number fade out of the chroma (over an octave): their "fundamentals" are mostly other notes' partials. Range 72–108. */
  trebleFadeMidi: number;
  /** Coordinate-descent sweeps of the non-negative fit per update (warm-started). Range 2–50. */
  sweeps: number;
  /**
   * The chroma from the learned net ({@link chromaNetsForward}: the probability of each pitch class
   * being a chord tone, from the line spectrum and the note activations); false = the note
   * activations folded onto 12 classes. The net is used only where its input size fits (the default
   * `minHz` and `maxHz`).
   */
  learned: boolean;
  /** Note weight in the chroma = activation ^ this (when not `learned`). Range 0.3–2. */
  activationExponent: number;
  /** A note is "strong" for the bass chroma when its activation is at least this fraction of the strongest below `bassMaxHz`. Range 0.05–0.9. */
  bassThreshold: number;
  /** The bass chroma looks at notes up to here. Range 100–600. */
  bassMaxHz: Hz;
  /** Time constant of the leaky average of the output chroma (when `chordToneWeight` is 0) and of the bass. Range 0–2. */
  smoothSeconds: Seconds;
  /**
   * Weight of the chord-tone filter in the chroma (0 = off: the leaky average of the net's chroma).
   * The filter is an HMM over the 84 chords of chord.ts (cosine score, no bass), stepped on each
   * update's chroma; the chroma is then this weight × each class's posterior probability of
   * being a chord tone + the rest × that update's own chroma. The filter's memory holds the chord
   * through a bar whose comping decays under a melody's passing tones. Range 0–1.
   */
  chordToneWeight: number;
  /** The chord-tone filter's sharpness (likelihood = exp(this × cosine)). Range 1–100. */
  chordToneSharpness: number;
  /** The chord-tone filter's expected chord changes per second. Range 0.1–10. */
  chordToneChangesPerSecond: number;
  /** Time constant of the tuning (reference pitch) estimate. Range 0.5–60. */
  tuningSeconds: Seconds;
  /** Gate: when the mean-square level below maxHz (DC removed) over the long window (Hann) is below this, everything is 0. */
  silenceDb: Db;
  /** Spectral peaks weaker than the strongest by more than this are ignored (line spectrum and tuning). Range 20–80. */
  peakThresholdDb: Db;
}

/** Defaults for {@link ChromaParams}, tuned on the tune half of the chord set (`bench/eval/tune.ts --chroma`). */
export const defaultChromaParams: ChromaParams = {
  windowSeconds: 0.36,
  shortWindowSeconds: 0.18,
  splitHz: 200,
  updateSeconds: 0.04,
  minHz: 40,
  maxHz: 5000,
  harmonics: 12,
  harmonicDecay: 0.5,
  brightDecay: 0.85,
  fundamentalCap: 1.5,
  trebleFadeMidi: 88,
  sweeps: 12,
  learned: true,
  activationExponent: 0.5,
  bassThreshold: 0.3,
  bassMaxHz: 330,
  smoothSeconds: 0.08,
  chordToneWeight: 0.4,
  chordToneSharpness: 10,
  chordToneChangesPerSecond: 2,
  tuningSeconds: 5,
  silenceDb: -60,
  peakThresholdDb: 40,
};

/** Log-frequency bins per semitone. */
export const BINS_PER_SEMITONE = 3;
/** Most spectral peaks kept for the tuning estimate (the lowest ones win when there are more). */
const MAX_TUNING_PEAKS = 160;
/** Harmonic numbers whose pitch class differs from the fundamental's (off the tuning grid or another class). */
const ODD_HARMONICS = [3, 5, 6, 7, 9, 10] as const;
const HARMONIC_TOLERANCE_CENTS = 35;
const FUNDAMENTAL_MIN_RATIO = 0.05;

/** One Hann-windowed FFT over the newest samples of a decimated ring. */
interface Spectrum {
  readonly windowLength: number;
  readonly fftSize: number;
  /** The ring it reads (its sample rate sets the bin spacing). */
  readonly source: DecimatorState;
  /** Bin spacing. */
  readonly binHz: Hz;
  /** Its input is the windowed, zero-padded frame. */
  readonly fft: RealFft;
  readonly window: Float64Array;
  /** Amplitude spectrum (a full-scale sine's peak reads about 1), fftSize / 2 + 1 bins: the transform's magnitudes. */
  readonly mag: Float64Array;
  /** Σ window / 2: the amplitude normalisation. */
  readonly ampNorm: number;
  /** The ring, the window and the frame in the transform's SIMD kernel instance (their byte offsets there); null: in JavaScript. */
  readonly kernel: { readonly run: KernelExports; readonly ring: number; readonly window: number; readonly input: number } | null;
}

/** Samples in a window of `seconds` at `rate` (at least 64). */
function windowSamples(seconds: Seconds, rate: Hz): number {
  return Math.max(64, Math.round(seconds * rate));
}

/**
 * A decimator into a ring of at least `ringSamples` and the spectrum of a window of `seconds` over
 * it; the ring and the window sit in the transform's kernel instance where it has one, with
 * `roomBytes` more there for the caller.
 */
function createSpectrum(inputRate: Hz, factor: number, cutoffHz: Hz, ringSamples: number, seconds: Seconds, simd: boolean, roomBytes = 0): Spectrum {
  const outputRate = inputRate / factor;
  const length = windowSamples(seconds, outputRate);
  let fftSize = 64;
  while (fftSize < length) fftSize *= 2;
  // The ring is f32: half its length in f64 units.
  const fft = createRealFft(fftSize, simd, kernelBytes([ringSize(ringSamples) / 2, length]) + roomBytes);
  const k = fft.kernels;
  let ringPtr = -1;
  const source = createDecimatorState(inputRate, factor, cutoffHz, ringSamples, k === null ? undefined : (n) => {
    const ring = k.f32(n);
    ringPtr = ring.ptr;
    return ring.view;
  });
  const window = f64In(k, hann(length));
  let wSum = 0;
  for (const w of window.view) wSum += w;
  return {
    windowLength: length, fftSize, source, binHz: outputRate / fftSize, fft, window: window.view, mag: fft.magnitude, ampNorm: wSum / 2,
    kernel: k === null ? null : { run: k.exports, ring: ringPtr, window: window.ptr, input: fft.inputPtr },
  };
}

/** State of the chroma analysis; all buffers are allocated here, once. */
export interface ChromaState {
  /** 12 pitch classes C..B from the note activations, scaled so the strongest is 1; all 0 in silence. Written in place. */
  readonly chroma: Float32Array;
  /** 12 pitch classes of the bass: the lowest strong note and what sounds just above it; strongest = 1; 0 in silence. */
  readonly bass: Float32Array;
  /** Note activations (the non-negative fit), one per note from `noteLo` up; 0 in silence. */
  readonly notes: Float64Array;
  /** MIDI number of `notes[0]`. */
  readonly noteLo: number;
  /** True on the hop at which the chroma was recomputed. */
  updated: boolean;
  /** True when the last update found the input below the silence gate. */
  silent: boolean;
  /**
   * Running estimate of the reference-pitch offset from A4 = 440 Hz, in cents, in (−50, 50]:
   * positive when the music is sharp (452 Hz gives about +47).
   */
  tuningCents: number;
  readonly sampleRate: Hz;
  readonly hopFrames: number;
  /** The input low-passed and decimated to about 2.4 × maxHz (the short window's ring). */
  readonly decimator: DecimatorState;
  /** That, decimated again to 4.8–9.7 × splitHz (the long window's ring: the long window is only read below splitHz). */
  readonly lowDecimator: DecimatorState;
  readonly long: Spectrum;
  readonly short: Spectrum;
  /**
   * The silence gate's weights (the long window's Hann window squared, at the decimated rate), their
   * sum, and its two weighted sums: in the short window's kernel instance where it has one.
   */
  readonly gateWeights: KernelArray<Float64Array>;
  readonly gateWeightSum: number;
  readonly gateSums: KernelArray<Float64Array>;
  /** MIDI number of log bin 0's centre (at zero tuning); bins are 1/BINS_PER_SEMITONE semitone apart. */
  readonly binLoMidi: number;
  /** The log-frequency line spectrum (amplitudes), three bins per semitone. */
  readonly logSpec: Float64Array;
  /**
   * Input of the learned chroma: line spectrum, then note activations, each in log decades below
   * its own maximum; then (when the shipped net was trained with it) {@link ChromaState.context}
   * where it is at least `chromaNetContextFloor`, else 0. bench/eval/chromaTrain.ts records the
   * first two parts; scripts/train_chroma.py computes the context the same way.
   */
  readonly netInput: Float32Array;
  /** The leaky average of the net input's note block over `chromaNetContextSeconds`, restarted after silence. */
  readonly context: Float32Array;
  /** The leaky average restarts from the newest notes at the next update (after silence). */
  contextFresh: boolean;
  /** The learned chroma's nets (its output is the mean of theirs), or null when their input size does not fit these parameters. */
  readonly nets: readonly ChromaNet[] | null;
  /** The nets' mean 12 pitch-class probabilities at the last update. */
  readonly netOutput: Float64Array;
  /** One net's probabilities, before the mean. */
  readonly memberOutput: Float64Array;
  /** Template activations of the fit (note t % notes.length; dull templates first, then bright). */
  readonly activations: Float64Array;
  /** Sparse template dictionary: for template t, entries dictStart[t]..dictStart[t+1] of (dictBin, dictValue). */
  readonly dictStart: Int32Array;
  readonly dictBin: Int32Array;
  readonly dictValue: Float64Array;
  /** Gram matrix of the dictionary (templates × templates, row-major). */
  readonly gram: Float64Array;
  /** Dᵀy and the gradient G·x − Dᵀy of the fit. */
  readonly dty: Float64Array;
  readonly grad: Float64Array;
  /** Upper bound of each activation this update (see `fundamentalCap`). */
  readonly cap: Float64Array;
  /** Where the fit's arrays (activations, grad, gram, cap) live when its sweeps run in a SIMD kernel instance (kernels.ts); null: in JavaScript. */
  readonly fitKernel: FitKernel | null;
  readonly peakHz: Float64Array;
  readonly peakAmp: Float64Array;
  /** The peaks' fractional MIDI numbers (at A4 = 440 Hz). */
  readonly peakMidi: Float64Array;
  readonly peakHarmonic: Uint8Array;
  readonly rawChroma: Float64Array;
  readonly rawBass: Float64Array;
  /**
   * This update's chroma and bass before the leaky average (each scaled so its strongest is 1;
   * all 0 in silence): the chord estimate reads these, as its HMM does its own smoothing.
   */
  readonly instantChroma: Float32Array;
  readonly instantBass: Float32Array;
  readonly smoothChroma: Float64Array;
  readonly smoothBass: Float64Array;
  /** The chord-tone filter (see `chordToneWeight`), its parameters (refreshed from ChromaParams each update) and its 12 chord-tone probabilities. */
  readonly toneFilter: ChordState;
  readonly toneParams: ChordParams;
  readonly tones: Float64Array;
  tuningCos: number;
  tuningSin: number;
  sinceUpdate: number;
}

/** The note fit's arrays in a kernel instance: their byte offsets there. */
interface FitKernel {
  readonly run: KernelExports;
  readonly activations: number;
  readonly grad: number;
  readonly gram: number;
  readonly cap: number;
}

const midiOf = (hz: Hz): number => 69 + 12 * Math.log2(hz / 440);

/**
 * Allocates the chroma state for a stream at `sampleRate` analysed in hops of `hopFrames`.
 * @param params - only the window lengths, `minHz`, `maxHz`, `harmonics`, `harmonicDecay` and `brightDecay` are read here.
 * @param simd - run the transforms, the note fit and the learned net in the WebAssembly SIMD
 *   kernels (kernels.ts) where this runtime has them (the same results to the bit); false = JavaScript only.
 */
export function createChromaState(sampleRate: number, hopFrames: number, params: Partial<ChromaParams> = {}, simd = true): ChromaState {
  const p = { ...defaultChromaParams, ...params };
  const factor = decimationFactor(sampleRate, p.maxHz);
  const outputRate = sampleRate / factor;
  const shortSeconds = Math.min(p.shortWindowSeconds, p.windowSeconds);
  const gateLength = windowSamples(p.windowSeconds, outputRate);
  // The first ring holds the long window's span: the gate reads it.
  const short = createSpectrum(sampleRate, factor, Math.min(p.maxHz * 1.05, 0.45 * outputRate), gateLength, shortSeconds, simd, kernelBytes([gateLength, 2]));
  const decimator = short.source;
  // The long window is read below splitHz only: from a ring at 4.8–9.7 × splitHz (1.5 kHz at the
  // defaults), low-passed at 1.5 × splitHz (flat below splitHz; what aliases down there comes from
  // 3.8 × splitHz up, at least 49 dB down, 76 dB at the defaults), its FFT has the same bin spacing
  // at an eighth of the size or less.
  const lowFactor = decimationFactor(outputRate, 2.2 * p.splitHz);
  const lowRate = outputRate / lowFactor;
  const long = createSpectrum(outputRate, lowFactor, Math.min(1.5 * p.splitHz, 0.45 * lowRate), windowSamples(p.windowSeconds, lowRate), p.windowSeconds, simd);
  const lowDecimator = long.source;
  // A local maximum every other bin at most, in each window.
  const maxPeaks = (long.fftSize + short.fftSize) / 4 + 2;
  const gateWeights = f64In(short.fft.kernels, hann(gateLength).map((w) => w * w));
  let gateWeightSum = 0;
  for (const w of gateWeights.view) gateWeightSum += w;

  const topHz = Math.min(p.maxHz, 0.45 * outputRate);
  const noteLo = Math.ceil(midiOf(p.minHz));
  const binLoMidi = noteLo - 1;
  const nBins = Math.max(1, Math.floor((midiOf(topHz) - binLoMidi) * BINS_PER_SEMITONE));
  const noteHi = Math.floor(midiOf(topHz)) - 1;
  const nNotes = Math.max(1, noteHi - noteLo + 1);

  // Dictionary: harmonic h of note n at log bin 3·(n − binLoMidi + 12·log2 h), linear-interpolated
  // between its two bins; template t is note t % nNotes with the dull (t < nNotes) or bright decay.
  const decays = p.brightDecay > 0 ? [p.harmonicDecay, p.brightDecay] : [p.harmonicDecay];
  const nTemplates = nNotes * decays.length;
  const starts = new Int32Array(nTemplates + 1);
  const bins: number[] = [];
  const values: number[] = [];
  for (let t = 0; t < nTemplates; t++) {
    const n = t % nNotes;
    const decay = decays[Math.floor(t / nNotes)];
    starts[t] = bins.length;
    const acc = new Map<number, number>();
    for (let h = 1; h <= p.harmonics; h++) {
      const pos = BINS_PER_SEMITONE * (noteLo + n - binLoMidi + 12 * Math.log2(h));
      const j = Math.floor(pos);
      if (j + 1 >= nBins) break;
      const frac = pos - j;
      const a = Math.pow(decay, h - 1);
      acc.set(j, (acc.get(j) ?? 0) + a * (1 - frac));
      if (frac > 0) acc.set(j + 1, (acc.get(j + 1) ?? 0) + a * frac);
    }
    for (const [j, v] of [...acc].sort((x, y) => x[0] - y[0])) { bins.push(j); values.push(v); }
  }
  starts[nTemplates] = bins.length;
  const dictBin = Int32Array.from(bins);
  const dictValue = Float64Array.from(values);
  // The fit's arrays: in a SIMD kernel instance where WebAssembly SIMD runs (the same sums, bit-identical), else plain.
  const k = createKernels(kernelBytes([nTemplates * nTemplates, nTemplates, nTemplates, nTemplates]), simd);
  const gramK = f64In(k, nTemplates * nTemplates);
  const activations = f64In(k, nTemplates);
  const grad = f64In(k, nTemplates);
  const cap = f64In(k, nTemplates);
  const fitKernel = k === null ? null : { run: k.exports, gram: gramK.ptr, activations: activations.ptr, grad: grad.ptr, cap: cap.ptr };
  const gram = gramK.view;
  const column = new Float64Array(nBins);
  for (let a = 0; a < nTemplates; a++) {
    column.fill(0);
    for (let e = starts[a]; e < starts[a + 1]; e++) column[dictBin[e]] = dictValue[e];
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let e = starts[b]; e < starts[b + 1]; e++) s += column[dictBin[e]] * dictValue[e];
      gram[a * nTemplates + b] = s;
      gram[b * nTemplates + a] = s; // exactly symmetric: a row serves as a column
    }
  }

  const layout = { bins: nBins, notes: nNotes, context: chromaNetContextSeconds > 0 };
  return {
    chroma: new Float32Array(12), bass: new Float32Array(12), notes: new Float64Array(nNotes), noteLo,
    activations: activations.view,
    updated: false, silent: true, tuningCents: 0,
    sampleRate, hopFrames, decimator, lowDecimator, long, short, binLoMidi,
    gateWeights, gateWeightSum, gateSums: f64In(short.fft.kernels, 2),
    logSpec: new Float64Array(nBins),
    netInput: new Float32Array(chromaNetInputs(layout)), context: new Float32Array(layout.context ? nNotes : 0), contextFresh: true,
    nets: createChromaNets(layout, simd), netOutput: new Float64Array(12), memberOutput: new Float64Array(12),
    dictStart: starts, dictBin, dictValue, gram,
    dty: new Float64Array(nTemplates), grad: grad.view, cap: cap.view, fitKernel,
    peakHz: new Float64Array(maxPeaks), peakAmp: new Float64Array(maxPeaks), peakMidi: new Float64Array(maxPeaks), peakHarmonic: new Uint8Array(MAX_TUNING_PEAKS),
    rawChroma: new Float64Array(12), rawBass: new Float64Array(12),
    instantChroma: new Float32Array(12), instantBass: new Float32Array(12),
    smoothChroma: new Float64Array(12), smoothBass: new Float64Array(12),
    toneFilter: createChordState(), toneParams: { changesPerSecond: 0, sharpness: 0, bassWeight: 0, rarePenalty: 0 }, tones: new Float64Array(12),
    tuningCos: 0, tuningSin: 0, sinceUpdate: 0,
  };
}

/**
 * Called once per analysis hop with that hop's mono samples; updates `state.chroma`,
 * `state.bass`, `state.notes` and `state.tuningCents` in place every `updateSeconds`. No allocation.
 *
 * @remarks
 * The signal is low-passed and decimated to about 2.4 × maxHz into a ring, and that again to
 * 4.8–9.7 × splitHz into a second one. Each update gates on the level of the first (the long
 * window's span), then takes two Hann-windowed FFTs of the newest samples (the long window, on the
 * second ring, below `splitHz`, where semitones are a few hertz apart; the short one above), puts
 * their spectral peaks as lines on a log-frequency axis of three bins per semitone centred on the
 * running tuning estimate (from the lowest of the same peaks), and fits that with
 * non-negative note activations, each note a mix of two templates of `harmonics` partials (a dull
 * one decaying by `harmonicDecay`, a bright one by `brightDecay`), a note capped by the line at its
 * fundamental. Overtones are thereby explained by their
 * fundamentals instead of counted as pitch classes of their own (the major third of a minor
 * chord's root, the seventh of a major third). Chroma = activations folded onto 12 classes;
 * bass = the lowest strong note and the notes up to an octave above it, weighted down with height.
 */
export function chromaStep(hop: Float32Array, state: ChromaState, params: ChromaParams): void {
  const dec = state.decimator;
  const before = dec.written;
  decimateStep(hop, dec);
  // The new samples on to the long window's ring (in two runs where they wrap around the ring's end).
  const ring = dec.ring;
  const from = before & (ring.length - 1);
  const to = from + (dec.written - before);
  decimateStep(ring, state.lowDecimator, from, Math.min(to, ring.length));
  if (to > ring.length) decimateStep(ring, state.lowDecimator, 0, to - ring.length);
  state.sinceUpdate += dec.written - before;
  state.updated = false;
  const updateSamples = Math.max(1, Math.round(params.updateSeconds * dec.outputRate));
  if (state.sinceUpdate < updateSamples) return;
  const dt = state.sinceUpdate / dec.outputRate;
  state.sinceUpdate = 0;
  state.updated = true;
  analyse(state, params, dt);
}

/** Windowed FFT of the newest `s.windowLength` samples of its ring into `s.mag`. */
function transform(s: Spectrum): void {
  const dec = s.source;
  const ring = dec.ring;
  const { window, windowLength } = s;
  const start = (dec.written - windowLength) & (ring.length - 1);
  if (s.kernel !== null) {
    s.kernel.run.windowRing32(s.kernel.ring, ring.length - 1, start, s.kernel.window, windowLength, s.kernel.input);
  } else {
    const split = Math.min(windowLength, ring.length - start);
    const frame = s.fft.input;
    for (let i = 0; i < split; i++) frame[i] = ring[start + i] * window[i];
    for (let i = split; i < windowLength; i++) frame[i] = ring[i - split] * window[i];
  }
  s.fft.transform(1 / s.ampNorm);
}

function analyse(state: ChromaState, params: ChromaParams, dt: Seconds): void {
  const { long, short } = state;
  const ms = gateLevel(state);
  if (!(ms > 0) || 10 * Math.log10(ms) < params.silenceDb) {
    silence(state);
    return;
  }
  state.silent = false;
  transform(short);
  transform(long);
  const peaks = findPeaks(state, params, peakThreshold(state, params));
  updateTuning(state, params, Math.min(peaks, MAX_TUNING_PEAKS), dt);
  lineSpectrum(state, peaks);
  fitNotes(state, params);
  relativeLog(state.logSpec, state.netInput, 0);
  relativeLog(state.notes, state.netInput, state.logSpec.length);
  if (chromaNetContextSeconds > 0) noteContext(state, 1 - Math.exp(-dt / chromaNetContextSeconds));
  fold(state, params, dt);
}

/**
 * Mean-square level of the newest long window's span of the decimated signal, weighted by the
 * Hann window squared, its weighted mean removed: what Parseval gives from the long window's
 * spectrum without its DC bin.
 */
function gateLevel(state: ChromaState): number {
  const { gateWeights, gateSums } = state;
  const w = gateWeights.view;
  const sums = gateSums.view;
  const ring = state.decimator.ring;
  const mask = ring.length - 1;
  const start = state.decimator.written - w.length;
  const k = state.short.kernel;
  if (k !== null) {
    k.run.ringMoments(k.ring, mask, start & mask, gateWeights.ptr, w.length, gateSums.ptr);
  } else {
    let sx = 0;
    let sxx = 0;
    for (let i = 0; i < w.length; i++) {
      const x = ring[(start + i) & mask];
      const wx = w[i] * x;
      sx += wx;
      sxx += wx * x;
    }
    sums[0] = sx;
    sums[1] = sxx;
  }
  const sw = state.gateWeightSum;
  const mean = sums[0] / sw;
  return sums[1] / sw - mean * mean;
}

function silence(state: ChromaState): void {
  state.silent = true;
  state.chroma.fill(0);
  state.bass.fill(0);
  state.notes.fill(0);
  state.netInput.fill(0);
  state.context.fill(0);
  state.contextFresh = true;
  state.activations.fill(0);
  state.smoothChroma.fill(0);
  state.smoothBass.fill(0);
  state.instantChroma.fill(0);
  state.instantBass.fill(0);
  resetChord(state.toneFilter);
}

/** Peaks weaker than the strongest bin of either window by more than `peakThresholdDb` are ignored. */
function peakThreshold(state: ChromaState, params: ChromaParams): number {
  let maxMag = 0;
  for (const s of [state.long, state.short]) for (let k = 2; k < s.fftSize / 2 - 1; k++) if (s.mag[k] > maxMag) maxMag = s.mag[k];
  return maxMag * Math.pow(10, -params.peakThresholdDb / 20);
}

/**
 * The spectral peaks, lowest first, into `state.peakHz` and `peakAmp`; returns their count: every
 * local maximum above `threshold` of the long window's spectrum below `splitHz` and of the short
 * one's above, at its interpolated frequency and amplitude (parabolic on log amplitude).
 */
function findPeaks(state: ChromaState, params: ChromaParams, threshold: number): number {
  const { long, short, peakHz, peakAmp, peakMidi } = state;
  let n = 0;
  for (const s of [long, short]) {
    const binHz = s.binHz;
    const isLong = s === long;
    const kFrom = Math.max(2, Math.floor((isLong ? params.minHz * 0.9 : params.splitHz) / binHz));
    const kTo = Math.min(s.fftSize / 2 - 2, Math.ceil((isLong ? params.splitHz : 0.45 * s.source.outputRate) / binHz));
    const mag = s.mag;
    for (let k = kFrom; k <= kTo; k++) {
      const m = mag[k];
      if (m <= threshold || m <= mag[k - 1] || m < mag[k + 1]) continue;
      const a = Math.log(mag[k - 1] + 1e-30);
      const b = Math.log(m);
      const c = Math.log(mag[k + 1] + 1e-30);
      const den = a - 2 * b + c;
      const delta = den < 0 ? Math.min(0.5, Math.max(-0.5, (0.5 * (a - c)) / den)) : 0;
      const hz = (k + delta) * binHz;
      if (isLong ? hz >= params.splitHz : hz < params.splitHz) continue;
      peakHz[n] = hz;
      peakMidi[n] = midiOf(hz);
      peakAmp[n] = Math.exp(b - 0.25 * (a - c) * delta);
      n++;
    }
  }
  return n;
}

/**
 * The log-frequency spectrum as lines: each of the `count` peaks at its frequency and amplitude,
 * shared between the two nearest log bins (the note templates' own kernel), so a partial is one
 * line whatever the window's main lobe width.
 */
function lineSpectrum(state: ChromaState, count: number): void {
  const { logSpec, binLoMidi, peakMidi, peakAmp } = state;
  logSpec.fill(0);
  const tune = state.tuningCents / 100;
  for (let i = 0; i < count; i++) {
    const pos = (peakMidi[i] - tune - binLoMidi) * BINS_PER_SEMITONE;
    const j = Math.floor(pos);
    if (j < 0 || j + 1 >= logSpec.length) continue;
    const f = pos - j;
    logSpec[j] += peakAmp[i] * (1 - f);
    logSpec[j + 1] += peakAmp[i] * f;
  }
}

/** Non-negative least squares by warm-started coordinate descent on the Gram matrix. */
function fitNotes(state: ChromaState, params: ChromaParams): void {
  const { activations: x, dty, grad, gram, dictStart, dictBin, dictValue, logSpec, cap, notes } = state;
  const n = x.length;
  for (let a = 0; a < n; a++) {
    let s = 0;
    for (let e = dictStart[a]; e < dictStart[a + 1]; e++) s += dictValue[e] * logSpec[dictBin[e]];
    dty[a] = s;
    if (params.fundamentalCap > 0) {
      const j = dictBin[dictStart[a]];
      const y0 = Math.max(logSpec[j], logSpec[j + 1], j > 0 ? logSpec[j - 1] : 0);
      cap[a] = (params.fundamentalCap * y0) / dictValue[dictStart[a]];
    } else cap[a] = Infinity;
    if (x[a] > cap[a]) x[a] = cap[a];
  }
  for (let a = 0; a < n; a++) grad[a] = -dty[a];
  const k = state.fitKernel;
  if (k !== null) {
    for (let b = 0; b < n; b++) if (x[b] !== 0) k.run.axpy(k.grad, k.gram + 8 * b * n, x[b], n);
    k.run.sweeps(k.gram, n, k.activations, k.grad, k.cap, params.sweeps);
  } else {
    for (let b = 0; b < n; b++) if (x[b] !== 0) addScaled(grad, gram, b * n, x[b], n);
    jsSweeps(state, params.sweeps);
  }
  notes.fill(0);
  for (let a = 0; a < n; a++) notes[a % notes.length] += x[a];
}

/**
 * `y[i]` += `v` × `x[from + i]` for i < `n`, eight at a time: the same sums in the same order, but
 * V8 does not unroll loops, and this one is most of the note fit's time in JavaScript (kernels.wat's
 * `axpy` where the SIMD kernels run).
 */
function addScaled(y: Float64Array, x: Float64Array, from: number, v: number, n: number): void {
  let o = 0;
  for (; o + 8 <= n; o += 8) {
    const c = from + o;
    y[o] += x[c] * v;
    y[o + 1] += x[c + 1] * v;
    y[o + 2] += x[c + 2] * v;
    y[o + 3] += x[c + 3] * v;
    y[o + 4] += x[c + 4] * v;
    y[o + 5] += x[c + 5] * v;
    y[o + 6] += x[c + 6] * v;
    y[o + 7] += x[c + 7] * v;
  }
  for (; o < n; o++) y[o] += x[from + o] * v;
}

/** `count` sweeps of the fit's coordinate descent (kernels.wat's `sweeps` does the same). */
function jsSweeps(state: ChromaState, count: number): void {
  const { activations: x, grad, gram, cap } = state;
  const n = x.length;
  for (let sweep = 0; sweep < count; sweep++) {
    for (let a = 0; a < n; a++) {
      const gaa = gram[a * n + a];
      if (gaa <= 0 || (cap[a] === 0 && x[a] === 0)) continue;
      const next = Math.min(cap[a], Math.max(0, x[a] - grad[a] / gaa));
      const d = next - x[a];
      if (d === 0) continue;
      x[a] = next;
      addScaled(grad, gram, a * n, d, n);
    }
  }
}

/** Decades below the maximum of `src`, mapped so the maximum is 1 and −60 dB or less is 0, into `dst` from `offset`. */
function relativeLog(src: Float64Array, dst: Float32Array, offset: number): void {
  let max = 0;
  for (let i = 0; i < src.length; i++) if (src[i] > max) max = src[i];
  const inv = max > 0 ? 1 / max : 0;
  for (let i = 0; i < src.length; i++) dst[offset + i] = Math.max(0, 1 + Math.log10(src[i] * inv + 1e-12) / 3);
}

/**
 * The net's context block: the note block's leaky average (`a` = the weight of the newest update),
 * entries under `chromaNetContextFloor` (notes long gone) left at 0 so the net skips them.
 */
function noteContext(state: ChromaState, a: number): void {
  const { netInput: x, context } = state;
  const from = state.logSpec.length;
  const n = state.notes.length;
  const k = state.contextFresh ? 1 : a;
  for (let i = 0; i < n; i++) {
    const c = context[i] + k * (x[from + i] - context[i]);
    context[i] = c;
    x[from + n + i] = c >= chromaNetContextFloor ? c : 0;
  }
  state.contextFresh = false;
}

/** Activations → chroma and bass (leaky-averaged, max-normalised). */
function fold(state: ChromaState, params: ChromaParams, dt: Seconds): void {
  const { notes, noteLo, rawChroma, rawBass } = state;
  rawChroma.fill(0);
  rawBass.fill(0);
  const bassTop = Math.min(notes.length - 1, Math.floor(midiOf(params.bassMaxHz)) - noteLo);
  let bassMax = 0;
  for (let i = 0; i <= bassTop; i++) if (notes[i] > bassMax) bassMax = notes[i];
  let lowest = -1;
  for (let i = 0; i <= bassTop && bassMax > 0; i++) if (notes[i] >= params.bassThreshold * bassMax) { lowest = i; break; }
  const nets = params.learned ? state.nets : null;
  if (nets !== null) {
    chromaNetsForward(nets, state.netInput, state.memberOutput, state.netOutput);
    rawChroma.set(state.netOutput);
  }
  for (let i = 0; i < notes.length; i++) {
    const v = notes[i];
    if (v <= 0) continue;
    const midi = noteLo + i;
    const pc = midi % 12;
    if (nets === null) {
      const fade = midi <= params.trebleFadeMidi ? 1 : Math.max(0, 1 - (midi - params.trebleFadeMidi) / 12);
      rawChroma[pc] += fade * Math.pow(v, params.activationExponent);
    }
    if (lowest >= 0 && i >= lowest && i < lowest + 12) rawBass[pc] += v * Math.exp(-(i - lowest) / 4);
  }
  const a = params.smoothSeconds > 0 ? 1 - Math.exp(-dt / params.smoothSeconds) : 1;
  smoothInto(rawChroma, state.instantChroma, state.smoothChroma, state.chroma, a);
  smoothInto(rawBass, state.instantBass, state.smoothBass, state.bass, a);
  if (params.chordToneWeight > 0) chordToneMix(state, params, dt);
}

/** chroma = `chordToneWeight` × the chord-tone filter's probabilities + the rest × this update's chroma, scaled so the strongest is 1. */
function chordToneMix(state: ChromaState, params: ChromaParams, dt: Seconds): void {
  const { toneParams: tp, tones, instantChroma, chroma } = state;
  tp.changesPerSecond = params.chordToneChangesPerSecond;
  tp.sharpness = params.chordToneSharpness;
  // The filter scores no bass (bassWeight 0): the chroma stands in for that argument.
  if (chordStep(state.toneFilter, instantChroma, instantChroma, dt, tp) === null) return; // an all-zero chroma: nothing to mix
  chordTones(state.toneFilter, tones);
  const w = params.chordToneWeight;
  let max = 0;
  for (let k = 0; k < 12; k++) {
    const v = w * tones[k] + (1 - w) * instantChroma[k];
    chroma[k] = v;
    if (v > max) max = v;
  }
  for (let k = 0; k < 12; k++) chroma[k] /= max;
}

/** `instant` = `raw` scaled to a maximum of 1; `smooth` moves `a` of the way to it; `out` = `smooth` scaled to a maximum of 1. */
function smoothInto(raw: Float64Array, instant: Float32Array, smooth: Float64Array, out: Float32Array, a: number): void {
  let rawMax = 0;
  for (let k = 0; k < 12; k++) if (raw[k] > rawMax) rawMax = raw[k];
  let sMax = 0;
  for (let k = 0; k < 12; k++) {
    instant[k] = rawMax > 0 ? raw[k] / rawMax : 0;
    const s = smooth[k] + a * (instant[k] - smooth[k]);
    smooth[k] = s;
    if (s > sMax) sMax = s;
  }
  for (let k = 0; k < 12; k++) out[k] = sMax > 1e-9 ? smooth[k] / sMax : 0;
}

// ---- Tuning: the lowest spectral peaks' deviation from the semitone grid ----

/** Index of a peak below `below` within the harmonic tolerance of `hz`, or −1 (peaks are sorted). */
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
  let best = a;
  for (let j = a + 1; j < below && peakHz[j] <= hi; j++) if (Math.abs(peakHz[j] - hz) < Math.abs(peakHz[best] - hz)) best = j;
  return best;
}

/**
 * Marks peaks that are a non-octave harmonic of a lower peak (and not an octave of an unmarked
 * one): their deviation from the grid is the harmonic's (the 5th harmonic sits 14 cents flat of
 * equal temperament), not the tuning's.
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
      if (j >= 0 && peakAmp[j] >= FUNDAMENTAL_MIN_RATIO * peakAmp[i]) { peakHarmonic[i] = 1; break; }
    }
  }
}

/** Leaky circular mean of the unmarked peaks' deviations from the semitone grid. */
function updateTuning(state: ChromaState, params: ChromaParams, n: number, dt: Seconds): void {
  markHarmonics(state, n);
  let tc = 0;
  let ts = 0;
  let tw = 0;
  for (let i = 0; i < n; i++) {
    if (state.peakHarmonic[i] === 1) continue;
    const midi = state.peakMidi[i];
    const dev = midi - Math.round(midi);
    const w = Math.sqrt(state.peakAmp[i]);
    tc += w * Math.cos(2 * Math.PI * dev);
    ts += w * Math.sin(2 * Math.PI * dev);
    tw += w;
  }
  if (tw <= 0) return;
  const b = 1 - Math.exp(-dt / Math.max(1e-3, params.tuningSeconds));
  state.tuningCos += b * (tc / tw - state.tuningCos);
  state.tuningSin += b * (ts / tw - state.tuningSin);
  state.tuningCents = (100 * Math.atan2(state.tuningSin, state.tuningCos)) / (2 * Math.PI);
}
