import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import type { Hz } from '../units.js';

/** Options of {@link openVideoWriter}. */
export interface VideoWriterOptions {
  /** Output file; its container follows the extension (`.mp4` gets `+faststart`). Replaced if it exists. */
  out: string;
  /** Frame width in pixels; even (yuv420p subsamples chroma 2×2). */
  width: number;
  /** Frame height in pixels; even. */
  height: number;
  /** Frames per second, e.g. 30 or 29.97. */
  fps: Hz;
  /** Audio file to mux as AAC 192 kb/s; the output ends with the shorter of the two streams. */
  audio?: string;
  /** The ffmpeg executable; default `ffmpeg` from PATH. */
  ffmpegPath?: string;
  /** libx264 constant rate factor 0–51, lower is better; default 18 (visually lossless). */
  crf?: number;
}

/** A running ffmpeg encode fed with raw RGBA frames. */
export interface VideoWriter {
  /**
   * Sends one frame of `width × height × 4` RGBA bytes, rows top to bottom.
   *
   * Resolves once ffmpeg's stdin has taken every byte, so the caller may reuse `rgba` at once;
   * awaiting each write bounds what is queued to one frame. Rejects with ffmpeg's last stderr
   * lines when ffmpeg has died, or with a RangeError on a wrong-sized frame.
   */
  write(rgba: Uint8Array): Promise<void>;
  /** Closes stdin and waits for ffmpeg; rejects with its last stderr lines on a non-zero exit. */
  finish(): Promise<void>;
  /** Kills ffmpeg (SIGKILL) and leaves whatever partial file it wrote; pending calls reject. */
  abort(): void;
}

const NOT_FOUND = 'ffmpeg not found: install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg) or pass --ffmpeg PATH';

/** Bytes of stderr kept for error messages (the tail). */
const STDERR_KEEP = 8192;

/**
 * Runs `ffmpeg -version` and returns its first line (`ffmpeg version 5.1.x …`).
 *
 * @throws Error `ffmpeg not found: …` when the executable is missing, or its own output on failure.
 */
export function probeFfmpeg(ffmpegPath = 'ffmpeg'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, ['-version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => reject(spawnError(e, ffmpegPath)));
    child.on('close', (code, signal) => {
      const first = out.split('\n', 1)[0].trim();
      if (code === 0 && first !== '') resolve(first);
      else reject(new Error(`"${ffmpegPath} -version" failed (${exitText(code, signal)}): ${first || 'no output'}`));
    });
  });
}

/**
 * The ffmpeg arguments {@link openVideoWriter} uses: raw RGBA on stdin, H.264 yuv420p out,
 * AAC audio muxed from `opts.audio` when given.
 */
