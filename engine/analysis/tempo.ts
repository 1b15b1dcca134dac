import type { Seconds } from '../units.js';
import type { BeatParams } from './beat.js';

/** Tempo in beats per minute. */
export type Bpm = number;

/**
 * Exponentially windowed autocorrelation of the downsampled onset-strength signal, updated one
 * frame at a time, and the scratch its tempo estimate works in.
 *
 * @remarks Recursive rather than recomputed: each new frame costs one multiply–add per lag and
 * the history is never re-scanned, so tempo can be re-estimated often for almost nothing. The
 * per-lag decay is folded into one shared `scale` (the true sum is `raw × scale`), so a frame
 * whose onset strength is zero costs O(1). An exponential window weights every lag alike (a
 * rectangular one gives long lags fewer products).
 */
export interface TempoAcf {
  /** Largest lag held, in frames: at least 4 × the slowest beat period (see `estimateTempo`). */
  readonly maxLag: number;
  /** Unscaled lag products Σ gᵃᵍᵉ·x[n]·x[n−lag]. */
  readonly raw: Float64Array;
  scale: number;
  /** Σ gᵃᵍᵉ (the window's total weight) and Σ gᵃᵍᵉ·x (for the mean). */
  weight: number;
  sum: number;
  /** Frames pushed so far, and the window's per-frame decay g (for the overlap at each lag). */
  frames: number;
  decay: number;
  /** Scratch: the mean-removed autocorrelation and its smoothed copy. */
  readonly acov: Float64Array;
  readonly smooth: Float64Array;
}

/** The result of one tempo estimate. */
export interface TempoEstimate {
  /** Beat period. */
  period: Seconds;
  /** Normalised autocorrelation at 1–4 × the beat period (mean of the four peaks), in [0, 1]:
   *  1 for a clean pulse train, near 0 for onsets at random. */
  periodicity: number;
  /** The period's score (prior × comb, see `estimateTempo`), to compare with `scorePeriod`. */
  score: number;
}

export function createTempoAcf(maxLag: number): TempoAcf {
  return {
    maxLag,
    raw: new Float64Array(maxLag + 1),
    scale: 1,
    weight: 0,
    sum: 0,
    frames: 0,
    decay: 1,
    acov: new Float64Array(maxLag + 1),
    smooth: new Float64Array(maxLag + 1),
  };
}

/**
 * Add the newest frame, `ring[newest]`, to the autocorrelation; older frames are read back from
 * the ring. `decay` is the window's per-frame factor g = exp(−frame / τ).
 */
export function acfPush(acf: TempoAcf, ring: Float32Array, newest: number, decay: number): void {
  const x = ring[newest];
  acf.scale *= decay;
  acf.frames++;
  acf.decay = decay;
  acf.weight = acf.weight * decay + 1;
  acf.sum = acf.sum * decay + x;
  const raw = acf.raw;
  if (x > 0) {
    const xs = x / acf.scale;
    const maxLag = acf.maxLag;
    const n = ring.length;
    const direct = Math.min(maxLag, newest);
    for (let l = 0; l <= direct; l++) raw[l] += xs * ring[newest - l];
    for (let l = direct + 1; l <= maxLag; l++) raw[l] += xs * ring[newest - l + n];
  }
  if (acf.scale < 1e-100) {
    for (let l = 0; l <= acf.maxLag; l++) raw[l] *= acf.scale;
    acf.scale = 1;
  }
}

/**
 * In the three-against-four check a lag's products are divided by the share of the window weight
 * that has them (the frames at least `lag` old), but never by less than this: early on, a bar-long
 * lag has few products and would otherwise read as weakly periodic, while one product alone is noise.
 */
const MIN_OVERLAP = 0.25;

/** Log-Gaussian tempo prior: 1 at `centre`, e^(−½) one `octaves` away. */
export function tempoPrior(bpm: Bpm, centre: Bpm, octaves: number): number {
  const z = Math.log2(bpm / centre) / octaves;
  return Math.exp(-0.5 * z * z);
}

/** Offset in (−½, ½) of a parabola's vertex through (−1, a), (0, b), (1, c); 0 if not a peak. */
export function parabolicOffset(a: number, b: number, c: number): number {
  const den = a - 2 * b + c;
  if (!(den < 0)) return 0;
  const d = (0.5 * (a - c)) / den;
  return d > 0.5 ? 0.5 : d < -0.5 ? -0.5 : d;
}

