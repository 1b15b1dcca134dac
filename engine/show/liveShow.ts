/**
 * The live show: audio source → routed analysis → latent (per-stem) → generator (worker, newest
 * latent, ≤ 1 in flight) → frames with their effect uniforms to every connected output, with
 * per-stage latency. One tick per audio block; the latent is stepped and submitted at most
 * `fps` times a second.
 */
import type { AudioBlock, AudioSource, InputRoute } from '../audio/AudioBlock.js';
import { createFeatures, type Features } from '../analysis/Features.js';
import { clockTempo, tapTempo } from '../analysis/analyzer.js';
import { createRoutedAnalysis, type RoutedAnalysis } from '../analysis/routedAnalysis.js';
import { defaultRoutes, validateRoutes } from '../audio/route.js';
import { createInferenceLoop, type InferenceLoop } from '../generator/inferenceLoop.js';
import type { GeneratorInfo, ProviderName } from '../generator/Generator.js';
import type { LoadedGenerator } from '../generator/loadGenerator.js';
import { openWorkerGenerator } from '../generator/workerGenerator.js';
import { shuffleClasses } from '../latent/classVector.js';
import { createLatentState, jumpKeyframe, latentStep, type LatentState } from '../latent/latent.js';
import { createStemTracker, resolveStems, type StemChoice, type StemIndices, type StemTracker } from '../latent/stems.js';
import type { Logger } from '../log.js';
import type { ParamStore } from '../params/ParamStore.js';
import type { ParamValues } from '../params/registry.js';
import { createEngineStats, type StatsSnapshot } from '../server/stats.js';
import { startServer, type EngineServer, type ServerOptions } from '../server/httpServer.js';
import { encodeFrame, wallNow, type FrameHeader, type ServerMessage } from '../server/protocol.js';
import { createAppPage } from '../server/appPage.js';
import type { AccessPolicy } from '../server/requestGuard.js';
import type { Seconds } from '../units.js';
import { activeChain, chainUniformValues, frameStats, orderedEffects } from '../../shaders/index.js';

export interface ShowOptions {
  source: AudioSource;
  /** The input's name as `openInput` takes it (shown in the state API). */
  inputName: string;
  /** Opens another input by name, for {@link Show.setInput} (absent: only new routes). */
  openInput?: (name: string) => Promise<AudioSource>;
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
  /** Access from beyond this machine (the token; the operator window too). Default: none. */
  access?: AccessPolicy;
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
  /** The running generator's info (changes with {@link Show.setModel}). */
  readonly generator: GeneratorInfo;
  state(): ShowState;
  /** The analysed tempo (BPM) of the pulse input; null before one is found. */
  tempo(): number | null;
  /**
   * An external clock (MIDI clock): its tempo holds in every input's beat tracker, and
   * `beatAt` (ms, `performance.now()`), where given, is one of its beats; null `bpm` hands the
   * beat back to the analysis. Applied with the next audio block.
   */
  syncClock(bpm: number | null, beatAt: number | null): void;
  /** Meters for the operator window; onset and beat are "since the previous call". */
  meters(): ShowMeters;
  stats(): StatsSnapshot & { inputLevelDb: number };
  /**
   * Switches the input: another source (by name, through `openInput`), other routes, or both.
   * Routes omitted: the current ones for the same source, every channel mixed for a new one.
   * The old source plays until the new one delivers; on any error the show keeps what it had.
   */
  setInput(change: InputChange): Promise<void>;
  /** Switches the generator (`builtin[:SEED]`, a manifest or .onnx path); on any error the show keeps the one it has. */
  setModel(spec: string): Promise<void>;
  stop(): Promise<void>;
}

/** What {@link Show.setInput} changes. */
export interface InputChange {
  /** An input as `openInput` takes it; omitted: the current one. */
  name?: string;
  routes?: InputRoute[] | null;
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
  /** `spec`: what was asked for (`builtin`, a path); `fallback`: why the built-in one runs instead. */
  model: GeneratorInfo & { spec: string; fallback?: string };
  /** What is being switched now (an input or a model); null when nothing. */
  busy: string | null;
}

