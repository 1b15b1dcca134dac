// Each command's module (and the native packages it needs) is loaded only when it runs, so
// `vj --help` and `vj analyze` start as fast as Node does.
import { adoptUserStderr, loadsNative, runQuietChild } from './nativeChatter.js';

const usage = `vj — live VJ engine

Usage:
  vj start                            the show: input → generator → full-screen output (Electron,
                                      else Chromium/Chrome in kiosk mode, else the URL to open)
  vj devices                          list audio inputs (index, name, host API, channels, rate)
                                      and MIDI inputs and outputs
  vj analyze FILE --onsets            one onset time (s) per line, when each became available
  vj analyze FILE --json              one JSON object of features per analysis hop
  vj analyze FILE                     the live meter, on a file paced in real time
  vj analyze --input NAME|INDEX       the live meter on an audio input ("default": the default
                                      input, or the bundled demo clip when there is none)
  vj render AUDIO --out VIDEO         render a song to a video (ffmpeg; the audio muxed in)
  vj render AUDIO --frames DIR        ... or to PNG frames

Options for analyze:
  --channels SPEC     routing: "1,2" (mono mix) or "drums=1-2,keys=3-4" (one input each)
  --rate HZ           input sample rate (default 48000)
  --buffer FRAMES     frames per buffer (default 256)

Options for start:
  --input NAME|INDEX|FILE   audio input (default "default"; the demo clip when there is none;
                      a FILE plays looped in real time), with --channels/--rate/--buffer as analyze
  --pulse/--motion/--class NAME   the input that drives each (default: the first)
  --model M, --size PX (default 256), --seed N, --set ID=VALUE, --providers LIST
  --fps N             most generated frames per second (default 60)
  --port N            HTTP/WebSocket port (default 7070); --bind ADDR (default 127.0.0.1;
                      anything else makes the output reachable from the network)
  --osc-port N        OSC in (UDP) port (default 9000); --osc-bind ADDR (default 127.0.0.1);
                      --osc-reply-port N: answer /vj/query there (default: the sender's port);
                      --no-osc: no OSC server
  --osc-out HOST:PORT features and parameter echoes out over OSC (repeatable)
  --midi NAME         open the MIDI devices whose names contain NAME (repeatable; default: all);
                      --no-midi: none
  --preset P          a preset name (presets/, or your folder: VJ_PRESET_DIR, else
                      ~/.config/vj/presets) or a preset file
  --control-remote    the operator window (/control) also from other machines, with a token
                      (printed at start); without it, only from this machine
  --display D         the output's display (Electron: index or name; browser: "X,Y")
  --window            a window instead of full screen;  --headless: open no window at all

Options for render:
  --fps N             frame rate (default 30)
  --size PX           size of the built-in generator's square frames (default 512)
  --seed N            seed of the latent (default 1); the same seed gives the same frames
  --model M           builtin, builtin:SEED (another look), or a model manifest .json / .onnx
  --preset P          a preset name or file (its values, effect order and model)
  --set ID=VALUE      one parameter (repeatable), e.g. --set speed_fpm=6
  --channels SPEC     named inputs of a multi-channel file, e.g. "drums=1-2,keys=3-4"
  --pulse/--motion/--class NAME   the input that drives each (default: the first)
  --providers LIST    execution providers to try, e.g. cuda,cpu (default: cuda,tensorrt,webgpu,
                      coreml,dml,cpu)
  --ffmpeg PATH       the ffmpeg executable (default: ffmpeg on PATH)
`;

/** Runs the `vj` command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  quietOnClosedStdout();
  // `vj analyze --help`: the options are in the usage (a FILE named "-h" can follow "--").
  const own = rest.indexOf('--') < 0 ? rest : rest.slice(0, rest.indexOf('--'));
  if ((cmd === 'analyze' || cmd === 'devices' || cmd === 'render' || cmd === 'start') && (own.includes('--help') || own.includes('-h'))) {
    process.stdout.write(usage);
    return 0;
  }
  if (!adoptUserStderr() && loadsNative(argv)) return runQuietChild(argv);
  try {
    switch (cmd) {
      case 'devices':
        return await (await import('./devicesCommand.js')).devicesCommand(rest);
      case 'analyze':
        return await (await import('./analyzeCommand.js')).analyzeCommand(rest);
      case 'render':
        return await (await import('./renderCommand.js')).renderCommand(rest);
      case 'start':
        return await (await import('./startCommand.js')).startCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(usage);
        return cmd === undefined ? 1 : 0;
      default:
        process.stderr.write(`vj: unknown command "${cmd}"\n${usage}`);
        return 2;
    }
  } catch (err) {
    process.stderr.write(`vj ${cmd}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

let stdoutGuarded = false;

/**
 * When the reader of stdout goes away (`vj analyze FILE --json | head`), stop quietly instead of
 * dying on an unhandled EPIPE with a stack trace: nobody is left to read the rest.
 */
function quietOnClosedStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    process.stderr.write(`vj: cannot write to stdout: ${err.message}\n`);
    process.exit(1);
  });
}
