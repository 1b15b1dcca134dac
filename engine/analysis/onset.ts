import type { Db, Hz, Seconds } from '../units.js';
import type { SpectrumState } from './spectrum.js';
import { createKernels, f64In, i32In, kernelBytes, type KernelExports } from './kernels.js';

/**
 * Online onset detection: SuperFlux-style log-filtered spectral flux (Böck & Widmer, 2013)
 * with a maximum filter across frequency, fused with a pitch novelty (the rise of note saliences,
 * which finds legato note changes the flux misses), and causal rising-edge peak picking.
 */
export interface OnsetParams {
  /** Compression: bands are log10(1 + compression × magnitude). */
  compression: number;
  /**
   * Adaptive whitening (Stowell & Plumbley, 2007): each band is divided by its own running peak,
   * which forgets with this time constant, so soft new partials count as much as loud ones.
   * 0 turns it off.
   */
  whitenSeconds: Seconds;
  /** Whitening floor, in band magnitude (a full-scale sine reads 1): quieter bands are not raised. */
  whitenFloor: number;
  /** Width of the maximum filter across frequency, in filterbank bands (odd, ≥ 1). */
  maxFilterBands: number;
  /** Reference frame for the difference: the frame this long before the current one (SuperFlux's μ). */
  lagSeconds: Seconds;
  /** Fixed part of the threshold, in ODF units (log10 magnitude summed over bands). */
  delta: number;
  /** Adaptive part of the threshold: this factor times the median ODF over `averageSeconds`. */
  averageFactor: number;
  averageSeconds: Seconds;
  /** A detection must be the maximum of the ODF over this much past (0 = rising edge only). */
  maxSeconds: Seconds;
  /** Minimum time between two onsets (65 ms: plucked notes of the tune half and kalimba re-fired on a second transient 50–65 ms after the pluck). */
  minIntervalSeconds: Seconds;
  /** No onset while the newest hop's level is below this (dBFS RMS). */
  silenceDb: Db;
  /**
   * Weight of the pitch novelty in the detection function (0 = spectral flux only). The pitch
   * novelty is, summed over the notes `pitchMinMidi`..`pitchMaxMidi`, how far each note's salience
   * (its first `pitchHarmonics` partials, weighted 1/h, in the flux's whitened, compressed bands,
   * averaged over the newest two frames) exceeds its maximum over the past `pitchLagSeconds`: a
   * new note under ringing partials raises its own partials together even when the level does
   * not rise, while beating and vibrato faster than the lag do not count.
   */
  pitchWeight: number;
  pitchLagSeconds: Seconds;
  /** A note counts only by how far its rise exceeds this (salience units): noise lifts many notes a little, a new note lifts its own a lot. */
  pitchFloor: number;
  pitchHarmonics: number;
  pitchMinMidi: number;
  pitchMaxMidi: number;
  /** The bass flux (the beat's kick accent, {@link OnsetState.bassFlux}) sums the bands centred up to here. */
  bassMaxHz: Hz;
}

/**
 * Defaults tuned on the evaluation set (bench/eval, `bench/eval/tune.ts`): the best mean F over
 * drums, plucked, legato and full mixes (clean, noisy, reverberant) with a median latency ≤ 12 ms.
 * The pitch novelty's settings and `delta` were picked on the tune half (clips 0–7) alone, among
 * those that fire nothing on a steady chord with beating partials (analysis-onset.test.ts) or on
 * decaying chords over a noise floor (analysis-hopsize.test.ts), at 44.1 and 48 kHz.
 */
export const defaultOnsetParams: OnsetParams = {
  compression: 10,
  whitenSeconds: 2,
  whitenFloor: 1e-3,
  maxFilterBands: 3,
  lagSeconds: 0.016,
  delta: 2.5,
  averageFactor: 1.5,
  averageSeconds: 0.1,
  maxSeconds: 0.03,
  minIntervalSeconds: 0.065,
  silenceDb: -60,
  pitchWeight: 6,
  pitchLagSeconds: 0.06,
  pitchFloor: 0.02,
  pitchHarmonics: 10,
  pitchMinMidi: 48,
  pitchMaxMidi: 108,
  bassMaxHz: 150,
};

