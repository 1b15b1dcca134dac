/**
 * A quiet start: the native libraries' chatter (ALSA's configuration errors, libjack's "server
 * not running", Dawn's Vulkan probe from ONNX Runtime's WebGPU provider) kept out of the terminal.
 *
 * @remarks Those lines are written by C code straight to file descriptor 2, which no JavaScript
 * can redirect in-process. So the commands that load native audio or inference (start, devices,
 * render, analyze --input) run in a child process: the child's fd 2 is a pipe read here, where
 * known chatter is dropped (shown with `VJ_LOG=debug`) and every other line is passed on, so a
 * crash's message still reaches the user; the engine's own lines go to fd 3, the user's stderr,
 * untouched (the status line keeps its terminal). The child runs in its own process group, so a
 * Ctrl-C reaches it once, from here; it ends itself when this process disappears.
 */
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import { constants } from 'node:os';
import { isatty } from 'node:tty';
import { Writable } from 'node:stream';

/** Set in the child: its fd 3 is the user's stderr. */
const CHILD_ENV = 'VJ_NATIVE_STDERR_PIPED';

/** A line one of the native libraries prints on its own (never the engine's). */
const CHATTER: readonly RegExp[] = [
  /^ALSA lib /,
  /^Expression '.*' failed in '.*pa_linux_alsa\.c'/,
  /^Cannot connect to server (socket|request channel)/,
  /^jack server is not running or cannot be started/,
  /^JackShmReadWritePtr::/,
  /^error: XDG_RUNTIME_DIR is invalid or not set/,
  /^Warning: Vulkan /,
  /^Midi(In|Out)Alsa::initialize: /,
];

/** Sorts the child's fd-2 lines: chatter (with its indented continuation lines, blank lines) or not. */
export function createChatterFilter(): (line: string) => boolean {
  let inChatter = false;
  return (line) => {
    if (CHATTER.some((re) => re.test(line))) return (inChatter = true);
    if (line.trim() === '' || (inChatter && /^\s/.test(line))) return true;
    inChatter = false;
    return false;
  };
}

/** Whether `vj argv` loads PortAudio or ONNX Runtime (and so has native chatter to keep quiet). */
export function loadsNative(argv: readonly string[]): boolean {
  const [cmd, ...rest] = argv;
  return cmd === 'start' || cmd === 'devices' || cmd === 'render' || (cmd === 'analyze' && rest.includes('--input'));
}

/** In the child: `process.stderr` becomes fd 3 (synchronous writes, as Node's own stderr). */
export function adoptUserStderr(): boolean {
  if (process.env[CHILD_ENV] !== '1') return false;
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      try {
        // A non-blocking pipe may take part of it, or nothing for a moment (EAGAIN).
        for (let off = 0; off < chunk.length;) {
          try {
            off += writeSync(3, chunk, off);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
          }
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  }) as Writable & { isTTY?: boolean; fd?: number };
  stream.isTTY = isatty(3);
  stream.fd = 3;
  Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, get: () => stream });
  // The parent gone (killed): end as on Ctrl-C, so the show closes what it opened. The channel
  // itself does not keep the process alive.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  (process.channel as { unref?: () => void } | undefined)?.unref?.();
  return true;
}

/** Runs this same `vj argv` in a child whose native chatter is filtered; resolves with its exit code. */
export function runQuietChild(argv: readonly string[]): Promise<number> {
  const debug = process.env.VJ_LOG === 'debug';
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
    env: { ...process.env, [CHILD_ENV]: '1' },
    stdio: ['inherit', 'inherit', 'pipe', 2, 'ipc'],
    detached: true,
  });
  const isChatter = createChatterFilter();
  let partial = '';
  const pass = (line: string) => {
    if (!isChatter(line)) process.stderr.write(`${line}\n`);
    else if (debug && line.trim() !== '') process.stderr.write(`[vj native] debug: ${line}\n`);
  };
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    const lines = (partial + s).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) pass(l);
  });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const handlers = signals.map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`vj: cannot start the engine process: ${err.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => {
      if (partial) pass(partial);
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code ?? (signal ? 128 + constants.signals[signal] : 1));
    });
  });
}
