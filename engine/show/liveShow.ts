/**
 * The live show: audio source → routed analysis → latent (per-stem) → generator (worker, newest
 * latent, ≤ 1 in flight) → frames with their effect uniforms to every connected output, with
 * per-stage latency. One tick per audio block; the latent is stepped and submitted at most
 * `fps` times a second.
 */
import type { AudioBlock, AudioSource, InputRoute } from '../audio/AudioBlock.js';
import { createFeatures, type Features } from '../analysis/Features.js';
import { tapTempo } from '../analysis/analyzer.js';
import { createRoutedAnalysis } from '../analysis/routedAnalysis.js';
import { createInferenceLoop, type InferenceLoop } from '../generator/inferenceLoop.js';
import type { GeneratorInfo, ProviderName } from '../generator/Generator.js';
import { openWorkerGenerator } from '../generator/workerGenerator.js';
import { shuffleClasses } from '../latent/classVector.js';
import { createLatentState, jumpKeyframe, latentStep } from '../latent/latent.js';
import { createStemTracker, resolveStems, type StemChoice } from '../latent/stems.js';
import type { Logger } from '../log.js';
import type { ParamStore } from '../params/ParamStore.js';
import type { ParamValues } from '../params/registry.js';
import { createEngineStats, type StatsSnapshot } from '../server/stats.js';
import { startServer, type EngineServer, type ServerOptions } from '../server/httpServer.js';
import { encodeFrame, wallNow, type FrameHeader, type ServerMessage } from '../server/protocol.js';
import { createAppPage } from '../server/appPage.js';
import { activeChain, chainUniformValues, frameStats, orderedEffects } from '../../shaders/index.js';

export interface ShowOptions {
  source: AudioSource;
  /** A description of the input for the state API. */
  inputName: string;
  routes: InputRoute[];
  stems?: StemChoice;
  framesPerBuffer: number;
  /** The live parameters: read once per block (a snapshot), triggers taken with it. */
  store: ParamStore;
  /** The effect order (null: the default); read per frame. */
  effectOrder?: () => readonly string[] | null;
  /** More fields for `GET /api/state` (the preset, tempo, controllers). */
  stateExtras?: () => Record<string, unknown>;
  /** More `GET` JSON routes (path → body), e.g. `/api/osc`. */
  api?: Record<string, () => unknown>;
  /** Each frame's features as the effects see them (OSC out). */
  onFrame?: (f: Features) => void;
  /** More pages and WebSocket endpoints (the operator window). */
  pages?: ServerOptions['pages'];
  sockets?: ServerOptions['sockets'];
  /** The operator's token for access beyond this machine (null: loopback only). */
  controlToken?: string | null;
  model?: string;
  size: number;
  seed: number;
  providers?: ProviderName[];
  /** Most latents submitted per second (the inference rate cap). */
  fps: number;
  port: number;
  bind: string;
  log: Logger;
}

export interface Show {
  readonly server: EngineServer;
  readonly store: ParamStore;
  readonly generator: GeneratorInfo;
  state(): ShowState;
  /** The analysed tempo (BPM) of the pulse input; null before one is found. */
  tempo(): number | null;
  /** Meters for the operator window; onset and beat are "since the previous call". */
  meters(): ShowMeters;
  stats(): StatsSnapshot & { inputLevelDb: number };
  stop(): Promise<void>;
}

/** Meters for the operator window. */
export interface ShowMeters {
  /** Peak level since the previous call (dBFS of the hop RMS, −120 for silence) per named input, in route order. */
  levelsDb: number[];
  /** Low, mid, high, 0..1 (of the pulse input), peak since the previous call. */
  bands: [number, number, number];
  /** An onset since the previous call (pulse input). */
  onset: boolean;
  /** 12 pitch classes, C..B, 0..1 (of the class input). */
  chroma: number[];
  bpm: number;
  /** A beat since the previous call; the phase 0..1. */
  beat: boolean;
  beatPhase: number;
  /** The latent's pulse and motion drive of the last frame, 0..1. */
  pulse: number;
  motion: number;
}