/** A partial further than this (natural log of the frequency ratio, one semitone) from every band centre is left out. */
const SEMITONE_LOG = Math.log(2) / 12;

/** The band (centres ascending) nearest to `f` on a log scale, the lower on a tie; -1 when none is within a semitone. */
function nearestBand(centres: Float64Array, f: Hz): number {
  let lo = 0;
  let hi = centres.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (centres[mid] < f) lo = mid + 1;
    else hi = mid;
  }
  let best = -1;
  let distance = SEMITONE_LOG;
  for (const b of [lo - 1, lo]) {
    if (b < 0 || b >= centres.length) continue;
    const d = Math.abs(Math.log(centres[b] / f));
    if (d < distance) { distance = d; best = b; }
  }
  return best;
}

/** Preallocated onset detector state. */
export interface OnsetState {
  readonly hopSeconds: Seconds;
  /** Log band magnitudes of past frames, a ring of `lagHops + 1` rows. */
  readonly logBands: Float64Array[];
  /** Running peak of each band (adaptive whitening). */
  readonly bandPeak: Float64Array;
  /** Per-hop decay of the running peak. */
  readonly whitenDecay: number;
  ring: number;
  readonly lagHops: number;
  /** Past ODF values for the adaptive threshold and the maximum test. */
  readonly history: Float64Array;
  /** Scratch for the running median. */
  readonly sorted: Float64Array;
  historyPos: number;
  readonly averageHops: number;
  readonly maxHops: number;
  /** Frames seen so far (the first `lagHops` give no flux). */
  frames: number;
  /** Engine time of the last onset (−∞ before the first). */
  lastOnset: Seconds;
  /**
   * Pitch novelty: note n's partials are entries partialStart[n]..partialStart[n+1] of the
   * filterbank band of each (partials with no band within a semitone, or past Nyquist, left out)
   * and its weight (1/h, each note's weights over all its harmonics summing to 1).
   */
  readonly partialStart: Int32Array;
  readonly partialBands: Int32Array;
  readonly partialWeights: Float64Array;
  /** Note saliences of past frames, a ring of `pitchLagHops + 1` rows of `noteCount`, row-major. */
  readonly salience: Float64Array;
  readonly noteCount: number;
  readonly pitchLagHops: number;
  /** The newest frame's note saliences before smoothing (each row of `salience` is the mean of two frames'). */
  readonly rawSalience: Float64Array;
  /** Scratch: each note's maximum salience over the past frames of the ring. */
  readonly pastMax: Float64Array;
  /** Bands (from the lowest) in the bass flux. */
  readonly bassBands: number;
  /** Outputs of the newest hop: the fused detection function, its two parts, the threshold, the decision. */
  odf: number;
  flux: number;
  /** The part of `flux` from the bands up to `bassMaxHz` (kick drums, bass notes). */
  bassFlux: number;
  pitchNovelty: number;
  threshold: number;
  onset: boolean;
  /** The pitch novelty's arrays (and the band rows it reads) in a SIMD kernel instance: their byte offsets there; null: in JavaScript. */
  readonly kernel: OnsetKernel | null;
}

interface OnsetKernel {
  readonly run: KernelExports;
  /** Byte offset of each row of `logBands`. */
  readonly bandRows: readonly number[];
  readonly partialStart: number;
  readonly partialBands: number;
  readonly partialWeights: number;
  readonly rawSalience: number;
  readonly salience: number;
  readonly pastMax: number;
}