/**
 * Estimate the beat period from the autocorrelation. Writes `out` and returns true, or returns
 * false when there is nothing periodic to go on.
 *
 * 1. Mean-removed autocorrelation, smoothed by a 5-tap binomial kernel (so a peak spread over
 *    neighbouring lags by jitter and frame quantisation has one maximum and a parabola fits it).
 * 2. Score each lag in minBpm..maxBpm: tempo prior × (acf(lag) + ½·acf(2·lag)), the second term a
 *    comb that favours lags whose double is periodic too; take the best.
 * 3. Metrical level: an even pulse train scores alike at its period and at twice it, and the prior
 *    alone would pick whichever lies closer to the centre. What tells them apart is the odd
 *    multiples of the half lag: take the double tempo (if ≤ maxBpm) when prior × (acf(½·lag) +
 *    acf(1½·lag)) is at least `fasterLevelRatio` × prior × (acf(lag) + acf(2·lag)); two lags a
 *    side, as one lag's autocorrelation is noisy over a few seconds of history.
 * 4. Three against four: take 4/3 of the lag when its pulse train (acf at 1, 2, 3 and 4 × it,
 *    multiples of the interpolated lag, each lag normalised by the share of the window that has
 *    products at it, see MIN_OVERLAP) is stronger, by `threeFourRatio`, than the picked lag's (a
 *    3-3-2 figure over a steady beat).
 * 5. Refine the period by least squares over the peaks at 1, 2, 3, 4 × the lag (each found by
 *    parabolic interpolation): the error of a peak's position does not grow with its lag, so the
 *    period is ~4× finer than a single peak gives. The same four peaks, averaged, give the
 *    periodicity: a chance peak at one lag of a random onset train rarely has its multiples.
 *
 * @param centreBpm centre of the tempo prior: `preferredBpm`, or the last tapped tempo.
 */
