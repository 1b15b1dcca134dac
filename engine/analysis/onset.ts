import type { Db, Seconds } from '../units.js';
import type { SpectrumState } from './spectrum.js';

/**
 * Online onset detection: SuperFlux-style log-filtered spectral flux (Böck & Widmer, 2013)
 * with a maximum filter across frequency, and causal peak picking.
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
  /** Minimum time between two onsets. */
  minIntervalSeconds: Seconds;
  /** No onset while the newest hop's level is below this (dBFS RMS). */
  silenceDb: Db;
}

/**
 * Defaults tuned on the evaluation set (bench/eval, `bench/eval/tune.ts`): the best mean F over
 * drums, plucked, legato and full mixes (clean, noisy, reverberant) with a median latency ≤ 12 ms.
 */
export const defaultOnsetParams: OnsetParams = {
  compression: 10,
  whitenSeconds: 2,
  whitenFloor: 1e-3,
  maxFilterBands: 3,
  lagSeconds: 0.016,
  delta: 2.3,
  averageFactor: 1.5,
  averageSeconds: 0.1,
  maxSeconds: 0.03,
  minIntervalSeconds: 0.05,
  silenceDb: -60,
};

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
  /** Outputs of the newest hop. */
  odf: number;
  threshold: number;
  onset: boolean;
}

export function createOnsetState(bandCount: number, hopSeconds: Seconds, p: OnsetParams = defaultOnsetParams): OnsetState {
  const lagHops = Math.max(1, Math.round(p.lagSeconds / hopSeconds));
  const averageHops = Math.max(1, Math.round(p.averageSeconds / hopSeconds));
  const maxHops = Math.max(0, Math.round(p.maxSeconds / hopSeconds));
  return {
    hopSeconds,
    logBands: Array.from({ length: lagHops + 1 }, () => new Float64Array(bandCount)),
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
    odf: 0,
    threshold: 0,
    onset: false,
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
  const cur = s.logBands[s.ring];
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
  let odf = 0;
  if (s.frames >= s.lagHops) {
    const ref = s.logBands[(s.ring + s.logBands.length - s.lagHops) % s.logBands.length];
    const half = (p.maxFilterBands - 1) >> 1;
    for (let b = 0; b < n; b++) {
      let m = ref[b];
      const lo = b - half < 0 ? 0 : b - half;
      const hi = b + half >= n ? n - 1 : b + half;
      for (let j = lo; j <= hi; j++) if (ref[j] > m) m = ref[j];
      const d = cur[b] - m;
      if (d > 0) odf += d;
    }
  }
  s.ring = (s.ring + 1) % s.logBands.length;
  s.frames++;

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
  s.threshold = threshold;
  s.onset = odf >= threshold && isMax && hopDb >= p.silenceDb && t - s.lastOnset >= p.minIntervalSeconds - 1e-9;
  if (s.onset) s.lastOnset = t;
}
