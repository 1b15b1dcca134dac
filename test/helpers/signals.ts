/**
 * Deterministic synthetic signals and analyzer drivers for the analysis unit tests. Every
 * generator adds into a caller-owned buffer at an exact sample position, so tests know the true
 * onset frame of each event.
 */
import { createAnalyzer, feed, type AnalysisOverrides, type Analyzer } from '../../engine/analysis/analyzer.js';
import type { Features } from '../../engine/analysis/Features.js';
import type { OnsetParams } from '../../engine/analysis/onset.js';
import { mulberry32 } from '../../engine/audio/testSignals.js';

/** A decaying white-noise burst (a broadband "click") added at `start`. */
export function addNoiseBurst(
  out: Float32Array,
  start: number,
  sampleRate: number,
  opts: { amplitude?: number; seconds?: number; tauSeconds?: number; seed?: number } = {},
): void {
  const amp = opts.amplitude ?? 0.5;
  const len = Math.round((opts.seconds ?? 0.02) * sampleRate);
  const tau = (opts.tauSeconds ?? 0.003) * sampleRate;
  const rand = mulberry32(opts.seed ?? 7);
  for (let i = 0; i < len && start + i < out.length; i++) out[start + i] += amp * (2 * rand() - 1) * Math.exp(-i / tau);
}

/**
 * A piano-like tone added at `start`: partials h = 1..n at h·f0 with amplitude
 * `amplitude / h^rolloff` (rolloff 1 unless given; 0 = every partial as strong as the
 * fundamental, organ-like), a 1 ms linear attack, then an exponential decay with
 * time constant `decaySeconds` (Infinity = sustained).
 */
export function addHarmonicTone(
  out: Float32Array,
  start: number,
  sampleRate: number,
  opts: { f0: number; amplitude?: number; partials?: number; decaySeconds?: number; attackSeconds?: number; seconds?: number; rolloff?: number },
): void {
  const amp = opts.amplitude ?? 0.2;
  const n = opts.partials ?? 5;
  const decay = opts.decaySeconds ?? Infinity;
  const attack = Math.max(1, Math.round((opts.attackSeconds ?? 0.001) * sampleRate));
  const len = opts.seconds === undefined ? out.length - start : Math.round(opts.seconds * sampleRate);
  for (let h = 1; h <= n; h++) {
    const f = h * opts.f0;
    if (f >= sampleRate / 2) break;
    const w = (2 * Math.PI * f) / sampleRate;
    const a = amp / Math.pow(h, opts.rolloff ?? 1);
    for (let i = 0; i < len && start + i < out.length; i++) {
      const env = (i < attack ? i / attack : 1) * (decay === Infinity ? 1 : Math.exp(-i / (decay * sampleRate)));
      out[start + i] += a * env * Math.sin(w * i);
    }
  }
}

/** Adds `amplitude · sin(2π f (i − start) / sr)` over [start, end). */
export function addSine(out: Float32Array, start: number, end: number, sampleRate: number, frequency: number, amplitude: number): void {
  const w = (2 * Math.PI * frequency) / sampleRate;
  for (let i = start; i < end && i < out.length; i++) out[i] += amplitude * Math.sin(w * (i - start));
}

/** Multiplies [start, start + length) by a raised-cosine fade-in (and leaves the rest as is). */
export function fadeIn(out: Float32Array, start: number, length: number): void {
  for (let i = 0; i < length && start + i < out.length; i++) out[start + i] *= 0.5 - 0.5 * Math.cos((Math.PI * i) / length);
  for (let i = 0; i < start && i < out.length; i++) out[i] = 0;
}

/** Frequency of a (fractional) MIDI note with A4 = `a4` Hz. */
export function midiHz(midi: number, a4 = 440): number {
  return a4 * 2 ** ((midi - 69) / 12);
}

/** A plain copy of one hop's features (the analyzer reuses its object). */
export interface FeatureSnapshot {
  t: number; rms: number; peak: number; envelope: number;
  bands: number[]; bandsNorm: number[];
  onsetStrength: number; onsetStrengthNorm: number; onset: boolean;
  chroma: number[];
  percussive: number; percussiveNorm: number; harmonic: number; harmonicNorm: number;
  bpm: number; beatPhase: number; beatConfidence: number; beat: boolean;
}

export function snapshot(f: Features): FeatureSnapshot {
  return {
    t: f.t, rms: f.rms, peak: f.peak, envelope: f.envelope,
    bands: Array.from(f.bands), bandsNorm: Array.from(f.bandsNorm),
    onsetStrength: f.onsetStrength, onsetStrengthNorm: f.onsetStrengthNorm, onset: f.onset,
    chroma: Array.from(f.chroma),
    percussive: f.percussive, percussiveNorm: f.percussiveNorm, harmonic: f.harmonic, harmonicNorm: f.harmonicNorm,
    bpm: f.bpm, beatPhase: f.beatPhase, beatConfidence: f.beatConfidence, beat: f.beat,
  };
}

/** Feeds `samples` in buffers of `bufferSize` (the last one shorter); calls `onHop` per hop. */
export function feedInBuffers(a: Analyzer, samples: Float32Array, bufferSize: number, onHop: (f: Features) => void): void {
  for (let i = 0; i < samples.length; i += bufferSize) feed(a, samples.subarray(i, Math.min(samples.length, i + bufferSize)), onHop);
}

/** Every hop's features of `samples`, fed in buffers of `bufferSize`. */
export function analyzeAll(sampleRate: number, samples: Float32Array, overrides: AnalysisOverrides = {}, bufferSize = 1024): FeatureSnapshot[] {
  const a = createAnalyzer(sampleRate, overrides);
  const out: FeatureSnapshot[] = [];
  feedInBuffers(a, samples, bufferSize, (f) => out.push(snapshot(f)));
  return out;
}

/** Onset times (end of the firing hop) of `samples`, fed in buffers of `bufferSize`. */
export function onsetTimes(sampleRate: number, samples: Float32Array, overrides: AnalysisOverrides = {}, bufferSize = 1024): number[] {
  const a = createAnalyzer(sampleRate, overrides);
  const out: number[] = [];
  feedInBuffers(a, samples, bufferSize, (f) => { if (f.onset) out.push(f.t); });
  return out;
}

/** An explicit onset configuration for tests that check exact times (independent of the tuned defaults). */
export const FIXED_ONSET: OnsetParams = {
  compression: 100,
  whitenSeconds: 0,
  whitenFloor: 1e-3,
  maxFilterBands: 3,
  lagSeconds: 256 / 48000,
  delta: 2.5,
  averageFactor: 1,
  averageSeconds: 0.1,
  maxSeconds: 0.03,
  minIntervalSeconds: 0.03,
  silenceDb: -60,
  pitchWeight: 0,
  pitchLagSeconds: 0.04,
  pitchFloor: 0,
  pitchHarmonics: 6,
  pitchMinMidi: 48,
  pitchMaxMidi: 96,
  bassMaxHz: 150,
};
