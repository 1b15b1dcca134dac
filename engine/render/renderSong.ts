/**
 * The offline render: a song through the same stages as the show (causal analysis → latent →
 * generator → effects) on a hand-ticked clock, to a video (ffmpeg, audio muxed) or PNG frames.
 * Deterministic: the same audio, parameters, model and seed give the same frames, bit for bit.
 *
 * Frame k shows time k / fps and sees only the audio before it, as the live show would.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AudioBlock, InputRoute } from '../audio/AudioBlock.js';
import { decodeAudioFile } from '../audio/fileSource.js';
import { defaultRoutes, validateRoutes } from '../audio/route.js';
import { createFeatures, type Features } from '../analysis/Features.js';
import { createRoutedAnalysis } from '../analysis/routedAnalysis.js';
import { openWorkerGenerator } from '../generator/workerGenerator.js';
import type { Generator, GeneratorInfo } from '../generator/Generator.js';
import type { ProviderName } from '../generator/Generator.js';
import { createLatentState, latentStep } from '../latent/latent.js';
import { createStemTracker, resolveStems, type StemChoice, type StemIndices } from '../latent/stems.js';
import { createLogger, type Logger } from '../log.js';
import type { ParamValues } from '../params/registry.js';
import type { Hz, Seconds } from '../units.js';
import { activeChain, applyEffectsCpu, createCpuChain, orderedEffects } from '../../shaders/index.js';
import { writePng } from './png.js';
import { createProgress } from './progress.js';
import { openVideoWriter, type VideoWriter } from './videoWriter.js';

/** Audio block size fed to the analysis (the live default). */
const BLOCK_FRAMES = 256;

export interface RenderOptions {
  /** The song (WAV, or anything ffmpeg decodes). */
  audio: string;
  /** A video file (.mp4, .mov, .mkv …); or give `framesDir`. */
  out?: string;
  /** Write PNG frames `frame_000001.png …` here instead of a video. */
  framesDir?: string;
  fps: Hz;
  /** Size of the built-in generator (user models render at their own resolution). */
  size: number;
  /** Seed of the latent (keyframes, motion draws). */
  seed: number;
  /** `builtin[:SEED]` or a manifest/model path. */
  model?: string;
  params: ParamValues;
  /** Effect order (a preset's `chain`); default: the standard order. */
  effectOrder?: readonly string[] | null;
  /** Named inputs of a multi-channel file (default: all channels mixed). */
  routes?: InputRoute[];
  /** Which input drives pulse, motion and class. */
  stems?: StemChoice;
  providers?: ProviderName[];
  ffmpegPath?: string;
  /** Show the progress line on stderr (default true). */
  progress?: boolean;
  log?: Logger;
  /** Called after each frame is finished (effects applied), before it is written. */
  onFrame?: (index: number, rgba: Uint8Array, features: Readonly<Features>) => void;
}

export interface RenderResult {
  frames: number;
  /** Song length in seconds. */
  duration: Seconds;
  /** Wall-clock seconds the render took. */
  elapsed: Seconds;
  /** Song seconds per wall-clock second. */
  realtimeFactor: number;
  generator: GeneratorInfo;
  /** Set when the requested model could not be used (the built-in one rendered instead). */
  fallback?: string;
}

/** Renders a song; see the module doc. @throws Error with a clear message on bad input or output. */
export async function renderSong(opts: RenderOptions): Promise<RenderResult> {
  if ((opts.out === undefined) === (opts.framesDir === undefined)) throw new Error('give one of an output video (--out) or a frames folder (--frames)');
  if (!(opts.fps > 0 && opts.fps <= 240)) throw new Error(`fps must be in (0, 240], got ${opts.fps}`);
  const log = opts.log ?? createLogger('render');
  const t0 = performance.now();
  const audio = await decodeAudioFile(opts.audio).catch((err: Error) => {
    throw new Error(`cannot read audio ${opts.audio}: ${err.message}`);
  });
  const channelCount = audio.channels.length;
  const length = audio.channels[0]?.length ?? 0;
  if (length === 0) throw new Error(`${opts.audio}: no audio samples`);
  const routes = opts.routes ?? defaultRoutes(channelCount);
  validateRoutes(routes, channelCount);
  const stems = resolveStems(routes, opts.stems);

  const { generator, fallback } = await openWorkerGenerator({ model: opts.model, size: opts.size, providers: opts.providers });
  const { width, height } = generator.info;
  const duration = length / audio.sampleRate;
  const frameCount = Math.max(1, Math.ceil(duration * opts.fps));
  let writer: VideoWriter | null = null;
  try {
    if (opts.out !== undefined) {
      writer = await openVideoWriter({ out: opts.out, width, height, fps: opts.fps, audio: opts.audio, ffmpegPath: opts.ffmpegPath });
    } else {
      await mkdir(opts.framesDir!, { recursive: true }).catch((err: Error) => {
        throw new Error(`cannot create the frames folder ${opts.framesDir}: ${err.message}`);
      });
    }
    log.info(`${opts.audio}: ${duration.toFixed(1)} s → ${frameCount} frames at ${opts.fps} fps, ${width}×${height}, ${generator.info.name} on ${generator.info.provider}`);
    await renderFrames(opts, audio.sampleRate, audio.channels, routes, stems, generator, frameCount, async (k, rgba) => {
      if (writer) await writer.write(rgba);
      else await writePng(join(opts.framesDir!, `frame_${String(k + 1).padStart(6, '0')}.png`), rgba, width, height);
    });
    await writer?.finish();
  } catch (err) {
    writer?.abort();
    throw err;
  } finally {
    await generator.dispose();
  }
  const elapsed = (performance.now() - t0) / 1000;
  return { frames: frameCount, duration, elapsed, realtimeFactor: duration / elapsed, generator: generator.info, fallback };
}

