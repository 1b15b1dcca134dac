/**
 * The effect chain on the CPU (the offline render): the same stages in the same order as the
 * compiled shader, on an RGBA8 frame in place.
 */
import type { Features } from '../engine/analysis/Features.js';
import type { ParamValues } from '../engine/params/registry.js';
import type { Seconds } from '../engine/units.js';
import { effectUniforms, frameStats, type Effect, type FeedbackEffect, type SampleEffect } from './Effect.js';
import { pixelCentres, sampleFrame } from './sample.js';

/** Scratch buffers for one frame size, allocated once by {@link createCpuChain}. */
export interface CpuChain {
  readonly width: number;
  readonly height: number;
  /** Lookup coordinates, interleaved (u, v) per pixel. */
  readonly uv: Float32Array;
  /** A copy of the generated frame, read by the uv and sample stages. */
  readonly src: Uint8Array;
}

/** Scratch buffers for frames of width × height (reuse them for every frame of that size). */
export function createCpuChain(width: number, height: number): CpuChain {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new Error(`bad frame size ${width}×${height}`);
  return { width, height, uv: new Float32Array(width * height * 2), src: new Uint8Array(width * height * 4) };
}

export interface CpuEffectOptions {
  /** The output clock (`u_time`): frame k of a render at `fps` shows k / fps. */
  time: Seconds;
  /** The previous output frame (RGBA8, same size), for the feedback stage; none on the first frame. */
  prevOutput?: Uint8Array;
  /** Scratch buffers for this size; allocated for this call when absent. */
  scratch?: CpuChain;
}

/**
 * Applies `chain` to an RGBA8 frame in place (R, G, B; alpha untouched): uv stages (bilinear,
 * clamp-to-edge reads of the frame), the sample stage, colour stages, then feedback against
 * `prevOutput`. Frame statistics are taken from the frame as generated.
 */
export function applyEffectsCpu(
  chain: readonly Effect[],
  frame: Uint8Array,
  width: number,
  height: number,
  params: ParamValues,
  features: Features,
  opts: CpuEffectOptions,
): void {
  if (frame.length !== width * height * 4) throw new Error(`frame has ${frame.length} bytes, expected ${width}×${height}×4`);
  const scratch = opts.scratch ?? createCpuChain(width, height);
  if (scratch.width !== width || scratch.height !== height) throw new Error(`scratch is ${scratch.width}×${scratch.height}, frame ${width}×${height}`);
  if (opts.prevOutput && opts.prevOutput.length !== frame.length) throw new Error(`prevOutput has ${opts.prevOutput.length} bytes, expected ${frame.length}`);
  const stats = frameStats(frame);
  const values = (e: Effect) => effectUniforms(e, params, features, stats, opts.time);

  let sampler: SampleEffect | undefined;
  let feedback: FeedbackEffect | undefined;
  let lookup = false;
  for (const e of chain) {
    if (e.stage === 'uv') lookup = true;
    else if (e.stage === 'sample') sampler ??= e;
    else if (e.stage === 'feedback') feedback ??= e;
  }
  if (lookup || sampler) {
    const { uv, src } = scratch;
    src.set(frame);
    pixelCentres(uv, width, height);
    for (const e of chain) if (e.stage === 'uv') e.cpu(uv, values(e));
    const image = { data: src, width, height };
    if (sampler) sampler.cpu(uv, image, frame, values(sampler));
    else sampleFrame(uv, image, frame);
  }
  for (const e of chain) if (e.stage === 'color') e.cpu(frame, width, height, values(e));
  if (feedback && opts.prevOutput) feedback.cpu(frame, opts.prevOutput, width, height, values(feedback));
}