/** `simd`: the pitch novelty in the WebAssembly SIMD kernels where they run (the same bits either way). */
export function createOnsetState(spec: SpectrumState, hopSeconds: Seconds, p: OnsetParams = defaultOnsetParams, simd = true): OnsetState {
  const bandCount = spec.bandCount;
  const lagHops = Math.max(1, Math.round(p.lagSeconds / hopSeconds));
  const pitchLagHops = Math.max(1, Math.round(p.pitchLagSeconds / hopSeconds));
  const noteCount = p.pitchWeight > 0 ? Math.max(0, p.pitchMaxMidi - p.pitchMinMidi + 1) : 0;
  const harmonics = Math.max(1, Math.round(p.pitchHarmonics));
  const partialStart = new Int32Array(noteCount + 1);
  const bands: number[] = [];
  const weights: number[] = [];
  let sum = 0;
  for (let h = 1; h <= harmonics; h++) sum += 1 / h;
  for (let n = 0; n < noteCount; n++) {
    partialStart[n] = bands.length;
    const f0 = 440 * 2 ** ((p.pitchMinMidi + n - 69) / 12);
    for (let h = 1; h <= harmonics; h++) {
      const f = h * f0;
      const band = f < spec.sampleRate / 2 ? nearestBand(spec.bandHz, f) : -1;
      if (band < 0) continue;
      bands.push(band);
      weights.push(1 / h / sum);
    }
  }
  partialStart[noteCount] = bands.length;
  const rows = pitchLagHops + 1;
  const k = simd && noteCount > 0
    ? createKernels(kernelBytes([...Array.from({ length: lagHops + 1 }, () => bandCount), noteCount + 1, bands.length, bands.length, noteCount, rows * noteCount, noteCount]))
    : null;
  const bandRows = Array.from({ length: lagHops + 1 }, () => f64In(k, bandCount));
  const start = i32In(k, partialStart);
  const partialBands = i32In(k, bands);
  const partialWeights = f64In(k, weights);
  const rawSalience = f64In(k, noteCount);
  const salience = f64In(k, rows * noteCount);
  const pastMax = f64In(k, noteCount);
  const kernel = k === null ? null : {
    run: k.exports, bandRows: bandRows.map((r) => r.ptr), partialStart: start.ptr, partialBands: partialBands.ptr,
    partialWeights: partialWeights.ptr, rawSalience: rawSalience.ptr, salience: salience.ptr, pastMax: pastMax.ptr,
  };
  const averageHops = Math.max(1, Math.round(p.averageSeconds / hopSeconds));
  const maxHops = Math.max(0, Math.round(p.maxSeconds / hopSeconds));
  return {
    hopSeconds,
    logBands: bandRows.map((r) => r.view),
    bandPeak: new Float64Array(bandCount),
    whitenDecay: p.whitenSeconds > 0 ? Math.exp(-hopSeconds / p.whitenSeconds) : 0,
    ring: 0,
    lagHops,
    history: new Float64Array(Math.max(averageHops, maxHops, 1)),
    sorted: new Float64Array(averageHops),
    historyPos: 0,
    averageHops,
    maxHops,
    frames: 0,
    lastOnset: -Infinity,
    partialStart: start.view,
    partialBands: partialBands.view,
    partialWeights: partialWeights.view,
    salience: salience.view,
    noteCount,
    pitchLagHops,
    rawSalience: rawSalience.view,
    pastMax: pastMax.view,
    bassBands: spec.bandHz.filter((f) => f <= p.bassMaxHz).length,
    odf: 0,
    flux: 0,
    bassFlux: 0,
    pitchNovelty: 0,
    threshold: 0,
    onset: false,
    kernel,
  };
}

/**
 * One hop: reads the spectrum's band magnitudes, computes the ODF, and decides whether an
 * onset fires at time `t` (the end of the hop). `hopDb` is the newest hop's level, for the gate.
 *
 * @remarks Peak picking is causal: a hop fires when its ODF exceeds the adaptive threshold and
 * is the largest of the last `maxSeconds`, and no onset fired in the last
 * `minIntervalSeconds`. Firing on the first hop above threshold (rather than waiting to see
 * the ODF fall) is what keeps the detection latency to one or two hops.
 */
