import type { Frames, Hz, Seconds } from '../units.js';
import { createFeatures, type Features } from './Features.js';
import { bandPower, createSpectrumState, defaultSpectrumParams, spectrumStep, type SpectrumParams, type SpectrumState } from './spectrum.js';
import { createOnsetState, defaultOnsetParams, onsetStep, type OnsetParams, type OnsetState } from './onset.js';
import { createHpssState, defaultHpssParams, hpssStep, type HpssParams, type HpssState } from './hpss.js';
import { createNormalizer, normalize, type Normalizer } from './normalize.js';
import { chromaStep, createChromaState, defaultChromaParams, type ChromaParams, type ChromaState } from './chroma.js';
import { chordStep, createChordState, defaultChordParams, type ChordParams, type ChordState } from './chord.js';
import { beatStep, clockSync, createBeatState, defaultBeatParams, tap, type BeatParams, type BeatState } from './beat.js';

/** Every analysis parameter, in seconds and Hz so results do not depend on buffer size. */
/** Normalisation floor of the HPSS energies (≈ −60 dBFS): quieter is not amplified to 1. */
export const HPSS_FLOOR = 1e-8;

export interface AnalysisParams {
  /** Analysis hop: features are produced once per hop, whatever the audio buffer size. */
  hopSeconds: Seconds;
  /** Envelope follower on the RMS. */
  attackSeconds: Seconds;
  releaseSeconds: Seconds;
  /** Edges of the low/mid/high bands: low = [bandEdgesHz[0], [1]), mid = [[1], [2]), high = [[2], [3]). */
  bandEdgesHz: readonly [Hz, Hz, Hz, Hz];
  /** Time constant with which the running normalisation forgets a loud past. */
  normalizeDecaySeconds: Seconds;
  spectrum: SpectrumParams;
  onset: OnsetParams;
  hpss: HpssParams;
  chroma: ChromaParams;
  chord: ChordParams;
  beat: BeatParams;
  /**
   * Level, bands and onsets only (`vj analyze --onsets`): HPSS, chroma and beat are skipped and
   * keep their initial values. The onsets are the same either way (they depend on nothing after).
   */
  onsetsOnly: boolean;
  /**
   * Run the transforms, the note fit and the learned chroma in WebAssembly SIMD kernels
   * (kernels.wat) where this runtime has them: the same features to the bit, in less time.
   * false = JavaScript only (the kernels' reference).
   */
  simd: boolean;
}

export const defaultAnalysisParams: AnalysisParams = {
  hopSeconds: 256 / 48000,
  attackSeconds: 0.005,
  releaseSeconds: 0.15,
  bandEdgesHz: [20, 250, 4000, 16000],
  normalizeDecaySeconds: 30,
  spectrum: defaultSpectrumParams,
  onset: defaultOnsetParams,
  hpss: defaultHpssParams,
  chroma: defaultChromaParams,
  chord: defaultChordParams,
  beat: defaultBeatParams,
  onsetsOnly: false,
  simd: true,
};

/** Partial overrides, one level deep for the nested groups. */
export type AnalysisOverrides = Partial<Omit<AnalysisParams, 'spectrum' | 'onset' | 'hpss' | 'chroma' | 'chord' | 'beat'>> & {
  spectrum?: Partial<SpectrumParams>;
  onset?: Partial<OnsetParams>;
  hpss?: Partial<HpssParams>;
  chroma?: Partial<ChromaParams>;
  chord?: Partial<ChordParams>;
  beat?: Partial<BeatParams>;
};

/** Overrides with the keys whose value is `undefined` left out (they keep the default). */
function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The defaults with `o` laid over them; an `undefined` override keeps the default. */
export function resolveAnalysisParams(o: AnalysisOverrides = {}): AnalysisParams {
  const d = defaultAnalysisParams;
  return {
    ...d,
    ...defined(o),
    spectrum: { ...d.spectrum, ...defined(o.spectrum) },
    onset: { ...d.onset, ...defined(o.onset) },
    hpss: { ...d.hpss, ...defined(o.hpss) },
    chroma: { ...d.chroma, ...defined(o.chroma) },
    chord: { ...d.chord, ...defined(o.chord) },
    beat: { ...d.beat, ...defined(o.beat) },
  };
}

/** The analysis state of one mono input: every buffer preallocated, features written in place. */
export interface Analyzer {
  readonly sampleRate: Hz;
  readonly hopFrames: Frames;
  readonly params: AnalysisParams;
  /** The newest hop's features (overwritten each hop). */
  readonly features: Features;
  readonly spectrum: SpectrumState;
  readonly onset: OnsetState;
  readonly hpss: HpssState;
  /** Null in `onsetsOnly` mode: its note dictionary and net cost tens of milliseconds to build. */
  readonly chroma: ChromaState | null;
  readonly chord: ChordState;
  /** Seconds since the chord filter's last step. */
  sinceChord: Seconds;
  readonly beat: BeatState;
  readonly norms: { envelope: Normalizer; bands: Normalizer[]; odf: Normalizer; percussive: Normalizer; harmonic: Normalizer };
  readonly attack: number;
  readonly release: number;
  envelopeRaw: number;
  /** Samples of the hop being collected. */
  readonly pending: Float32Array;
  pendingCount: number;
  /** Frames consumed so far; the end of the newest hop is at `frames / sampleRate`. */
  frames: Frames;
}

