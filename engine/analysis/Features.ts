import type { Seconds } from '../units.js';
import type { ChordEstimate } from './chord.js';

/**
 * The features of one analysis hop, for one input. Written in place by the analyzer each hop
 * (no allocation): a consumer that keeps a hop's values must copy them.
 *
 * Normalised values (`*Norm`, `envelope`, `bandsNorm`, `chroma`) are in [0, 1]; 1.0 means "loud
 * for this music so far" (a running maximum with slow decay), the live replacement of Lucid
 * Sonic Dreams' whole-song min–max.
 */
export interface Features {
  /** Engine time at the end of the hop: when these values became available. */
  t: Seconds;
  /** Raw RMS of the hop's samples (linear, full scale = 1). */
  rms: number;
  /** Raw absolute peak of the hop's samples. */
  peak: number;
  /** Attack/release follower of the RMS, normalised. */
  envelope: number;
  /** Raw low/mid/high band energies (mean power of the spectrum in each band). */
  bands: Float32Array;
  /** `bands`, each normalised on its own. */
  bandsNorm: Float32Array;
  /** Onset detection function (log-filtered spectral flux), raw. */
  onsetStrength: number;
  /** Onset detection function, normalised. */
  onsetStrengthNorm: number;
  /** True on the hop at which an onset was detected. */
  onset: boolean;
  /** 12 pitch classes C..B from note activations, scaled so the strongest is 1 (all 0 in silence). */
  chroma: Float32Array;
  /** 12 pitch classes of the bass (the lowest strong note and just above), strongest = 1 (all 0 in silence). */
  bass: Float32Array;
  /** The causal chord estimate (root 0 = C, quality, confidence), or null in silence. */
  chord: ChordEstimate | null;
  /** Causal percussive energy estimate, raw and normalised. */
  percussive: number;
  percussiveNorm: number;
  /** Causal harmonic (sustained) energy estimate, raw and normalised. */
  harmonic: number;
  harmonicNorm: number;
  /** Tempo estimate in beats per minute (0 until known). */
  bpm: number;
  /** Beat phase in [0, 1): 0 at a beat. */
  beatPhase: number;
  /** Confidence of the tempo/phase estimate in [0, 1]. */
  beatConfidence: number;
  /** True on the hop at which a (predicted) beat falls. */
  beat: boolean;
}

export function createFeatures(): Features {
  return {
    t: 0, rms: 0, peak: 0, envelope: 0,
    bands: new Float32Array(3), bandsNorm: new Float32Array(3),
    onsetStrength: 0, onsetStrengthNorm: 0, onset: false,
    chroma: new Float32Array(12), bass: new Float32Array(12), chord: null,
    percussive: 0, percussiveNorm: 0, harmonic: 0, harmonicNorm: 0,
    bpm: 0, beatPhase: 0, beatConfidence: 0, beat: false,
  };
}

/** Copies every value of `src` into `dst` (arrays element-wise; the chord into dst's own object, made once). */
export function copyFeatures(src: Features, dst: Features): Features {
  const { bands, bandsNorm, chroma, bass, chord, ...scalars } = src;
  const own = dst.chord;
  Object.assign(dst, scalars);
  dst.bands.set(bands);
  dst.bandsNorm.set(bandsNorm);
  dst.chroma.set(chroma);
  dst.bass.set(bass);
  if (!chord) dst.chord = null;
  else if (own && own !== chord) dst.chord = Object.assign(own, chord);
  else dst.chord = { ...chord };
  return dst;
}