/** What every output is told about how to show frames (see ServerMessage 'output'). */
const OUTPUT_PARAMS = ['blackout', 'freeze', 'aspect', 'upscale'] as const;

function outputMessage(v: Readonly<ParamValues>): ServerMessage {
  return { type: 'output', blackout: v.blackout, freeze: v.freeze, aspect: v.aspect, upscale: v.upscale };
}

/** Decay time constant of the `flash` trigger's hit. */
const FLASH_DECAY_SECONDS = 0.15;

/** How long a newly opened input may take to deliver its first block before the switch is given up. */
const INPUT_START_SECONDS = 5;

/** The running input: its source, routes and analysis (replaced whole on a switch). */
interface LiveInput {
  source: AudioSource;
  name: string;
  routes: InputRoute[];
  stems: StemIndices;
  analysis: RoutedAnalysis;
  tracker: StemTracker;
  /** Peak hop RMS per route since the meters were last read. */
  peakRms: Float64Array;
  /** The show's time at this source's time 0. */
  offset: Seconds;
  onHop(index: number, f: Features): void;
}

/** The running generator, its inference loop and its latent (replaced whole on a switch). */
interface LiveGenerator {
  loop: InferenceLoop;
  info: GeneratorInfo;
  /** What was asked for (`builtin`, a manifest path). */
  spec: string;
  fallback?: string;
  /** Show sequence number before this generator's first frame. */
  base: number;
  state: LatentState;
}

/** Frames remembered for matching a `presented` report to its capture time. */
const RECENT = 8;

