import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import wavefile from 'wavefile';
import type { AudioBlock, AudioSource, BlockHandler } from './AudioBlock.js';
import { advance, createClock } from '../clock.js';
import { createLogger, type Logger } from '../log.js';
import type { Frames, Hz } from '../units.js';

/** Decoded audio: one Float32Array per channel, samples in [-1, 1]. */
export interface DecodedAudio {
  readonly sampleRate: Hz;
  readonly channels: Float32Array[];
}

/** How a finite source hands out its blocks. */
export type Pace = 'realtime' | 'fast';

/** Options of {@link openFileSource} and {@link createArraySource}. */
export interface FileSourceOptions {
  /** `realtime`: paced by the sample clock against `performance.now()`; `fast`: as fast as possible. */
  pace: Pace;
  /** Frames per block; default 256. Every block is this long except possibly the last. */
  framesPerBuffer?: Frames;
  /**
   * Channels to deliver; default all of the file's. Fewer takes the first ones; more is
   * allowed only from a mono file (copied to every channel).
   */
  channels?: number;
  /** Start again from the beginning after the end, with no gap, until stopped. Default false. */
  loop?: boolean;
  logger?: Logger;
}

/**
 * Decodes an audio file to float channels at its native rate.
 *
 * WAV (PCM 8/16/24/32-bit, float 32/64, WAVE_FORMAT_EXTENSIBLE, RIFF/RIFX/RF64) is parsed with
 * `wavefile`; anything else, or a WAV it cannot read, goes through Debian's `ffmpeg`.
 *
 * @remarks Integer PCM is scaled by 2^(bits−1) (16-bit: /32768), so a 16-bit file decodes to
 * exactly the values a 16-bit device capture gives. The conversion reads wavefile's raw data
 * bytes directly: its `getSamples` allocates a Float64Array of the whole file and reads
 * extensible float files as integers.
 * @throws Error `cannot read audio file "<path>": <reason>` (missing, not audio, no ffmpeg).
 */
export async function decodeAudioFile(path: string): Promise<DecodedAudio> {
  const fail = (why: string): Error => new Error(`cannot read audio file "${path}": ${why}`);
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw fail(e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message);
  });
  if (st.isDirectory()) throw fail('is a directory');
  if (st.size === 0) throw fail('file is empty');
  let wavReason = '';
  const ext = extname(path).toLowerCase();
  if (ext === '.wav' || ext === '.wave') {
    const bytes = await readFile(path);
    try {
      const decoded = decodeWav(bytes);
      if (typeof decoded !== 'string') return decoded;
      wavReason = decoded;
    } catch (e) {
      wavReason = `not a readable WAV (${(e as Error).message})`;
    }
  }
  try {
    return await decodeWithFfmpeg(path);
  } catch (e) {
    const msg = (e as Error).message;
    throw fail(wavReason === '' ? msg : msg.startsWith('ffmpeg not found') ? `${wavReason}; ${msg}` : `${wavReason}; ffmpeg: ${msg}`);
  }
}

interface WavFmt {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
  subformat: number[];
}

