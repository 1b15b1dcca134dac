/**
 * Pluggable detectors: anything `(wavPath) => Promise<onset times>` can be scored. Ours is the
 * `vj analyze` CLI (or, for sweeps, the analyzer in process: {@link detectOnsets}); the peer is
 * aubio's `aubioonset` in every method and two window settings.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAnalyzer, feed, type AnalysisOverrides } from '../../engine/analysis/analyzer.js';
import type { Seconds } from '../../engine/units.js';
import { runTool } from './proc.js';
import { SAMPLE_RATE } from './render.js';
import type { ChromaFrame } from './score.js';

/** An onset detector: the onset times it reports for one file. */
export type OnsetDetector = (wavPath: string) => Promise<Seconds[]>;
/** A chroma extractor: one frame per hop. */
export type ChromaDetector = (wavPath: string) => Promise<ChromaFrame[]>;

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const VJ = join(REPO, 'bin', 'vj.js');

/** Parses one number per line; anything else is an error (the CLI prints nothing else). */
export function parseTimes(text: string, what: string): Seconds[] {
  const out: Seconds[] = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (s === '') continue;
    const t = Number(s);
    if (!Number.isFinite(t)) throw new Error(`${what}: not a time: "${s.slice(0, 80)}"`);
    out.push(t);
  }
  return out;
}

/** Our onsets: `node bin/vj.js analyze FILE --onsets` (times at which detection was available). */
export const cliOnsets: OnsetDetector = async (wav) => {
  const { stdout } = await runTool(process.execPath, [VJ, 'analyze', wav, '--onsets'], { cwd: REPO });
  return parseTimes(stdout.toString(), 'vj analyze --onsets');
};

/** Our chroma and chord estimate: `node bin/vj.js analyze FILE --json`, one object per hop (`t`, `chroma`, `chord`). */
export const cliChroma: ChromaDetector = async (wav) => {
  const { stdout } = await runTool(process.execPath, [VJ, 'analyze', wav, '--json'], { cwd: REPO });
  const frames: ChromaFrame[] = [];
  for (const line of stdout.toString().split('\n')) {
    if (line.trim() === '') continue;
    const o = JSON.parse(line) as { t?: unknown; chroma?: unknown; chord?: ChromaFrame['chord'] };
    if (typeof o.t !== 'number' || !Array.isArray(o.chroma) || o.chroma.length !== 12) {
      throw new Error(`vj analyze --json: a line without t and a 12-bin chroma: ${line.slice(0, 120)}`);
    }
    frames.push({ t: o.t, chroma: o.chroma as number[], chord: o.chord ?? null });
  }
  return frames;
};

/** Onset times (end of the firing hop) of our analyzer on one signal. */
export function detectOnsets(x: Float32Array, overrides: AnalysisOverrides): number[] {
  const a = createAnalyzer(SAMPLE_RATE, overrides);
  const out: number[] = [];
  feed(a, x, (f) => { if (f.onset) out.push(f.t); });
  return out;
}

/** aubioonset's methods (`-O`). */
export const AUBIO_METHODS = ['hfc', 'complex', 'phase', 'specdiff', 'specflux', 'kl', 'mkl', 'energy', 'wphase'] as const;
export type AubioMethod = (typeof AUBIO_METHODS)[number];

/** Window settings tried for aubio: the brief's 1024/256 and aubio's own defaults (512/256). */
export const AUBIO_CONFIGS = [
  { name: 'B1024-H256', buffer: 1024, hop: 256 },
  { name: 'default B512-H256', buffer: 512, hop: 256 },
] as const;
export type AubioConfig = (typeof AUBIO_CONFIGS)[number];

/**
 * aubioonset with one method and window setting (threshold, silence and minimum inter-onset
 * interval at aubio's defaults: 0.3, −90 dB, 20 ms). Times are aubio's own, which it back-dates
 * by its peak-picking delay. Results are cached under `cacheDir` when given (keyed by the file
 * name, which carries the generator version through the cache folder's JSON).
 */
export function aubioOnsets(method: AubioMethod, cfg: AubioConfig, cacheDir?: string, cacheTag = ''): OnsetDetector {
  return async (wav) => {
    const key = cacheDir ? join(cacheDir, `${wav.split('/').pop()}.${cacheTag}.${method}.${cfg.buffer}-${cfg.hop}.txt`) : '';
    if (key && existsSync(key)) return parseTimes(await readFile(key, 'utf8'), 'aubio cache');
    const args = ['-i', wav, '-O', method, '-B', String(cfg.buffer), '-H', String(cfg.hop), '-T', 'seconds'];
    const { stdout } = await runTool('aubioonset', args);
    const text = stdout.toString();
    const times = parseTimes(text, `aubioonset -O ${method}`);
    if (key) {
      await mkdir(dirname(key), { recursive: true });
      await writeFile(key, text);
    }
    return times;
  };
}