export interface ShowState {
  params: ParamValues;
  input: { name: string; sampleRate: number; channels: number; routes: InputRoute[] };
  model: GeneratorInfo & { fallback?: string };
}

function panicMessage(v: Readonly<ParamValues>): ServerMessage {
  return { type: 'output', blackout: v.blackout, freeze: v.freeze };
}

/** Decay time constant of the `flash` trigger's hit. */
const FLASH_DECAY_SECONDS = 0.15;

/** Frames remembered for matching a `presented` report to its capture time. */
const RECENT = 8;

export async function startShow(opts: ShowOptions): Promise<Show> {
  const { source, routes, store, log } = opts;
  let params = store.tick();
  const stems = resolveStems(routes, opts.stems);
  const { generator, fallback } = await openWorkerGenerator({ model: opts.model, size: opts.size, providers: opts.providers });
  const info = generator.info;
  const stats = createEngineStats();
  const recent = Array.from({ length: RECENT }, () => ({ seq: 0, capturedAt: 0, audioTime: 0, features: createFeatures() }));

  let server: EngineServer | null = null;
  const loop: InferenceLoop = createInferenceLoop(
    generator,
    (rgba, meta) => {
      const now = wallNow();
      const r = recent[meta.seq % RECENT];
      if (r.seq !== meta.seq) return;
      stats.inferenceRun(meta.doneAt - meta.startedAt, now);
      stats.stage('inference', now - r.capturedAt);
      const chain = activeChain(params, orderedEffects(opts.effectOrder?.() ?? null));
      const uniforms = chainUniformValues(chain, params, r.features, frameStats(rgba));
      const f = r.features;
      const header: FrameHeader = {
        seq: meta.seq, width: info.width, height: info.height,
        chain: chain.map((e) => e.name), uniforms,
        audioTime: r.audioTime, capturedAt: r.capturedAt, sentAt: wallNow(),
        features: { envelope: f.envelope, onset: f.onset, beat: f.beat, bpm: f.bpm, percussive: f.percussiveNorm },
      };
      if (server && server.broadcast(encodeFrame(header, rgba)) > 0) stats.stage('sent', wallNow() - r.capturedAt);
    },
    (err) => log.warn(`inference failed: ${err instanceof Error ? err.message : String(err)}`),
  );

  const analysis = createRoutedAnalysis(routes, source.sampleRate, opts.framesPerBuffer);
  const tracker = createStemTracker(stems, routes.length, createFeatures, params);
  const state = createLatentState({ dim: info.latentDim, classCount: info.classCount, seed: opts.seed });
  let latentTime = 0;
  let lastSubmitWall = 0;
  let levelDb = -Infinity;
  let blockEnd = 0;
  let blockTime = 0;
  let flash = 0;
  // A flash reaches the first frame after it at full strength, however the blocks fall between frames.
  let flashPending = false;
  // Meters hold the peak since they were last read: a click is a few ms, meters come at 20 Hz.
  let onsetSeen = false;
  let beatSeen = false;
  const peakRms = new Float64Array(routes.length);
  const peakBands = new Float64Array(3);
  let drivePulse = 0;
  let driveMotion = 0;
  const onHop = (i: number, f: Features): void => {
    tracker.onHop(i, f);
    if (f.rms > peakRms[i]) peakRms[i] = f.rms;
    if (i === stems.pulse) {
      onsetSeen ||= f.onset;
      beatSeen ||= f.beat;
      for (let b = 0; b < 3; b++) if (f.bandsNorm[b] > peakBands[b]) peakBands[b] = f.bandsNorm[b];
    }
    if (i === 0) {
      levelDb = f.rms > 0 ? 20 * Math.log10(f.rms) : -Infinity;
      stats.stage('analysis', wallNow() - blockEnd);
    }
  };
  const onBlock = (block: AudioBlock): void => {
    // The moment the block's last sample was captured: the audio→light clock starts here.
    blockEnd = performance.timeOrigin + block.wallTimeMs + (block.frames / block.sampleRate) * 1000;
    const t = block.captureTime + block.frames / block.sampleRate;
    params = store.tick();
    for (const trig of store.takeTriggers()) {
      if (trig.name === 'flash') {
        flash = 1;
        flashPending = true;
      }
      else if (trig.name === 'keyframe') jumpKeyframe(state);
      else if (trig.name === 'shuffle' && state.cls) shuffleClasses(state.cls, params);
      else if (trig.name === 'tap') {
        // The tap's audio time: this block's end, less how long ago (wall clock) it arrived.
        const at = t - Math.max(0, performance.now() - trig.at) / 1000;
        for (const a of analysis.analyzers) tapTempo(a, at);
      }
    }
    analysis.process(block, onHop);
    flash *= Math.exp(-(t - blockTime) / FLASH_DECAY_SECONDS);
    blockTime = t;
    const now = wallNow();
    if (now - lastSubmitWall < 1000 / opts.fps) return;
    lastSubmitWall = now;
    const seq = loop.stats.submitted + 1;
    const r = recent[seq % RECENT];
    tracker.frameFeatures(r.features);
    const hit = flashPending ? 1 : flash;
    flashPending = false;
    if (hit > r.features.percussiveNorm) r.features.percussiveNorm = hit;
    opts.onFrame?.(r.features);
    const input = tracker.frameInput(params);
    drivePulse = input.pulse;
    driveMotion = input.motion;
    latentStep(state, input, params, latentTime === 0 ? 0 : t - latentTime);
    latentTime = t;
    r.seq = seq;
    r.capturedAt = blockEnd;
    r.audioTime = t;
    stats.stage('latent', wallNow() - blockEnd);
    loop.submit(state.z, state.classVec, params.truncation, t);
  };

  const showState = (): ShowState => ({
    params: { ...store.current() },
    ...opts.stateExtras?.(),
    input: { name: opts.inputName, sampleRate: source.sampleRate, channels: source.channelCount, routes },
    model: { ...info, ...(fallback ? { fallback } : {}) },
  });
  const showStats = (outputs: number) => ({ ...stats.snapshot(outputs, wallNow()), inputLevelDb: Number.isFinite(levelDb) ? Math.round(levelDb * 10) / 10 : -120 });

  // The API is answerable from the moment the server listens (before the audio has started).
  server = await startServer({
    port: opts.port,
    bind: opts.bind,
    log,
    page: createAppPage('renderer'),
    state: showState,
    stats: showStats,
    api: opts.api,
    pages: opts.pages,
    sockets: opts.sockets,
    controlToken: opts.controlToken,
    greeting: () => [panicMessage(store.current())],
    onPresented(seq, at) {
      const r = recent[seq % RECENT];
      if (r.seq !== seq) return;
      stats.presented(wallNow());
      stats.stage('presented', at - r.capturedAt);
    },
  });
  const srv = server;
  const offPanic = store.subscribe((c) => {
    if (c.ids.includes('blackout') || c.ids.includes('freeze')) srv.tell(panicMessage(c.values));
  });
  await source.start(onBlock);

  const show: Show = {
    server: srv,
    store,
    generator: info,
    state: showState,
    tempo: () => {
      const bpm = tracker.latest(stems.pulse).bpm;
      return bpm > 0 ? bpm : null;
    },
    stats: () => showStats(srv.outputs()),
    meters() {
      const p = tracker.latest(stems.pulse);
      const m: ShowMeters = {
        levelsDb: Array.from(peakRms, (rms) => (rms > 0 ? Math.max(-120, Math.round(200 * Math.log10(rms)) / 10) : -120)),
        bands: [peakBands[0], peakBands[1], peakBands[2]],
        onset: onsetSeen,
        chroma: Array.from(tracker.latest(stems.class).chroma),
        bpm: p.bpm,
        beat: beatSeen,
        beatPhase: p.beatPhase,
        pulse: drivePulse,
        motion: driveMotion,
      };
      onsetSeen = beatSeen = false;
      peakRms.fill(0);
      peakBands.fill(0);
      return m;
    },
    async stop() {
      offPanic();
      await source.stop();
      await loop.close();
      await srv.close();
    },
  };
  return show;
}