/** Whether typed arrays on this machine are little-endian (as WAV's RIFF data is). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Decodes a WAV buffer, or returns why it must go to ffmpeg instead. */
function decodeWav(bytes: Uint8Array): DecodedAudio | string {
  const wav = new wavefile.WaveFile(bytes);
  const fmt = wav.fmt as WavFmt;
  const data = (wav.data as { samples: Uint8Array }).samples;
  const code = fmt.audioFormat === 0xfffe ? fmt.subformat[0] : fmt.audioFormat;
  const nch = fmt.numChannels;
  if (code !== 1 && code !== 3) return `WAV format code ${code} is not PCM or float`;
  if (!(nch >= 1) || !(fmt.sampleRate > 0)) return 'WAV header has no channels or no sample rate';
  const width = fmt.blockAlign / nch;
  const float = code === 3;
  if (!Number.isInteger(width) || (float ? width !== 4 && width !== 8 : width < 1 || width > 4)) {
    return `unsupported WAV sample layout (${fmt.bitsPerSample} bits, ${fmt.blockAlign}-byte frames)`;
  }
  const le = wav.container !== 'RIFX';
  const frames = Math.floor(data.length / fmt.blockAlign);
  const channels = Array.from({ length: nch }, () => new Float32Array(frames));
  const scale = 1 / 2 ** (8 * width - 1);
  if (!float && width === 2 && le && LITTLE_ENDIAN && data.byteOffset % 2 === 0) {
    // The common case (16-bit little-endian PCM) read as Int16Array: the same values, without a DataView call per sample.
    const s16 = new Int16Array(data.buffer, data.byteOffset, frames * nch);
    for (let ch = 0; ch < nch; ch++) {
      const out = channels[ch];
      for (let i = 0, p = ch; i < frames; i++, p += nch) out[i] = s16[p] * scale;
    }
    return { sampleRate: fmt.sampleRate, channels };
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let ch = 0; ch < nch; ch++) {
    const out = channels[ch];
    let p = ch * width;
    const step = fmt.blockAlign;
    for (let i = 0; i < frames; i++, p += step) {
      let v: number;
      if (float) v = width === 4 ? view.getFloat32(p, le) : view.getFloat64(p, le);
      else if (width === 2) v = view.getInt16(p, le) * scale;
      else if (width === 1) v = (data[p] - 128) * scale;
      else if (width === 4) v = view.getInt32(p, le) * scale;
      else {
        const b0 = data[le ? p : p + 2];
        const b1 = data[p + 1];
        const b2 = data[le ? p + 2 : p];
        v = ((b2 << 24) | (b1 << 16) | (b0 << 8)) * (1 / 2 ** 31);
      }
      out[i] = v;
    }
  }
  return { sampleRate: fmt.sampleRate, channels };
}

/** Runs an ffmpeg tool; resolves with stdout, rejects with its messages on one line. */
function run(cmd: string, args: string[], path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 4096) err += b.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === 'ENOENT' ? 'ffmpeg not found (apt-get install ffmpeg)' : e.message)),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve(Buffer.concat(out));
      const lines = err
        .split('\n')
        .map((l) => l.replace(/^\[[^\]]*\]\s*/, '').replace(`${path}: `, '').trim())
        .filter((l, i, a) => l !== '' && a.indexOf(l) === i);
      const msg = lines.join('; ');
      reject(new Error(msg === '' ? `${cmd} exited with code ${code}` : msg.length > 300 ? `${msg.slice(0, 297)}...` : msg));
    });
  });
}

async function decodeWithFfmpeg(path: string): Promise<DecodedAudio> {
  const probe = await run('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=sample_rate,channels', '-of', 'json', path], path);
  const streams = (JSON.parse(probe.toString()) as { streams?: { sample_rate?: string; channels?: number }[] }).streams ?? [];
  const sampleRate = Number(streams[0]?.sample_rate);
  const nch = Number(streams[0]?.channels);
  if (streams.length === 0) throw new Error('no audio stream');
  if (!(sampleRate > 0) || !(nch >= 1)) throw new Error('audio stream has no sample rate or channel count');
  const raw = await run('ffmpeg', [
    '-v', 'error', '-nostdin', '-i', path, '-map', '0:a:0',
    '-ac', String(nch), '-ar', String(sampleRate), '-f', 'f32le', '-acodec', 'pcm_f32le', '-',
  ], path);
  const frames = Math.floor(raw.length / (4 * nch));
  const inter = new Float32Array(frames * nch);
  new Uint8Array(inter.buffer).set(raw.subarray(0, inter.byteLength));
  const channels = Array.from({ length: nch }, () => new Float32Array(frames));
  for (let ch = 0; ch < nch; ch++) {
    const out = channels[ch];
    for (let i = 0, p = ch; i < frames; i++, p += nch) out[i] = inter[p];
  }
  return { sampleRate, channels };
}

/**
 * Opens an audio file as a finite {@link AudioSource} (see {@link decodeAudioFile} for formats).
 *
 * @throws Error naming the file when it cannot be read or decoded.
 */
export async function openFileSource(path: string, opts: FileSourceOptions): Promise<AudioSource> {
  return createArraySource(await decodeAudioFile(path), opts);
}

/**
 * A finite source over decoded samples: blocks of exactly `framesPerBuffer` frames (the last
 * may be shorter), `startFrame` counted on an engine clock of its own.
 *
 * @remarks The block object and its channel arrays are allocated once and rewritten for every
 * block. With `loop`, blocks stay `framesPerBuffer` long across the wrap and `ended` resolves only
 * on `stop()`. `realtime` delivers block k once `performance.now()` reaches the wall time of its
 * last frame, computed from the start time and the frame count (no drift accumulates);
 * `fast` delivers synchronously, yielding to the event loop every 64 blocks.
 */
