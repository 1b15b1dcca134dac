import type { Features } from '../engine/analysis/Features.js';
import type { ParamValues } from '../engine/params/registry.js';
import { contrast } from './contrast.js';
import { effectUniforms, frameStats, type Effect } from './Effect.js';
import { flash } from './flash.js';

export * from './Effect.js';

/** Every effect, in the default chain order (the order of Lucid Sonic Dreams: contrast, then flash). */
export const EFFECTS: readonly Effect[] = [contrast, flash];

/** Applies a chain on the CPU to an RGBA8 frame in place (the offline render's output stage). */
export function applyEffectsCpu(chain: readonly Effect[], rgba: Uint8Array, params: ParamValues, features: Features): void {
  const stats = frameStats(rgba);
  for (const e of chain) e.cpu(rgba, effectUniforms(e, params, features, stats));
}
