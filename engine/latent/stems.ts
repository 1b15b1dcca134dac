import type { InputRoute } from '../audio/AudioBlock.js';

/** Which named input drives each part of the latent (unset: the first input). */
export interface StemChoice {
  pulse?: string;
  motion?: string;
  class?: string;
}

/** The input index behind each part of the latent. */
export interface StemIndices {
  pulse: number;
  motion: number;
  class: number;
}

/**
 * Resolves input names to route indices.
 * @throws Error naming the part and the unknown input, with the inputs there are.
 */
export function resolveStems(routes: readonly InputRoute[], choice: StemChoice = {}): StemIndices {
  const find = (part: keyof StemChoice): number => {
    const name = choice[part];
    if (name === undefined) return 0;
    const i = routes.findIndex((r) => r.name === name);
    if (i < 0) throw new Error(`--${part} ${name}: no input of that name (inputs: ${routes.map((r) => r.name).join(', ')})`);
    return i;
  };
  return { pulse: find('pulse'), motion: find('motion'), class: find('class') };
}
