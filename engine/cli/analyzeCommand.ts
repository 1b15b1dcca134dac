import { parseArgs } from 'node:util';
import type { AudioSource, InputRoute } from '../audio/AudioBlock.js';
import { openFileSource } from '../audio/fileSource.js';
import { openInput } from '../audio/openInput.js';
import { defaultRoutes, parseRoutes, validateRoutes } from '../audio/route.js';
import { createRoutedAnalysis } from '../analysis/routedAnalysis.js';
import type { Features } from '../analysis/Features.js';
import { createMeterRow, renderMeterRow, updateMeterRow } from './meter.js';

/** `vj analyze`: onsets, per-hop JSON, or the live meter. */
export async function analyzeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      onsets: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      input: { type: 'string' },
      channels: { type: 'string' },
      rate: { type: 'string', default: '48000' },
      buffer: { type: 'string', default: '256' },
    },
  });
  if (positionals.length > 1) throw new Error(`give one FILE, got ${positionals.length}: ${positionals.map((p) => `"${p}"`).join(' ')}`);
  const file = positionals[0];
  const framesPerBuffer = positiveInt(values.buffer, '--buffer');
  if (values.onsets && values.json) throw new Error('choose one of --onsets and --json');
  if (file === undefined && values.input === undefined) throw new Error('give a FILE, or --input NAME for the live meter (see vj --help)');
  if (file !== undefined && values.input !== undefined) throw new Error('give either a FILE or --input, not both');
  if ((values.onsets || values.json) && file === undefined) throw new Error('--onsets and --json analyse a FILE');

  const source = file !== undefined
    ? await openFileSource(file, { pace: values.onsets || values.json ? 'fast' : 'realtime', framesPerBuffer })
    : await openInput(values.input ?? 'default', { sampleRate: positiveInt(values.rate, '--rate'), framesPerBuffer, note: (l) => process.stderr.write(`vj: ${l}\n`) });
  const routes: InputRoute[] = values.channels
    ? parseRoutes(values.channels)
    : defaultRoutes(source.channelCount);
  validateRoutes(routes, source.channelCount);
  if (values.onsets && routes.length > 1) throw new Error('--onsets needs one input: give --channels a single mix such as "1,2"');

  if (values.onsets || values.json) return runBatch(source, routes, framesPerBuffer, values.json ? 'json' : 'onsets');
  return runMeter(source, routes, framesPerBuffer);
}

function positiveInt(v: string | undefined, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${v}"`);
  return n;
}

function writeOut(s: string): Promise<void> | void {
  if (!process.stdout.write(s)) return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

async function runBatch(source: AudioSource, routes: InputRoute[], framesPerBuffer: number, mode: 'json' | 'onsets'): Promise<number> {
  const analysis = createRoutedAnalysis(routes, source.sampleRate, framesPerBuffer, { onsetsOnly: mode === 'onsets' });
  let out = '';
  const multi = routes.length > 1;
  // The source catches (and only logs) what a block handler throws; a batch run must fail
  // instead of printing partial results with exit code 0.
  let failure: Error | undefined;
  await source.start((block) => {
    if (failure) return;
    try {
      analysis.process(block, (input, f) => {
        if (mode === 'onsets') {
          if (f.onset) out += `${f.t.toFixed(6)}\n`;
        } else {
          out += JSON.stringify(hopJson(f, multi ? routes[input].name : undefined)) + '\n';
        }
      });
    } catch (e) {
      failure = e instanceof Error ? e : new Error(String(e));
      void source.stop();
    }
  });
  await source.ended;
  await source.stop();
  if (failure) throw new Error(`analysis failed: ${failure.message}`);
  await writeOut(out);
  return 0;
}

/** The `--json` line of one hop. */
export function hopJson(f: Features, input?: string): Record<string, unknown> {
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    ...(input !== undefined ? { input } : {}),
    t: r(f.t),
    rms: r(f.rms),
    peak: r(f.peak),
    envelope: r(f.envelope),
    bands: Array.from(f.bandsNorm, r),
    onset: f.onset,
    onsetStrength: r(f.onsetStrengthNorm),
    chroma: Array.from(f.chroma, r),
    bass: Array.from(f.bass, r),
    chord: f.chord ? { root: f.chord.root, quality: f.chord.quality, confidence: r(f.chord.confidence) } : null,
    percussive: r(f.percussiveNorm),
    harmonic: r(f.harmonicNorm),
    bpm: Math.round(f.bpm * 100) / 100,
    beat: f.beat,
  };
}

async function runMeter(source: AudioSource, routes: InputRoute[], framesPerBuffer: number): Promise<number> {
  const analysis = createRoutedAnalysis(routes, source.sampleRate, framesPerBuffer);
  const rows = routes.map((r) => createMeterRow(r.name));
  const tty = process.stdout.isTTY === true;
  let now = 0;
  await source.start((block) => {
    analysis.process(block, (i, f) => {
      updateMeterRow(rows[i], f);
      now = f.t;
    });
  });
  let first = true;
  const draw = () => {
    const lines = rows.map((r) => renderMeterRow(r, now, tty));
    if (tty) process.stdout.write((first ? '' : `\x1b[${rows.length}A`) + lines.map((l) => `\r\x1b[2K${l}`).join('\n') + '\n');
    else process.stdout.write(lines.join('\n') + '\n');
    first = false;
  };
  const timer = setInterval(draw, tty ? 50 : 1000);
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await Promise.race([source.ended, stop]);
  clearInterval(timer);
  draw();
  await source.stop();
  return 0;
}