export function createArraySource(audio: DecodedAudio, opts: FileSourceOptions): AudioSource {
  const fpb = opts.framesPerBuffer ?? 256;
  if (!Number.isInteger(fpb) || fpb < 1) throw new Error(`file source: framesPerBuffer must be a positive integer, got ${fpb}`);
  const srcCount = audio.channels.length;
  if (srcCount === 0) throw new Error('file source: audio has no channels');
  const count = opts.channels ?? srcCount;
  if (!Number.isInteger(count) || count < 1 || (count > srcCount && srcCount !== 1)) {
    throw new Error(`file source: cannot deliver ${count} channels from a ${srcCount}-channel file`);
  }
  const logger = opts.logger ?? createLogger('audio');
  const { sampleRate } = audio;
  const src = Array.from({ length: count }, (_, c) => audio.channels[srcCount === 1 ? 0 : c]);
  const total = src[0].length;
  const loop = opts.loop === true && total > 0;
  const tail = loop ? 0 : total % fpb;
  const full = src.map(() => new Float32Array(fpb));
  const last = src.map(() => new Float32Array(tail));
  const block = { channels: full, frames: 0, sampleRate, startFrame: 0, captureTime: 0, wallTimeMs: 0, silent: false };
  const clock = createClock(sampleRate);
  let onBlock: BlockHandler | undefined;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  let t0 = 0;
  let running = false;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));
  let thrown = 0;
  let lastThrowLogMs = -Infinity;

  const finish = (): void => {
    running = false;
    timer = undefined;
    resolveEnded();
  };

  /** Frames still to deliver (unbounded when looping). */
  const remaining = (): Frames => (loop ? Infinity : total - clock.frames);

  /** Fills and delivers the next block; false when the file is done. */
  const deliverNext = (): boolean => {
    if (remaining() <= 0) return false;
    const n = Math.min(fpb, remaining());
    const chans = n === fpb ? full : last;
    const pos = clock.frames % total;
    for (let c = 0; c < count; c++) {
      const s = src[c];
      const d = chans[c];
      const k = Math.min(n, total - pos);
      for (let i = 0; i < k; i++) d[i] = s[pos + i];
      for (let i = k, j = 0; i < n; i++, j = (j + 1) % total) d[i] = s[j];
    }
    block.channels = chans;
    block.frames = n;
    block.startFrame = clock.frames;
    block.captureTime = advance(clock, n);
    block.wallTimeMs = opts.pace === 'fast' ? block.captureTime * 1000 : t0 + block.captureTime * 1000;
    try {
      onBlock?.(block as AudioBlock);
    } catch (e) {
      thrown++;
      const now = performance.now();
      if (now - lastThrowLogMs > 3000) {
        logger.error(`block consumer threw (${thrown}x since last report): ${(e as Error).message ?? e}`);
        lastThrowLogMs = now;
        thrown = 0;
      }
    }
    return true;
  };

  const pumpFast = (): void => {
    for (let k = 0; k < 64 && running; k++) {
      if (!deliverNext()) return finish();
    }
    if (running) timer = setImmediate(pumpFast);
  };

  const pumpRealtime = (): void => {
    if (!running) return;
    for (;;) {
      if (remaining() <= 0) return finish();
      const end = clock.frames + Math.min(fpb, remaining());
      const due = t0 + (end / sampleRate) * 1000;
      const now = performance.now();
      if (now < due) {
        timer = setTimeout(pumpRealtime, Math.max(0, due - now));
        return;
      }
      deliverNext();
      if (!running) return;
    }
  };

  return {
    sampleRate,
    channelCount: count,
    ended,
    async start(handler) {
      if (onBlock) throw new Error('file source: already started');
      onBlock = handler;
      running = true;
      t0 = performance.now();
      if (total === 0) finish();
      else if (opts.pace === 'fast') timer = setImmediate(pumpFast);
      else pumpRealtime();
    },
    async stop() {
      if (timer) {
        clearTimeout(timer as NodeJS.Timeout);
        clearImmediate(timer as NodeJS.Immediate);
      }
      finish();
    },
  };
}