/**
 * The frame loop: analysis up to each frame's time, one latent step, one inference, effects.
 *
 * @remarks Pipelined: while the generator (in its worker) computes frame k + 1, this thread
 * applies the effects to frame k and hands it to ffmpeg. Frame k's features are snapshotted,
 * since the analysis has moved on to k + 1 by then.
 */
async function renderFrames(
  opts: RenderOptions,
  sampleRate: Hz,
  channels: Float32Array[],
  routes: InputRoute[],
  stems: StemIndices,
  generator: Generator,
  frameCount: number,
  emit: (k: number, rgba: Uint8Array) => Promise<void>,
): Promise<void> {
  const { latentDim, classCount, width, height } = generator.info;
  const analysis = createRoutedAnalysis(routes, sampleRate, BLOCK_FRAMES);
  const tracker = createStemTracker(stems, routes.length, createFeatures, opts.params);
  const state = createLatentState({ dim: latentDim, classCount, seed: opts.seed });
  const buffers = [new Uint8Array(width * height * 4), new Uint8Array(width * height * 4)];
  const snapshots = [createFeatures(), createFeatures()];
  const blockChannels = channels.map(() => new Float32Array(BLOCK_FRAMES));
  /** One block object, refilled for every block (as the live sources do). */
  const block: { -readonly [K in keyof AudioBlock]: AudioBlock[K] } = { channels: blockChannels, frames: BLOCK_FRAMES, sampleRate, startFrame: 0, captureTime: 0, wallTimeMs: 0 };
  const length = channels[0].length;
  const progress = opts.progress === false ? null : createProgress(frameCount, { label: 'render', unitsPerSecondOfMedia: opts.fps });
  let fed = 0;
  /** Analysis and latent up to frame k, then starts its inference. */
  const start = (k: number): Promise<void> => {
    // Feed whole blocks up to this frame's time, as the live input would have delivered them.
    const until = Math.min(length, Math.floor((k / opts.fps) * sampleRate));
    while (fed + BLOCK_FRAMES <= until) {
      for (let c = 0; c < channels.length; c++) blockChannels[c].set(channels[c].subarray(fed, fed + BLOCK_FRAMES));
      block.startFrame = fed;
      block.captureTime = fed / sampleRate;
      block.wallTimeMs = block.captureTime * 1000;
      analysis.process(block, tracker.onHop);
      fed += BLOCK_FRAMES;
    }
    tracker.frameFeatures(snapshots[k & 1]);
    latentStep(state, tracker.frameInput(opts.params), opts.params, k === 0 ? 0 : 1 / opts.fps);
    return generator.generate(state.z, state.classVec, opts.params.truncation, buffers[k & 1]);
  };
  const chain = activeChain(opts.params, orderedEffects(opts.effectOrder ?? null));
  const scratch = createCpuChain(width, height);
  // The previous output, for trails: its own copy, since `buffers` are refilled by the generator.
  const prevOutput = new Uint8Array(width * height * 4);
  let running = start(0);
  try {
    for (let k = 0; k < frameCount; k++) {
      await running;
      if (k + 1 < frameCount) running = start(k + 1);
      const rgba = buffers[k & 1];
      applyEffectsCpu(chain, rgba, width, height, opts.params, snapshots[k & 1], { time: k / opts.fps, prevOutput: k > 0 ? prevOutput : undefined, scratch });
      prevOutput.set(rgba);
      opts.onFrame?.(k, rgba, snapshots[k & 1]);
      await emit(k, rgba);
      progress?.update(k + 1);
    }
  } finally {
    // A failed write leaves the next frame's inference running: observe its end either way.
    running.catch(() => {});
  }
  progress?.finish();
}