export function videoWriterArgs(opts: VideoWriterOptions): string[] {
  const args = ['-y', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${opts.width}x${opts.height}`, '-r', String(opts.fps), '-i', '-'];
  if (opts.audio !== undefined) args.push('-i', opts.audio, '-map', '0:v', '-map', '1:a', '-c:a', 'aac', '-b:a', '192k', '-shortest');
  args.push('-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', String(opts.crf ?? 18), '-preset', 'veryfast');
  if (['.mp4', '.m4v', '.mov'].includes(extname(opts.out).toLowerCase())) args.push('-movflags', '+faststart');
  args.push(opts.out);
  return args;
}

/**
 * Starts ffmpeg encoding raw RGBA frames to `opts.out`.
 *
 * Everything that can be checked up front is, before spawning: sizes, fps, crf, that the
 * output directory exists and is writable, that the audio file is readable; then that the
 * executable starts at all.
 *
 * @remarks `write` resolves on the stream's write callback rather than on `write()` returning
 * true: Node keeps a reference to the caller's bytes until the pipe takes them, and a render
 * loop reuses one frame buffer (no allocation per frame), so resolving earlier would let the
 * next frame overwrite bytes still queued. This also applies backpressure: ffmpeg's reading
 * paces the caller. With `audio` and `-shortest`, ffmpeg may stop reading stdin when the audio
 * ends; frames written after it then exits with code 0 are dropped, not an error.
 * @throws Error naming the problem: odd or non-positive size, bad fps or crf, missing or
 * read-only output directory, unreadable audio file, `ffmpeg not found: …`.
 */
export async function openVideoWriter(opts: VideoWriterOptions): Promise<VideoWriter> {
  const { width, height, fps } = opts;
  const crf = opts.crf ?? 18;
  const ffmpegPath = opts.ffmpegPath ?? 'ffmpeg';
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`video writer: width and height must be positive integers, got ${width}×${height}`);
  }
  if (width % 2 !== 0 || height % 2 !== 0) {
    throw new RangeError(`video writer: width and height must be even for H.264 yuv420p, got ${width}×${height}`);
  }
  if (!(Number.isFinite(fps) && fps > 0)) throw new RangeError(`video writer: fps must be a positive number, got ${fps}`);
  if (!Number.isInteger(crf) || crf < 0 || crf > 51) throw new RangeError(`video writer: crf must be an integer in 0–51, got ${crf}`);
  await checkOutputDir(opts.out);
  if (opts.audio !== undefined) await checkAudio(opts.audio);

  const child = spawn(ffmpegPath, videoWriterArgs(opts), { stdio: ['pipe', 'ignore', 'pipe'] });
  const { stdin } = child;
  let stderr = '';
  let pipeError: Error | undefined;
  let aborted = false;
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    if (stderr.length > 2 * STDERR_KEEP) stderr = stderr.slice(-STDERR_KEEP);
  });
  stdin.on('error', (e) => (pipeError ??= e));
  /** Settles once ffmpeg is gone: undefined after a clean exit, else the error to report. */
  const exited = new Promise<Error | undefined>((res) => {
    child.on('close', (code, signal) => {
      if (aborted) return res(new Error('video writer aborted'));
      if (code === 0) return res(undefined);
      res(new Error(`ffmpeg ${exitText(code, signal)} while writing "${opts.out}": ${tail(stderr) || pipeError?.message || 'no message'}`));
    });
  });
  await new Promise<void>((res, rej) => {
    child.once('spawn', res);
    child.once('error', (e: NodeJS.ErrnoException) => rej(spawnError(e, ffmpegPath)));
  });
  child.on('error', (e) => (pipeError ??= e));

  let done = false;
  const frameBytes = width * height * 4;
  /** The error for a write after ffmpeg has gone, or undefined when it ended cleanly (-shortest). */
  const afterExit = async (): Promise<void> => {
    const err = await exited;
    if (err) throw err;
  };
  let finishing: Promise<void> | undefined;

  return {
    write(rgba) {
      if (rgba.length !== frameBytes) {
        return Promise.reject(new RangeError(`video writer: frame has ${rgba.length} bytes, expected ${width}×${height}×4 = ${frameBytes}`));
      }
      if (aborted) return Promise.reject(new Error('video writer aborted'));
      if (finishing) return Promise.reject(new Error('video writer: write after finish'));
      if (done || pipeError || !stdin.writable) return afterExit();
      return new Promise<void>((res, rej) => {
        stdin.write(rgba, (err) => {
          if (!err) return res();
          done = true;
          afterExit().then(res, rej);
        });
      });
    },
    finish() {
      finishing ??= (async () => {
        if (!done && !aborted) stdin.end();
        await afterExit();
      })();
      return finishing;
    },
    abort() {
      if (aborted) return;
      aborted = true;
      stdin.destroy();
      kill(child);
    },
  };
}

/** Fails when the directory that will hold `out` is missing, not a directory or not writable. */
async function checkOutputDir(out: string): Promise<void> {
  const dir = dirname(resolve(out));
  const st = await stat(dir).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`output directory "${dir}" ${e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${e.code ?? e.message})`}`);
  });
  if (!st.isDirectory()) throw new Error(`output directory "${dir}" is not a directory`);
  await access(dir, constants.W_OK | constants.X_OK).catch(() => {
    throw new Error(`output directory "${dir}" is not writable`);
  });
}

/** Fails when the audio file is missing, a directory or unreadable. */
async function checkAudio(path: string): Promise<void> {
  const fail = (why: string): Error => new Error(`cannot read audio file "${path}": ${why}`);
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw fail(e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 'no such file' : (e.code ?? e.message));
  });
  if (st.isDirectory()) throw fail('is a directory');
  await access(path, constants.R_OK).catch(() => {
    throw fail('permission denied');
  });
}

function spawnError(e: NodeJS.ErrnoException, path: string): Error {
  if (e.code === 'ENOENT') return new Error(`${NOT_FOUND} (tried "${path}")`);
  if (e.code === 'EACCES') return new Error(`cannot run ffmpeg "${path}": permission denied`);
  return new Error(`cannot run ffmpeg "${path}": ${e.message}`);
}

function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return code !== null ? `exited with code ${code}` : `was killed by ${signal ?? 'a signal'}`;
}

/** The last distinct stderr lines on one line, `[libx264 @ 0x…]` prefixes stripped. */
function tail(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^\[[^\]]*\]\s*/, '').trim())
    .filter((l, i, a) => l !== '' && a.indexOf(l) === i)
    .slice(-5);
  const msg = lines.join('; ');
  return msg.length > 500 ? `…${msg.slice(-499)}` : msg;
}

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