export function onsetStep(spec: SpectrumState, hopDb: Db, t: Seconds, s: OnsetState, p: OnsetParams): void {
  const n = spec.bandCount;
  const row = s.ring;
  const cur = s.logBands[row];
  const bands = spec.bandMag;
  if (p.whitenSeconds > 0) {
    const peaks = s.bandPeak;
    for (let b = 0; b < n; b++) {
      const m = bands[b];
      let pk = peaks[b] * s.whitenDecay;
      if (m > pk) pk = m;
      if (pk < p.whitenFloor) pk = p.whitenFloor;
      peaks[b] = pk;
      cur[b] = Math.log10(1 + p.compression * (m / pk));
    }
  } else {
    for (let b = 0; b < n; b++) cur[b] = Math.log10(1 + p.compression * bands[b]);
  }
  let flux = 0;
  let bassFlux = 0;
  if (s.frames >= s.lagHops) {
    const ref = s.logBands[(s.ring + s.logBands.length - s.lagHops) % s.logBands.length];
    const half = (p.maxFilterBands - 1) >> 1;
    for (let b = 0; b < n; b++) {
      let m = ref[b];
      const lo = b - half < 0 ? 0 : b - half;
      const hi = b + half >= n ? n - 1 : b + half;
      for (let j = lo; j <= hi; j++) if (ref[j] > m) m = ref[j];
      const d = cur[b] - m;
      if (d > 0) flux += d;
      if (b + 1 === s.bassBands) bassFlux = flux;
    }
  }
  s.ring = (s.ring + 1) % s.logBands.length;
  const novelty = p.pitchWeight <= 0 ? 0 : s.kernel === null ? pitchNoveltyStep(cur, s, p) : kernelPitchNovelty(s.kernel, row, s, p);
  s.frames++;
  const odf = flux + p.pitchWeight * novelty;

  const hist = s.history;
  const len = hist.length;
  const sorted = s.sorted;
  for (let i = 1; i <= s.averageHops; i++) {
    const v = hist[(s.historyPos - i + len * 2) % len];
    let j = i - 1;
    while (j > 0 && sorted[j - 1] > v) {
      sorted[j] = sorted[j - 1];
      j--;
    }
    sorted[j] = v;
  }
  const median = sorted[s.averageHops >> 1];
  let isMax = true;
  for (let i = 1; i <= s.maxHops; i++) if (hist[(s.historyPos - i + len * 2) % len] > odf) isMax = false;
  const threshold = p.delta + p.averageFactor * median;
  hist[s.historyPos] = odf;
  s.historyPos = (s.historyPos + 1) % len;

  s.odf = odf;
  s.flux = flux;
  s.bassFlux = bassFlux;
  s.pitchNovelty = novelty;
  s.threshold = threshold;
  s.onset = odf >= threshold && isMax && hopDb >= p.silenceDb && t - s.lastOnset >= p.minIntervalSeconds - 1e-9;
  if (s.onset) s.lastOnset = t;
}

/** {@link pitchNoveltyStep} in the kernels: the same sums in the same order. */
function kernelPitchNovelty(k: OnsetKernel, bandRow: number, s: OnsetState, p: OnsetParams): number {
  const rows = s.pitchLagHops + 1;
  return k.run.pitchNovelty(k.bandRows[bandRow], k.partialStart, k.partialBands, k.partialWeights, s.noteCount, k.rawSalience,
    k.salience, rows, s.frames % rows, k.pastMax, s.frames < s.pitchLagHops ? 0 : 1, p.pitchFloor);
}

/**
 * The pitch novelty of the newest frame (before `s.frames` counts it): each note's salience from
 * the whitened, compressed filterbank bands at its partials (`bands`, the flux's own), and the
 * summed rise of the saliences over their maximum in the past `pitchLagHops` frames.
 */
function pitchNoveltyStep(bands: Float64Array, s: OnsetState, p: OnsetParams): number {
  const notes = s.noteCount;
  const rows = s.pitchLagHops + 1;
  const sal = s.salience;
  const cur = (s.frames % rows) * notes;
  const { partialStart: start, partialBands: partials, partialWeights: weights, rawSalience: raw } = s;
  for (let n = 0; n < notes; n++) {
    let acc = 0;
    for (let i = start[n]; i < start[n + 1]; i++) acc += weights[i] * bands[partials[i]];
    sal[cur + n] = 0.5 * (acc + raw[n]);
    raw[n] = acc;
  }
  if (s.frames < s.pitchLagHops) return 0;
  // Each note's maximum over the other rows of the ring (the past `pitchLagHops` frames).
  const past = s.pastMax;
  past.fill(0);
  for (let r = 0; r < sal.length; r += notes) {
    if (r === cur) continue;
    for (let n = 0; n < notes; n++) if (sal[r + n] > past[n]) past[n] = sal[r + n];
  }
  let novelty = 0;
  for (let n = 0; n < notes; n++) {
    const d = sal[cur + n] - past[n] - p.pitchFloor;
    if (d > 0) novelty += d;
  }
  return novelty;
}
