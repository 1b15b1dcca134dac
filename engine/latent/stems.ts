import type { InputRoute } from '../audio/AudioBlock.js';
import { copyFeatures, type Features } from '../analysis/Features.js';
import type { ParamValues } from '../params/registry.js';
import { createLatentInput, latentInputFromStems, pulseSource, type LatentInput } from './latent.js';

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

/**
 * Turns per-hop features of several inputs into one latent input per frame, with per-stem
 * routing: the newest features of each input, and the pulse source's peak over the hops since
 * the last frame (a transient shorter than a frame still kicks). Allocation-free.
 */
export interface StemTracker {
  /** Call for every analysis hop of input `index` (the object is kept, not copied). */
  onHop(index: number, f: Features): void;
  /** The newest features of input `index`. */
  latest(index: number): Features;
  /**
   * The pulse input's features for the frame about to be shown (effects read them): the newest
   * values, with `percussiveNorm` and `onsetStrengthNorm` at their peak since the last frame and
   * `onset` and `beat` true if any hop had one. Call before {@link frameInput}, which resets the peaks.
   */
  frameFeatures(out: Features): Features;
  /** The latent input for the frame about to be stepped; resets the held peaks. */
  frameInput(params: ParamValues): LatentInput;
}

/** `params` chooses the pulse source until the first {@link StemTracker.frameInput} passes newer ones. */
export function createStemTracker(stems: StemIndices, inputCount: number, initial: () => Features, params: ParamValues): StemTracker {
  const latest: Features[] = Array.from({ length: inputCount }, initial);
  const input = createLatentInput();
  let held = 0;
  let percussive = 0;
  let onsetStrength = 0;
  let onset = false;
  let beat = false;
  return {
    onHop(index, f) {
      latest[index] = f;
      if (index !== stems.pulse) return;
      held = Math.max(held, pulseSource(f, params));
      percussive = Math.max(percussive, f.percussiveNorm);
      onsetStrength = Math.max(onsetStrength, f.onsetStrengthNorm);
      onset ||= f.onset;
      beat ||= f.beat;
    },
    latest: (index) => latest[index],
    frameFeatures(out) {
      copyFeatures(latest[stems.pulse], out);
      out.percussiveNorm = Math.max(out.percussiveNorm, percussive);
      out.onsetStrengthNorm = Math.max(out.onsetStrengthNorm, onsetStrength);
      out.onset ||= onset;
      out.beat ||= beat;
      return out;
    },
    frameInput(p) {
      params = p;
      latentInputFromStems(latest[stems.pulse], latest[stems.motion], latest[stems.class], p, input);
      input.pulse = Math.max(input.pulse, held);
      held = percussive = onsetStrength = 0;
      onset = beat = false;
      return input;
    },
  };
}
