/** Seeded randomness shared by test signals, the evaluation set and the latent engine. */

/** A PRNG returning floats in [0, 1). */
export type Rng = () => number;

/** A seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