export async function startShow(opts: ShowOptions): Promise<Show> {
  const { store, log } = opts;
  let params = store.tick();
  const stats = createEngineStats();
  const recent = Array.from({ length: RECENT }, () => ({ seq: 0, capturedAt: 0, sentAt: 0, audioTime: 0, features: createFeatures() }));
  let server: EngineServer | null = null;
  /** What is being switched now (an input or a model), null when nothing. */
  let busy: string | null = null;

  // The generator and its latent, swapped whole by setModel. Sequence numbers run on across
  // generators (`base`), so outputs' presented reports never match a frame of the wrong one.
  const makeGenerator = (loaded: LoadedGenerator, spec: string, base: number): LiveGenerator => {
    const info = loaded.generator.info;
    const slow = slowModelCheck(info, opts.fps, log);
    const loop = createInferenceLoop(
      loaded.generator,
      (rgba, meta) => {
        const now = wallNow();
        const seq = base + meta.seq;
        slow(meta.doneAt - meta.startedAt);
        const r = recent[seq % RECENT];
        if (r.seq !== seq) return;
        stats.inferenceRun(meta.doneAt - meta.startedAt, now);
        stats.stage('inference', now - r.capturedAt);
        const chain = activeChain(params, orderedEffects(opts.effectOrder?.() ?? null));
        const uniforms = chainUniformValues(chain, params, r.features, frameStats(rgba));
        const f = r.features;
        const header: FrameHeader = {
          seq, width: info.width, height: info.height,
          chain: chain.map((e) => e.name), uniforms,
          audioTime: r.audioTime, capturedAt: r.capturedAt, sentAt: wallNow(),
          features: { envelope: f.envelope, onset: f.onset, beat: f.beat, bpm: f.bpm, percussive: f.percussiveNorm },
        };
        r.sentAt = header.sentAt;
        if (server && server.broadcast(encodeFrame(header, rgba)) > 0) stats.stage('sent', wallNow() - r.capturedAt);
      },
      (err) => log.warn(`inference failed: ${err instanceof Error ? err.message : String(err)}`),
    );
    const state = createLatentState({ dim: info.latentDim, classCount: info.classCount, seed: opts.seed });
    return { loop, info, spec, fallback: loaded.fallback, base, state };
  };
  // The input and its analysis, swapped whole by setInput (a new source, or new routes).
  let onsetSeen = false;
  let beatSeen = false;
  const peakBands = new Float64Array(3);
  let levelDb = -Infinity;
  let blockEnd = 0;
  const makeInput = (source: AudioSource, name: string, routes: InputRoute[], offset: Seconds, strict = false): LiveInput => {
    // Stems named on the command line must exist at start; after a switch to routes that lack
    // one, that part follows the first input.
    const choice = strict ? opts.stems : Object.fromEntries(Object.entries(opts.stems ?? {}).filter(([, n]) => routes.some((r) => r.name === n)));
    const stems = resolveStems(routes, choice);
    const tracker = createStemTracker(stems, routes.length, createFeatures, params);
    const peakRms = new Float64Array(routes.length);
    return {
      source, name, routes, stems, tracker, peakRms, offset,
      analysis: createRoutedAnalysis(routes, source.sampleRate, opts.framesPerBuffer),
      onHop(i, f) {
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
      },
    };
  };
  validateRoutes(opts.routes, opts.source.channelCount);
  let input = makeInput(opts.source, opts.inputName, opts.routes, 0, true);
  const model = opts.model ?? 'builtin';
  let gen = makeGenerator(await openTimed({ model, size: opts.size, providers: opts.providers }, log), model, 0);
  /** A new source that has started but not yet delivered: it takes over at its first block. */
  let incoming: { input: LiveInput; took: () => void } | null = null;

  let latentTime = 0;
  let lastSubmitWall = 0;
  let blockTime = 0;
  let flash = 0;
  // A flash reaches the first frame after it at full strength, however the blocks fall between frames.
  let flashPending = false;
  // The external clock's latest word, for the next block (a later one supersedes it).
  let clock: { bpm: number | null; beatAt: number | null } | null = null;
  // An event's audio time from its arrival (ms, performance.now()): the block's end, less how
  // long before the block's last sample was captured it arrived (not how long before now: the
  // block may be handled late).
  const audioTimeOf = (blockEndSource: number, atMs: number): number => blockEndSource - (blockEnd - performance.timeOrigin - atMs) / 1000;
  // Meters hold the peak since they were last read: a click is a few ms, meters come at 20 Hz.
  let drivePulse = 0;
  let driveMotion = 0;
  const onBlock = (block: AudioBlock): void => {
    const inp = input;
    // The moment the block's last sample was captured: the audio→light clock starts here.
    blockEnd = performance.timeOrigin + block.wallTimeMs + (block.frames / block.sampleRate) * 1000;
    const sourceTime = block.captureTime + block.frames / block.sampleRate;
    const t = inp.offset + sourceTime;
    const g = gen;
    params = store.tick();
    for (const trig of store.takeTriggers()) {
      if (trig.name === 'flash') {
        flash = 1;
        flashPending = true;
      } else if (trig.name === 'keyframe') jumpKeyframe(g.state);
      else if (trig.name === 'shuffle' && g.state.cls) shuffleClasses(g.state.cls, params);
      else if (trig.name === 'tap') {
        // A tap that came in after the block's last sample counts at the block's end.
        const at = Math.min(sourceTime, audioTimeOf(sourceTime, trig.at));
        for (const a of inp.analysis.analyzers) tapTempo(a, at);
      }
    }
    if (clock) {
      const beatAt = clock.beatAt === null ? null : audioTimeOf(sourceTime, clock.beatAt);
      for (const a of inp.analysis.analyzers) clockTempo(a, sourceTime, clock.bpm, beatAt);
      clock = null;
    }
    inp.analysis.process(block, inp.onHop);
    flash *= Math.exp(-(t - blockTime) / FLASH_DECAY_SECONDS);
    blockTime = t;
    const now = wallNow();
    if (now - lastSubmitWall < 1000 / opts.fps) return;
    lastSubmitWall = now;
    const seq = g.base + g.loop.stats.submitted + 1;
    const r = recent[seq % RECENT];
    inp.tracker.frameFeatures(r.features);
    const hit = flashPending ? 1 : flash;
    flashPending = false;
    if (hit > r.features.percussiveNorm) r.features.percussiveNorm = hit;
    opts.onFrame?.(r.features);
    const latentIn = inp.tracker.frameInput(params);
    drivePulse = latentIn.pulse;
    driveMotion = latentIn.motion;
    latentStep(g.state, latentIn, params, latentTime === 0 ? 0 : t - latentTime);
    latentTime = t;
    r.seq = seq;
    r.capturedAt = blockEnd;
    r.audioTime = t;
    stats.stage('latent', wallNow() - blockEnd);
    g.loop.submit(g.state.z, g.state.classVec, params.truncation, t);
  };
  /** Blocks of `source` reach the analysis while it is the input (or the one taking over). */
  const handlerFor = (source: AudioSource) => (block: AudioBlock): void => {
    if (incoming?.input.source === source) {
      // The new source's first block: it takes over, its time continuing the show's.
      incoming.input.offset = blockTime - block.captureTime;
      input = incoming.input;
      incoming.took();
      incoming = null;
    }
    if (input.source === source) onBlock(block);
  };
  /** Runs one switch at a time; what it hands back is closed once the new one runs (and the show is no longer busy). */
  const exclusive = async (what: string, step: () => Promise<(() => Promise<void>) | void>): Promise<void> => {
    if (busy) throw new Error(`still ${busy}; try again when it is done`);
    busy = what;
    let closeOld: (() => Promise<void>) | void;
    try {
      closeOld = await step();
    } finally {
      busy = null;
    }
    await closeOld?.().catch((err: unknown) => log.warn(`${what}: closing the old one: ${err instanceof Error ? err.message : String(err)}`));
  };

  const showState = (): ShowState => ({
    params: { ...store.current() },
    ...opts.stateExtras?.(),
    input: { name: input.name, sampleRate: input.source.sampleRate, channels: input.source.channelCount, routes: input.routes },
    model: { ...gen.info, spec: gen.spec, ...(gen.fallback ? { fallback: gen.fallback } : {}) },
    busy,
  });
  const showStats = (outputs: number) => ({ ...stats.snapshot(outputs, wallNow()), inputLevelDb: Number.isFinite(levelDb) ? Math.round(levelDb * 10) / 10 : -120 });

  // The API is answerable from the moment the server listens (before the audio has started).
  // A show that fails to start (the port taken, the input's stream) closes what it opened.
  const abandon = async (err: unknown): Promise<never> => {
    await gen.loop.close().catch(() => {});
    await server?.close().catch(() => {});
    throw err;
  };
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
    access: opts.access,
    greeting: () => [outputMessage(store.current())],
    onPresented(seq, at, err) {
      const r = recent[seq % RECENT];
      if (r.seq !== seq) return;
      const now = wallNow();
      stats.presented(now);
      // A frame cannot be on screen before it was sent, nor after this report arrived: an output
      // whose clock offset is off beyond its own uncertainty is left out rather than believed.
      // Within the offset's uncertainty (±err) the time is brought into that window.
      if (at + err < r.sentAt || at - err > now) stats.rejectPresented();
      else stats.stage('presented', Math.min(now, Math.max(r.sentAt, at)) - r.capturedAt);
    },
  }).catch(abandon);
  const srv = server;
  await input.source.start(handlerFor(input.source)).catch(abandon);
  const offOutput = store.subscribe((c) => {
    if (OUTPUT_PARAMS.some((id) => c.ids.includes(id))) srv.tell(outputMessage(c.values));
  });

  const show: Show = {
    server: srv,
    store,
    get generator() {
      return gen.info;
    },
    state: showState,
    tempo: () => {
      const bpm = input.tracker.latest(input.stems.pulse).bpm;
      return bpm > 0 ? bpm : null;
    },
    syncClock(bpm, beatAt) {
      clock = { bpm, beatAt };
    },
    stats: () => showStats(srv.outputs()),
    meters() {
      const { tracker, stems, peakRms } = input;
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
    setInput(change) {
      const name = change.name ?? input.name;
      return exclusive(`switching the input to ${name}`, async () => {
        if (name === input.name) {
          // The same source, routed anew: takes effect from the next block.
          const routes = change.routes ?? input.routes;
          validateRoutes(routes, input.source.channelCount);
          input = makeInput(input.source, input.name, routes, input.offset);
          log.info(`input ${name}: routes ${routes.map((r) => r.name).join(', ')}`);
          return;
        }
        if (!opts.openInput) throw new Error('this show cannot open another input');
        const source = await opts.openInput(name);
        const old = input.source;
        try {
          const routes = change.routes ?? defaultRoutes(source.channelCount);
          validateRoutes(routes, source.channelCount);
          // The old input plays on until the new one delivers its first block (or fails to).
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => {
              incoming = null;
              reject(new Error(`input ${name} delivered no audio within ${INPUT_START_SECONDS} s`));
            }, INPUT_START_SECONDS * 1000);
            incoming = { input: makeInput(source, name, routes, 0), took: () => (clearTimeout(timer), resolve()) };
            source.start(handlerFor(source)).catch((err: unknown) => {
              clearTimeout(timer);
              incoming = null;
              reject(err);
            });
          });
        } catch (err) {
          await source.stop().catch(() => {});
          throw err;
        }
        log.info(`input ${name}: ${source.channelCount} ch at ${source.sampleRate} Hz`);
        return () => old.stop();
      });
    },
    setModel(spec) {
      return exclusive(`loading the model ${spec}`, async () => {
        // Strict: a model that cannot be used is an error, and the show keeps the one it has.
        const loaded = await openTimed({ model: spec, size: opts.size, providers: opts.providers, strict: true }, log);
        const old = gen;
        gen = makeGenerator(loaded, spec, old.base + old.loop.stats.submitted);
        return () => old.loop.close();
      });
    },
    async stop() {
      offOutput();
      const next = incoming;
      incoming = null;
      await next?.input.source.stop();
      await input.source.stop();
      await gen.loop.close();
      await srv.close();
    },
  };
  return show;
}

