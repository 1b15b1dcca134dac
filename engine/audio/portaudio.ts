import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AudioBlock, AudioSource, BlockHandler, DeviceInfo } from './AudioBlock.js';
import { advance, createClock } from '../clock.js';
import { createLogger, type Logger } from '../log.js';
import type { Frames, Hz, Seconds } from '../units.js';

/** A device as naudiodon2's `getDevices()` reports it (the fields used here). */
export interface RawDevice {
  readonly id: number;
  readonly name: string;
  readonly maxInputChannels: number;
  readonly defaultSampleRate: number;
  readonly hostAPIName: string;
}

/** What one `read(bytes)` of the native stream resolves to. */
export interface RawRead {
  readonly buf?: Buffer;
  readonly finished?: boolean;
  /** A PortAudio status line such as `portAudio status - input overflow `. */
  readonly err?: string;
}

/** A native capture stream: the raw addon object behind naudiodon2's `AudioIO`. */
export interface RawStream {
  start(): void;
  read(bytes: number): Promise<RawRead>;
  quit(mode: 'WAIT' | 'ABORT'): Promise<void>;
}

/** naudiodon2's input options as this module sets them. */
export interface RawInOptions {
  deviceId: number; sampleRate: number; channelCount: number; sampleFormat: 16;
  framesPerBuffer: number; maxQueue: number; closeOnError: boolean;
}

/** The few calls of naudiodon2's native addon this module makes; injectable for tests. */
export interface PortAudioBinding {
  getDevices(): RawDevice[];
  getHostAPIs(): { defaultHostAPI: number; HostAPIs: readonly { defaultInput: number }[] };
  create(options: { inOptions: RawInOptions }): RawStream;
}

let loaded: PortAudioBinding | undefined;

/**
 * Loads naudiodon2's native addon (on first use only, so the rest of the engine runs without it).
 *
 * @remarks The addon is used directly, not through naudiodon2's `AudioIO` stream wrapper: the
 * wrapper destroys the stream on any PortAudio status flag (an input overflow included) and
 * prints every error with `console.error`. Loading it with `bindings` as naudiodon2 does also
 * skips the wrapper's `segfault-handler`, which writes `crash.log` into the working directory.
 * @throws Error `naudiodon2 is not installed: …` when the package or its build is missing.
 */
export function loadBinding(packageName = 'naudiodon2'): PortAudioBinding {
  if (packageName === 'naudiodon2' && loaded) return loaded;
  try {
    const req = createRequire(import.meta.url);
    const root = dirname(req.resolve(`${packageName}/package.json`));
    const bindings = createRequire(join(root, 'index.js'))('bindings') as (o: object) => PortAudioBinding;
    const b = bindings({ bindings: 'naudiodon.node', module_root: root });
    if (packageName === 'naudiodon2') loaded = b;
    return b;
  } catch (e) {
    const why = String((e as Error).message ?? e).split('\n')[0];
    throw new Error(`${packageName} is not installed: ${why} (npm rebuild naudiodon2 / install build tools)`);
  }
}

function toInfo(d: RawDevice): DeviceInfo {
  return { index: d.id, name: d.name, hostApi: d.hostAPIName, maxInputChannels: d.maxInputChannels, defaultSampleRate: d.defaultSampleRate };
}

/** Lists PortAudio's input devices (those with at least one input channel). */
export async function listDevices(binding: PortAudioBinding = loadBinding()): Promise<DeviceInfo[]> {
  return binding.getDevices().filter((d) => d.maxInputChannels > 0).map(toInfo);
}

/**
 * Picks an input device: an index, a case-insensitive name (an exact match wins over a
 * substring), or the default host API's default input when `spec` is undefined.
 *
 * @throws Error listing the inputs when nothing or more than one device matches.
 */
export function resolveDevice(binding: PortAudioBinding, spec?: string | number): RawDevice {
  const inputs = binding.getDevices().filter((d) => d.maxInputChannels > 0);
  const names = (ds: RawDevice[]): string => ds.map((d) => `${d.id}: ${d.name}`).join(', ') || 'none';
  if (inputs.length === 0) throw new Error('no audio input device found (PortAudio lists none)');
  if (spec === undefined) {
    const apis = binding.getHostAPIs();
    const id = apis.HostAPIs[apis.defaultHostAPI]?.defaultInput;
    return inputs.find((d) => d.id === id) ?? inputs[0];
  }
  if (typeof spec === 'number' || /^\d+$/.test(spec.trim())) {
    const d = inputs.find((x) => x.id === Number(spec));
    if (!d) throw new Error(`audio input ${spec} not found; inputs are: ${names(inputs)}`);
    return d;
  }
  const want = spec.trim().toLowerCase();
  const exact = inputs.filter((d) => d.name.toLowerCase() === want);
  const matches = exact.length > 0 ? exact : inputs.filter((d) => d.name.toLowerCase().includes(want));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new Error(`audio input "${spec}" not found; inputs are: ${names(inputs)}`);
  throw new Error(`audio input "${spec}" is ambiguous: ${names(matches)}`);
}

