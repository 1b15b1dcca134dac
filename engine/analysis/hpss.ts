import type { Seconds } from '../units.js';

/**
 * A causal percussive/harmonic split of filterbank magnitudes, the live stand-in for librosa's
 * HPSS (which median-filters over ±170 ms of future frames).
 *
 * @remarks Per band, the harmonic reference is a slow leaky average over the past (sustained
 * energy); the percussive reference is a short average across neighbouring bands (broadband
 * energy). Soft masks H²/(H²+P²) and P²/(H²+P²) split each band's power, as in HPSS.
 */
export interface HpssParams {
  /** Time constant of the sustained (harmonic) reference per band. */
  harmonicSeconds: Seconds;
  /** Half-width of the across-frequency (percussive) average, in bands. */
  percussiveBands: number;
}

export const defaultHpssParams: HpssParams = { harmonicSeconds: 0.1, percussiveBands: 4 };

export interface HpssState {
  readonly sustained: Float64Array;
  readonly alpha: number;
  percussive: number;
  harmonic: number;
}

export function createHpssState(bandCount: number, hopSeconds: Seconds, p: HpssParams = defaultHpssParams): HpssState {
  return { sustained: new Float64Array(bandCount), alpha: 1 - Math.exp(-hopSeconds / p.harmonicSeconds), percussive: 0, harmonic: 0 };
}

/** One hop over the band magnitudes; sets `percussive` and `harmonic` (mean power per band). */
export function hpssStep(bandMag: Float64Array, s: HpssState, p: HpssParams): void {
  const n = bandMag.length;
  const w = p.percussiveBands;
  let perc = 0;
  let harm = 0;
  let windowSum = 0;
  let lo = 0;
  let hi = -1;
  for (let b = 0; b < n; b++) {
    while (hi < Math.min(n - 1, b + w)) windowSum += bandMag[++hi];
    while (lo < b - w) windowSum -= bandMag[lo++];
    const across = windowSum / (hi - lo + 1);
    const h = s.sustained[b];
    const x = bandMag[b];
    const h2 = h * h;
    const p2 = across * across;
    const total = h2 + p2;
    const power = x * x;
    if (total > 0) {
      perc += (power * p2) / total;
      harm += (power * h2) / total;
    }
    s.sustained[b] = h + s.alpha * (x - h);
  }
  s.percussive = perc / n;
  s.harmonic = harm / n;
}
