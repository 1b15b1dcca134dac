import type { Seconds } from '../units.js';

/**
 * Running normalisation: a peak follower that rises instantly and decays exponentially, so
 * `value / peak` reads 1.0 for "as loud as this music has been lately".
 *
 * @remarks Lucid Sonic Dreams min–max normalises over the whole song; live, the future is
 * unknown, so the maximum so far (forgotten with time constant `decaySeconds`) stands in.
 * `floor` keeps silence from being amplified to 1.
 */
export interface Normalizer {
  peak: number;
  readonly decay: number;
  readonly floor: number;
}

export function createNormalizer(hopSeconds: Seconds, decaySeconds: Seconds, floor: number): Normalizer {
  return { peak: floor, decay: Math.exp(-hopSeconds / decaySeconds), floor };
}

/** Feeds one value; returns it normalised to [0, 1]. */
export function normalize(n: Normalizer, value: number): number {
  const decayed = n.peak * n.decay;
  n.peak = value > decayed ? value : decayed > n.floor ? decayed : n.floor;
  const v = value / n.peak;
  return v > 1 ? 1 : v > 0 ? v : 0;
}