export function createAnalyzer(sampleRate: Hz, overrides: AnalysisOverrides = {}): Analyzer {
  const params = resolveAnalysisParams(overrides);
  const hopFrames = Math.max(1, Math.round(params.hopSeconds * sampleRate));
  const hopSeconds = hopFrames / sampleRate;
  const spectrum = createSpectrumState(sampleRate, params.spectrum, params.simd);
  const decay = params.normalizeDecaySeconds;
  return {
    sampleRate, hopFrames, params,
    features: createFeatures(),
    spectrum,
    onset: createOnsetState(spectrum, hopSeconds, params.onset, params.simd),
    hpss: createHpssState(spectrum.bandCount, hopSeconds, params.hpss),
    chroma: params.onsetsOnly ? null : createChromaState(sampleRate, hopFrames, params.chroma, params.simd),
    chord: createChordState(),
    sinceChord: 0,
    beat: createBeatState(hopSeconds, params.beat),
    norms: {
      envelope: createNormalizer(hopSeconds, decay, 1e-3),
      bands: [0, 1, 2].map(() => createNormalizer(hopSeconds, decay, 1e-7)),
      odf: createNormalizer(hopSeconds, decay, params.onset.delta),
      // HPSS energies are mean spectral power: a full-scale sine gives ≈ 1e-2, so 1e-8 is ≈ −60 dBFS.
      percussive: createNormalizer(hopSeconds, decay, HPSS_FLOOR),
      harmonic: createNormalizer(hopSeconds, decay, HPSS_FLOOR),
    },
    attack: Math.exp(-hopSeconds / params.attackSeconds),
    release: Math.exp(-hopSeconds / params.releaseSeconds),
    envelopeRaw: 0,
    pending: new Float32Array(hopFrames),
    pendingCount: 0,
    frames: 0,
  };
}

/**
 * Feeds samples of any length; calls `onHop` with the analyzer's features for every hop
 * completed. Hop boundaries depend only on the total count of samples fed, so any buffer size
 * gives the same features.
 */
export function feed(a: Analyzer, samples: Float32Array, onHop: (f: Features) => void): void {
  let i = 0;
  while (i < samples.length) {
    const n = Math.min(a.hopFrames - a.pendingCount, samples.length - i);
    a.pending.set(samples.subarray(i, i + n), a.pendingCount);
    a.pendingCount += n;
    i += n;
    if (a.pendingCount === a.hopFrames) {
      a.pendingCount = 0;
      onHop(analyzeHop(a, a.pending));
    }
  }
}

/** Analyses one complete hop (`hopFrames` samples); returns the (reused) features object. */
export function analyzeHop(a: Analyzer, hop: Float32Array): Features {
  const f = a.features;
  const p = a.params;
  a.frames += hop.length;
  const t = a.frames / a.sampleRate;
  f.t = t;

  let sumSq = 0;
  let peak = 0;
  for (let i = 0; i < hop.length; i++) {
    const x = hop[i];
    sumSq += x * x;
    const ax = x < 0 ? -x : x;
    if (ax > peak) peak = ax;
  }
  const rms = Math.sqrt(sumSq / hop.length);
  f.rms = rms;
  f.peak = peak;
  const coeff = rms > a.envelopeRaw ? a.attack : a.release;
  a.envelopeRaw = rms + coeff * (a.envelopeRaw - rms);
  f.envelope = normalize(a.norms.envelope, a.envelopeRaw);

  const spec = a.spectrum;
  spectrumStep(hop, spec);
  const edges = p.bandEdgesHz;
  for (let b = 0; b < 3; b++) {
    const e = bandPower(spec, edges[b], edges[b + 1]);
    f.bands[b] = e;
    f.bandsNorm[b] = normalize(a.norms.bands[b], e);
  }

  onsetStep(spec, 20 * Math.log10(rms + 1e-10), t, a.onset, p.onset);
  f.onsetStrength = a.onset.odf;
  f.onsetStrengthNorm = normalize(a.norms.odf, a.onset.odf);
  f.onset = a.onset.onset;
  if (a.chroma === null) return f; // onsetsOnly: no chroma state was built

  hpssStep(spec.bandMag, a.hpss, p.hpss);
  f.percussive = a.hpss.percussive;
  f.percussiveNorm = normalize(a.norms.percussive, a.hpss.percussive);
  f.harmonic = a.hpss.harmonic;
  f.harmonicNorm = normalize(a.norms.harmonic, a.hpss.harmonic);

  chromaStep(hop, a.chroma, p.chroma);
  a.sinceChord += hop.length / a.sampleRate;
  if (a.chroma.updated) {
    f.chroma.set(a.chroma.chroma);
    f.bass.set(a.chroma.bass);
    f.chord = chordStep(a.chord, a.chroma.instantChroma, a.chroma.instantBass, a.sinceChord, p.chord);
    a.sinceChord = 0;
  }

  beatStep(a.onset.flux, f.onset, t, a.beat, p.beat, a.onset.bassFlux);
  f.bpm = a.beat.bpm;
  f.beatPhase = a.beat.phase;
  f.beatConfidence = a.beat.confidence;
  f.beat = a.beat.beat;
  return f;
}

/** Tap tempo at engine time `t`. */
export function tapTempo(a: Analyzer, t: Seconds): void {
  tap(a.beat, t, a.params.beat);
}

/** An external clock's tempo (null: none any more) and, when known, a beat time (see {@link clockSync}). */
export function clockTempo(a: Analyzer, t: Seconds, bpm: number | null, beatAt: Seconds | null): void {
  clockSync(a.beat, t, bpm, beatAt, a.params.beat);
}