export function estimateTempo(
  acf: TempoAcf,
  frameSeconds: Seconds,
  params: BeatParams,
  centreBpm: Bpm,
  out: TempoEstimate,
): boolean {
  const { acov: c, smooth: s, maxLag, raw } = acf;
  if (!(acf.weight > 0)) return false;
  const mean = acf.sum / acf.weight;
  const m2 = mean * mean;
  const k = acf.scale / acf.weight;
  for (let l = 0; l <= maxLag; l++) c[l] = raw[l] * k - m2;
  for (let l = 0; l <= maxLag; l++) {
    const a = c[l < 2 ? 2 - l : l - 2];
    const b = c[l < 1 ? 1 : l - 1];
    const d = c[l + 1 > maxLag ? maxLag : l + 1];
    const e = c[l + 2 > maxLag ? maxLag : l + 2];
    s[l] = (a + 4 * b + 6 * c[l] + 4 * d + e) / 16;
  }
  const s0 = s[0];
  if (!(s0 > 0)) return false;

  const lo = Math.max(2, Math.floor(60 / (params.maxBpm * frameSeconds)));
  const hi = Math.min((maxLag >> 1) - 2, Math.ceil(60 / (params.minBpm * frameSeconds)));
  if (hi <= lo) return false;
  const oct = params.priorOctaves;
  let best = -1;
  let bestScore = 0;
  for (let l = lo; l <= hi; l++) {
    const v = lagScore(s, l, frameSeconds, centreBpm, oct);
    if (v > bestScore) {
      bestScore = v;
      best = l;
    }
  }
  if (best < 0) return false;

  const half = Math.round(best / 2);
  if (half - 1 >= 2 && 60 / ((best / 2) * frameSeconds) <= params.maxBpm) {
    let h = half;
    for (let l = half - 1; l <= half + 1; l += 2) if (s[l] > s[h]) h = l;
    const h3 = Math.round(1.5 * best);
    const odd = Math.max(s[h], 0) + Math.max(s[h3 - 1], s[h3], s[h3 + 1], 0);
    const even = Math.max(s[best], 0) + Math.max(s[2 * best - 1], s[2 * best], s[2 * best + 1], 0);
    const oct = params.priorOctaves;
    const faster = tempoPrior(60 / (h * frameSeconds), centreBpm, oct) * odd;
    if (faster >= params.fasterLevelRatio * tempoPrior(60 / (best * frameSeconds), centreBpm, oct) * even) {
      best = h;
      bestScore = lagScore(s, h, frameSeconds, centreBpm, oct);
    }
  }

  // Three against four: a 3-3-2 figure (dembow, tresillo) over a steady beat is periodic at three
  // sixteenths, ¾ of the beat, but its multiples are not (nine sixteenths barely repeat), while the
  // beat's are: take the slower lag when its pulse train (1–4 × it) beats the picked lag's.
  // The trains' multiples are taken of the interpolated lag: 4 × a lag rounded to whole frames can
  // miss its peak by more than the frame either side that `at` looks at.
  const bestLag = best + parabolicOffset(s[best - 1], s[best], s[best + 1]);
  const slowLag = (4 / 3) * bestLag;
  if (Math.round(4 * slowLag) + 1 <= maxLag && 60 / (slowLag * frameSeconds) >= params.minBpm) {
    const at = (l: number): number => Math.max(s[l - 1], s[l], s[l + 1], 0);
    const g = acf.decay;
    const all = 1 - Math.pow(g, acf.frames);
    // Early on a bar-long lag has products over only part of the window: scale them up to it.
    const unbiased = (l: number): number => {
      const share = acf.frames > l ? (1 - Math.pow(g, acf.frames - l)) / all : 0;
      const v = (at(l) + m2) / (share > MIN_OVERLAP ? share : MIN_OVERLAP) - m2;
      return v > 0 ? v : 0;
    };
    const train = (lag: number): number => unbiased(Math.round(lag)) + unbiased(Math.round(2 * lag)) + unbiased(Math.round(3 * lag)) + unbiased(Math.round(4 * lag));
    if (train(slowLag) > params.threeFourRatio * train(bestLag)) {
      best = Math.round(slowLag);
      bestScore = lagScore(s, best, frameSeconds, centreBpm, params.priorOctaves);
    }
  }

  let lag = best + parabolicOffset(s[best - 1], s[best], s[best + 1]);
  const peak = s[best] > 0 ? s[best] : 0;
  let num = peak * lag;
  let den = peak;
  let heights = peak;
  for (let m = 2; m <= 4; m++) {
    const centre = Math.round(m * lag);
    if (centre + 3 > maxLag) break;
    let j = centre - 2;
    for (let l = centre - 1; l <= centre + 2; l++) if (s[l] > s[j]) j = l;
    if (!(s[j] > 0) || s[j] < s[j - 1] || s[j] < s[j + 1]) continue;
    const p = j + parabolicOffset(s[j - 1], s[j], s[j + 1]);
    num += s[j] * m * p;
    den += s[j] * m * m;
    heights += s[j];
    lag = num / den;
  }
  const rho = heights / (4 * s0);
  out.period = lag * frameSeconds;
  out.periodicity = rho > 1 ? 1 : rho < 0 ? 0 : rho;
  out.score = bestScore;
  return true;
}

/**
 * Score of a given period against the autocorrelation of the last `estimateTempo` (the best of
 * the lags around it), on the same scale as `TempoEstimate.score`.
 */
export function scorePeriod(acf: TempoAcf, period: Seconds, frameSeconds: Seconds, params: BeatParams, centreBpm: Bpm): number {
  const l = Math.round(period / frameSeconds);
  if (l < 3 || 2 * (l + 1) > acf.maxLag) return 0;
  let v = 0;
  for (let j = l - 1; j <= l + 1; j++) v = Math.max(v, lagScore(acf.smooth, j, frameSeconds, centreBpm, params.priorOctaves));
  return v;
}

/** Score of one lag: tempo prior × (acf(lag) + ½·acf(2·lag)), negative values counted as 0. */
function lagScore(s: Float64Array, l: number, frameSeconds: Seconds, centre: Bpm, octaves: number): number {
  const a = s[l] > 0 ? s[l] : 0;
  const b = s[2 * l] > 0 ? s[2 * l] : 0;
  return tempoPrior(60 / (l * frameSeconds), centre, octaves) * (a + 0.5 * b);
}