/**
 * Fault-handling timings in seconds (defaults in brackets): `watchdog` [0.5], no data for this
 * long once data has flowed is a fault; `startupTimeout` [5], no first data this long after
 * opening is a fault (PulseAudio takes up to ~2 s); reopen delays start at `backoffMin` [0.25]
 * and double up to `backoffMax` [4]; a faulted stream that has not closed after `closeTimeout`
 * [3] is abandoned; overflow and consumer-error lines come at most once per `logInterval` [5].
 */
export interface CaptureTiming {
  watchdog: Seconds;
  startupTimeout: Seconds;
  backoffMin: Seconds;
  backoffMax: Seconds;
  closeTimeout: Seconds;
  logInterval: Seconds;
}

const DEFAULT_TIMING: CaptureTiming = { watchdog: 0.5, startupTimeout: 5, backoffMin: 0.25, backoffMax: 4, closeTimeout: 3, logInterval: 5 };

/** Options of {@link openPortAudioSource}. */
export interface PortAudioSourceOptions {
  /** Device index, or case-insensitive name substring; default: the host's default input. */
  device?: string | number;
  /** Default 48000. */
  sampleRate?: Hz;
  /** Default: min(2, the device's input channels). */
  channels?: number;
  /** Default 256. */
  framesPerBuffer?: Frames;
  logger?: Logger;
  /** The native addon; default: naudiodon2's. */
  binding?: PortAudioBinding;
  timing?: Partial<CaptureTiming>;
}

/** Counters for monitoring and tests. */
export interface CaptureStats {
  /** Fault episodes (device lost until it is back). */
  faults: number;
  /** Reopen attempts, failed or not. */
  reopenAttempts: number;
  overflows: number;
  silentBlocks: number;
  consumerErrors: number;
  /** Seconds from `start()` to the first data. */
  firstDataDelay: Seconds | undefined;
  /** Seconds from the last data before the latest fault to the first data after it. */
  lastRecovery: Seconds | undefined;
}

/** A live PortAudio input: an {@link AudioSource} plus what it opened and its counters. */
export interface PortAudioSource extends AudioSource {
  readonly device: DeviceInfo;
  readonly stats: Readonly<CaptureStats>;
}

interface Session {
  readonly io: RawStream;
  readonly openedMs: number;
  lastDataMs: number;
  gotData: boolean;
  closed: boolean;
}

/**
 * Opens a PortAudio input as an {@link AudioSource} of 16-bit samples scaled by 1/32768.
 *
 * Blocks carry `startFrame` on an engine clock counting every frame delivered, silence
 * included. A fault (a read error, the stream ending, or no data for `watchdog` seconds)
 * logs one line, closes the stream, delivers `silent` blocks paced in real time from the
 * last data, and retries with exponential back-off (one line per attempt) until data flows
 * again. An input overflow costs one zeroed block and a rate-limited warning. Nothing is
 * thrown at the consumer; what the consumer throws is caught and logged.
 *
 * @remarks The block object and its channel arrays are reused for every block. A retry opens
 * the stream only when `getDevices()` lists the device: naudiodon2 leaks one `Pa_Initialize`
 * when opening fails, after which PortAudio never rescans its devices in this process.
 * @throws Error when the device cannot be found or lacks the requested channels.
 */
