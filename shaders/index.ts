import type { Features } from '../engine/analysis/Features.js';
import type { ParamValues } from '../engine/params/registry.js';
import type { Seconds } from '../engine/units.js';
import { contrast } from './contrast.js';
import { effectUniforms, uniformName, type Effect, type FrameStats } from './Effect.js';
import { feedback } from './feedback.js';
import { flash } from './flash.js';
import { grain } from './grain.js';
import { hue } from './hue.js';
import { kaleido } from './kaleido.js';
import { rgbsplit } from './rgbsplit.js';
import { vignette } from './vignette.js';
import { zoom } from './zoom.js';

export * from './Effect.js';
export { compileChain, type ChainUniform, type CompiledChain } from './compile.js';
export { applyEffectsCpu, createCpuChain, type CpuChain, type CpuEffectOptions } from './cpu.js';
export { contrast, feedback, flash, grain, hue, kaleido, rgbsplit, vignette, zoom };

/**
 * Every effect, in the default chain order: where the image is read (zoom, kaleidoscope, RGB
 * split), then tone (Lucid Sonic Dreams' contrast then flash), colour, vignette and grain, and
 * trails last, so they carry the finished look.
 */
export const EFFECTS: readonly Effect[] = [zoom, kaleido, rgbsplit, contrast, flash, hue, vignette, grain, feedback];

/**
 * Every effect, those named in `order` first in that order (unknown names are skipped), the rest
 * after in the default order. The result is cached per `order` array.
 */
export function orderedEffects(order: readonly string[] | null): readonly Effect[] {
  if (!order || order.length === 0) return EFFECTS;
  let hit = orderCache.get(order);
  if (!hit) {
    const named = order.map((n) => EFFECTS.find((e) => e.name === n)).filter((e): e is Effect => e !== undefined);
    hit = [...named, ...EFFECTS.filter((e) => !named.includes(e))];
    orderCache.set(order, hit);
  }
  return hit;
}
const orderCache = new WeakMap<readonly string[], readonly Effect[]>();

/** The effects of `all` that are active for these parameter values, in order. */
export function activeChain(params: ParamValues, all: readonly Effect[] = EFFECTS): Effect[] {
  return all.filter((e) => e.active(params));
}

/**
 * Every effect uniform of `chain` by uniform name (`u_<effect>_<input>`), as the live renderer
 * sets them; renderer globals (`u_time`) are left to it.
 */
export function chainUniformValues(chain: readonly Effect[], params: ParamValues, features: Features, frame: FrameStats, time: Seconds = 0): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of chain) {
    const u = effectUniforms(e, params, features, frame, time);
    for (const i of e.inputs) if (!i.global) out[uniformName(e.name, i.name)] = u[i.name];
  }
  return out;
}