/** Opens a generator in its worker; one log line with the time it took and the memory it added. */
async function openTimed(o: Parameters<typeof openWorkerGenerator>[0], log: Logger): Promise<LoadedGenerator> {
  const t0 = performance.now();
  const rss0 = process.memoryUsage().rss;
  const loaded = await openWorkerGenerator(o);
  const { name, width, height, provider } = loaded.generator.info;
  const mb = (process.memoryUsage().rss - rss0) / 2 ** 20;
  log.info(`model ${name}: ${width}×${height} on ${provider}, loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${mb >= 0 ? '+' : ''}${mb.toFixed(0)} MB`);
  return loaded;
}

/** Runs timed before a model's speed is judged (after its first, slower, runs). */
const SLOW_CHECK_RUNS = 8;

/**
 * Says once per generator, after its first runs, when it cannot keep up with the show's frame
 * rate: what it reaches, what that means on stage, and what to do.
 */
export function slowModelCheck(info: { name: string; width: number; provider: string }, fps: number, log: Logger): (runMs: number) => void {
  const times: number[] = [];
  let done = false;
  return (runMs) => {
    if (done) return;
    times.push(runMs);
    if (times.length < SLOW_CHECK_RUNS + 2) return;
    done = true;
    const ms = times.slice(2).sort((a, b) => a - b)[Math.floor(SLOW_CHECK_RUNS / 2)];
    const reach = 1000 / ms;
    if (reach >= fps * 0.9) return;
    log.warn(`model ${info.name} runs at ${reach.toFixed(1)} fps (${ms.toFixed(0)} ms a frame) on ${info.provider}, below --fps ${fps}: the output crossfades between its frames and the picture lags the audio by about ${ms.toFixed(0)} ms more; for more speed use a smaller model (an export at ${Math.max(128, info.width / 2)}²) or a GPU provider (--providers cuda,webgpu; docs/models.md)`);
  };
}
