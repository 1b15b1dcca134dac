/** Seeded pseudo-random numbers (mulberry32) so the whole set is reproducible bit for bit. */

import { mulberry32 } from '../../engine/random.js';

/** A generator of uniform numbers in [0, 1). */
export type Rand = () => number;

/** mulberry32 (the test signals' generator): a 32-bit state, period 2^32, good enough for composing and for noise. */
export const rng: (seed: number) => Rand = mulberry32;

/** Helpers over one generator. */
export interface Dice {
  rand: Rand;
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function dice(seed: number): Dice {
  const rand = rng(seed);
  return {
    rand,
    range: (lo, hi) => lo + (hi - lo) * rand(),
    int: (lo, hi) => lo + Math.floor((hi - lo + 1) * rand()),
    chance: (p) => rand() < p,
    pick: (items) => items[Math.floor(rand() * items.length)],
  };
}

/** A stable 32-bit hash of a string (FNV-1a), to derive per-clip seeds from names. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