export function openPortAudioSource(opts: PortAudioSourceOptions = {}): PortAudioSource {
  const binding = opts.binding ?? loadBinding();
  const dev = resolveDevice(binding, opts.device);
  const device = toInfo(dev);
  const sampleRate = opts.sampleRate ?? 48000;
  const channelCount = opts.channels ?? Math.min(2, dev.maxInputChannels);
  const fpb = opts.framesPerBuffer ?? 256;
  if (!Number.isInteger(channelCount) || channelCount < 1 || channelCount > dev.maxInputChannels) {
    throw new Error(`audio input "${dev.name}" has ${dev.maxInputChannels} input channels; ${channelCount} requested`);
  }
  if (!Number.isInteger(fpb) || fpb < 1) throw new Error(`framesPerBuffer must be a positive integer, got ${fpb}`);
  const timing: CaptureTiming = { ...DEFAULT_TIMING, ...opts.timing };
  const logger = opts.logger ?? createLogger('audio');
  const label = `audio input "${dev.name}"`;
  const bytesPerRead = fpb * channelCount * 2;
  const blockMs = (fpb / sampleRate) * 1000;

  const stats: CaptureStats = {
    faults: 0, reopenAttempts: 0, overflows: 0, silentBlocks: 0, consumerErrors: 0, firstDataDelay: undefined, lastRecovery: undefined,
  };
  const clock = createClock(sampleRate);
  const live = Array.from({ length: channelCount }, () => new Float32Array(fpb));
  const zeros = Array.from({ length: channelCount }, () => new Float32Array(fpb));
  const block = { channels: live as readonly Float32Array[], frames: fpb, sampleRate, startFrame: 0, captureTime: 0, wallTimeMs: 0, silent: false };

  let onBlock: BlockHandler | undefined;
  let stopped = false;
  let session: Session | undefined;
  let faulted = false;
  let startMs = 0;
  let lastArrivalMs = 0;
  let silenceAnchorMs = 0;
  let silenceFrames = 0;
  let attempt = 0;
  let backoff = timing.backoffMin;
  let watchdogTimer: NodeJS.Timeout | undefined;
  let pumpTimer: NodeJS.Timeout | undefined;
  let reopenTimer: NodeJS.Timeout | undefined;
  const rate = { overflow: { n: 0, at: -Infinity }, consumer: { n: 0, at: -Infinity } };
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));

  /** Logs at most one line per `logInterval`, counting what it left out. */
  const limited = (key: keyof typeof rate, level: 'warn' | 'error', msg: string): void => {
    const r = rate[key];
    r.n++;
    const now = performance.now();
    if (now - r.at < timing.logInterval * 1000) return;
    logger[level](r.n > 1 ? `${msg} (${r.n} times since last report)` : msg);
    r.n = 0;
    r.at = now;
  };

  const deliver = (channels: readonly Float32Array[], frames: Frames, wallTimeMs: number, silent: boolean): void => {
    block.channels = channels;
    block.frames = frames;
    block.silent = silent;
    block.startFrame = clock.frames;
    block.captureTime = advance(clock, frames);
    block.wallTimeMs = wallTimeMs;
    if (silent) stats.silentBlocks++;
    try {
      onBlock?.(block as AudioBlock);
    } catch (e) {
      stats.consumerErrors++;
      limited('consumer', 'error', `block consumer threw: ${(e as Error).message ?? e}`);
    }
  };

  const onData = (s: Session, buf: Buffer): void => {
    const now = performance.now();
    const frames = Math.min(fpb, Math.floor(buf.length / (2 * channelCount)));
    if (frames === 0) return;
    if (!s.gotData) {
      s.gotData = true;
      if (stats.firstDataDelay === undefined) stats.firstDataDelay = (now - startMs) / 1000;
      if (faulted) {
        faulted = false;
        clearInterval(pumpTimer);
        pumpSilence(now - blockMs);
        stats.lastRecovery = (now - silenceAnchorMs) / 1000;
        logger.info(`${label} is back after ${stats.lastRecovery.toFixed(2)} s (${attempt} reopen attempt${attempt === 1 ? '' : 's'})`);
        attempt = 0;
        backoff = timing.backoffMin;
      }
    }
    s.lastDataMs = now;
    lastArrivalMs = now;
    for (let c = 0; c < channelCount; c++) {
      const out = live[c];
      for (let i = 0, p = 2 * c; i < frames; i++, p += 2 * channelCount) {
        out[i] = (((buf[p + 1] << 24) >> 16) | buf[p]) * (1 / 32768);
      }
    }
    deliver(frames === fpb ? live : live.map((a) => a.subarray(0, frames)), frames, now - (frames / sampleRate) * 1000, false);
  };

  /** Delivers the silent blocks due by `untilMs` since the fault's anchor. */
  const pumpSilence = (untilMs: number): void => {
    const due = Math.floor(((untilMs - silenceAnchorMs) / 1000) * sampleRate);
    while (!stopped && silenceFrames + fpb <= due) {
      deliver(zeros, fpb, silenceAnchorMs + (silenceFrames / sampleRate) * 1000, true);
      silenceFrames += fpb;
    }
  };

  const readLoop = async (s: Session): Promise<void> => {
    while (!s.closed) {
      let r: RawRead;
      try {
        r = await s.io.read(bytesPerRead);
      } catch (e) {
        if (!s.closed) fault(`read failed: ${(e as Error).message ?? e}`);
        return;
      }
      if (s.closed) return;
      if (r.err !== undefined) {
        if (!/overflow|underflow/.test(r.err)) return fault(`device error: ${r.err.trim()}`);
        stats.overflows++;
        limited('overflow', 'warn', `${label}: ${r.err.replace('portAudio status - ', '').trim()}, audio dropped (is the engine keeping up?)`);
        deliver(zeros, fpb, performance.now() - blockMs, true);
        continue;
      }
      if (r.finished) return fault('the stream ended');
      if (r.buf && r.buf.length > 0) onData(s, r.buf);
    }
  };

  const openStream = (id: number): void => {
    const io = binding.create({
      inOptions: {
        deviceId: id, sampleRate, channelCount, sampleFormat: 16, framesPerBuffer: fpb,
        maxQueue: Math.max(2, Math.ceil((0.25 * sampleRate) / fpb)), closeOnError: true,
      },
    });
    io.start();
    const now = performance.now();
    const s: Session = { io, openedMs: now, lastDataMs: now, gotData: false, closed: false };
    session = s;
    void readLoop(s);
  };

  const closeSession = async (s: Session): Promise<void> => {
    s.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      s.io.quit('ABORT').then(() => false, () => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timing.closeTimeout * 1000))),
    ]);
    clearTimeout(timer);
    if (timedOut) logger.warn(`${label} did not close within ${timing.closeTimeout} s; abandoning it`);
  };

  const nextDelay = (): string => `next in ${backoff} s`;

  const scheduleReopen = (): void => {
    if (stopped) return;
    reopenTimer = setTimeout(tryReopen, backoff * 1000);
  };

  const failAttempt = (why: string): void => {
    backoff = Math.min(timing.backoffMax, backoff * 2);
    logger.warn(`reopen attempt ${attempt}: ${why}; ${nextDelay()}`);
    scheduleReopen();
  };

  const tryReopen = (): void => {
    reopenTimer = undefined;
    if (stopped) return;
    attempt++;
    stats.reopenAttempts++;
    let found: RawDevice | undefined;
    try {
      const inputs = binding.getDevices().filter((d) => d.maxInputChannels >= channelCount);
      found = inputs.find((d) => d.name === dev.name && d.id === dev.id) ?? inputs.find((d) => d.name === dev.name);
    } catch (e) {
      return failAttempt(`listing devices failed: ${(e as Error).message ?? e}`);
    }
    if (!found) return failAttempt('device not present');
    try {
      openStream(found.id);
    } catch (e) {
      return failAttempt(String((e as Error).message ?? e));
    }
    logger.debug(`reopen attempt ${attempt}: stream started, waiting for data`);
  };

  const fault = (reason: string): void => {
    const s = session;
    if (stopped || !s) return;
    session = undefined;
    if (faulted) {
      backoff = Math.min(timing.backoffMax, backoff * 2);
      logger.warn(`reopen attempt ${attempt}: ${reason}; ${nextDelay()}`);
    } else {
      faulted = true;
      stats.faults++;
      logger.error(`${label} lost: ${reason}; delivering silence and reopening`);
      silenceAnchorMs = lastArrivalMs || performance.now();
      silenceFrames = 0;
      pumpTimer = setInterval(() => pumpSilence(performance.now()), Math.max(1, Math.min(10, blockMs)));
      pumpSilence(performance.now());
    }
    void closeSession(s).then(scheduleReopen);
  };

  const watchdog = (): void => {
    const s = session;
    if (!s || s.closed) return;
    const now = performance.now();
    if (s.gotData && now - s.lastDataMs > timing.watchdog * 1000) {
      fault(`no data for ${((now - s.lastDataMs) / 1000).toFixed(2)} s`);
    } else if (!s.gotData && now - s.openedMs > timing.startupTimeout * 1000) {
      fault(`no data within ${timing.startupTimeout} s of opening`);
    }
  };

  return {
    sampleRate,
    channelCount,
    device,
    stats,
    ended,
    async start(handler) {
      if (onBlock) throw new Error(`${label}: already started`);
      onBlock = handler;
      startMs = performance.now();
      try {
        openStream(dev.id);
      } catch (e) {
        onBlock = undefined;
        throw new Error(`cannot open ${label}: ${(e as Error).message ?? e}`);
      }
      watchdogTimer = setInterval(watchdog, Math.max(10, Math.min(100, timing.watchdog * 250)));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(watchdogTimer);
      clearInterval(pumpTimer);
      clearTimeout(reopenTimer);
      const s = session;
      session = undefined;
      if (s) await closeSession(s);
      resolveEnded();
    },
  };
}
