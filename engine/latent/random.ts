/**
 * Deterministic randomness for the latent engine: a seeded PRNG (mulberry32) and the truncated
 * normal that Lucid Sonic Dreams draws its keyframes from (`scipy.stats.truncnorm(-2, 2)`).
 */
import type { Rng } from '../random.js';

export { mulberry32, type Rng } from '../random.js';

/** The truncation bound of the keyframe distribution, in standard deviations. */
export const TRUNC_LIMIT = 2;

/** Φ(−2) and Φ(2): the standard normal CDF at the truncation bounds. */
const PHI_LO = 0.022750131948179195;
const PHI_HI = 0.9772498680518208;

const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239] as const;
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1] as const;
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758276816847, -2.549732539343734, 4.374664141464968, 2.938163982698783] as const;
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;
const P_LOW = 0.02425;

/**
 * The standard normal quantile Φ⁻¹(p) for p in (0, 1) (Acklam's rational approximation,
 * relative error < 1.2e-9). Pure arithmetic, so the same on every machine.
 */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0)) return -Infinity;
  if (!(p < 1)) return Infinity;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    return ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  }
  const q = Math.sqrt(-2 * Math.log(1 - p));
  return -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
}

/** Just inside the bound: the result of {@link truncatedNormal} is strictly inside (−2, 2). */
const INSIDE = TRUNC_LIMIT - 1e-9;

/**
 * One draw from the standard normal truncated to (−2, 2), by inverse CDF: exactly one `rand()`
 * per draw, so the stream stays aligned however the draws are interleaved.
 */
export function truncatedNormal(rand: Rng): number {
  const u = rand() + 2 ** -33; // (0, 1): rand() is a multiple of 2^-32 below 1
  const x = inverseNormalCdf(PHI_LO + u * (PHI_HI - PHI_LO));
  return x > INSIDE ? INSIDE : x < -INSIDE ? -INSIDE : x;
}
