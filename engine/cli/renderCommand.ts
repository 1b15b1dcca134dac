import { parseArgs } from 'node:util';
import { parseRoutes } from '../audio/route.js';
import { parseProviders } from '../generator/session.js';
import { paramsFromOptions } from '../params/paramFile.js';
import { renderSong } from '../render/renderSong.js';
import { createLogger } from '../log.js';
import { intOption, presetsFromOption } from './options.js';

/** `vj render AUDIO --out video.mp4 | --frames DIR [options]`. */
export async function renderCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      frames: { type: 'string' },
      preset: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      fps: { type: 'string', default: '30' },
      size: { type: 'string', default: '512' },
      seed: { type: 'string', default: '1' },
      model: { type: 'string' },
      channels: { type: 'string' },
      pulse: { type: 'string' },
      motion: { type: 'string' },
      class: { type: 'string' },
      providers: { type: 'string' },
      ffmpeg: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new Error(`give one AUDIO file, got ${positionals.length}`);
  const fps = Number(values.fps);
  const size = intOption(values.size, '--size', 16, 2048);
  const seed = Number(values.seed);
  if (!(fps > 0 && fps <= 240)) throw new Error(`--fps must be a number in (0, 240], got "${values.fps}"`);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got "${values.seed}"`);
  const { library, preset } = await presetsFromOption(values.preset, { watch: false, log: createLogger('render') });
  library.close();
  const params = paramsFromOptions(preset?.params, values.set);
  const result = await renderSong({
    audio: positionals[0],
    out: values.out,
    framesDir: values.frames,
    fps,
    size,
    seed,
    model: values.model ?? preset?.model ?? 'builtin',
    params,
    effectOrder: preset?.chain,
    routes: values.channels ? parseRoutes(values.channels) : undefined,
    stems: { pulse: values.pulse, motion: values.motion, class: values.class },
    providers: values.providers ? parseProviders(values.providers) : undefined,
    ffmpegPath: values.ffmpeg,
    progress: true,
  });
  process.stderr.write(
    `rendered ${result.frames} frames (${result.duration.toFixed(1)} s) in ${result.elapsed.toFixed(1)} s: ` +
      `${result.realtimeFactor.toFixed(1)}× real time → ${values.out ?? values.frames}\n`,
  );
  return 0;
}
