/**
 * Generates the evaluation set into a cache folder (default `.cache/eval/`): MIDI → fluidsynth
 * → mono 48 kHz WAV, the noise and reverb variants, the chord set, and one ground-truth JSON per
 * file. Files whose JSON carries the current `GENERATOR_VERSION` are not made again.
 *
 * Run alone: `node --import tsx bench/eval/generate.ts [--quick] [--dir DIR]`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Seconds } from '../../engine/units.js';
import { calibrate, soundKey } from './calibrate.js';
import type { CalibrationTable } from './calibrate.js';
import { CHORD_TIMBRES, chordScore, chordSequence } from './chordSet.js';
import type { ChordSegment } from './chordSet.js';
import { CATEGORIES, CLIPS_PER_CATEGORY, compose } from './compose.js';
import type { Category } from './compose.js';
import { hashSeed } from './prng.js';
import { defaultJobs, mapPool, runTool } from './proc.js';
import { SAMPLE_RATE, addNoise, addReverb, readMono, renderMidi, writeMidi, writeMono } from './render.js';
import type { RenderedNote } from './render.js';

/** Bump when anything that changes the audio or the truth changes. */
export const GENERATOR_VERSION = 'eval-1';
/** Onsets closer than this are one annotated onset (the usual convention). */
export const MERGE_WINDOW: Seconds = 0.03;

/** Quick mode scores only the first seconds of each clip (a CI-sized subset). */
export const QUICK_SECONDS: Seconds = 15;

export const VARIANTS = ['clean', 'noise', 'reverb'] as const;
export type Variant = (typeof VARIANTS)[number];
/** How the degraded variants are made. */
export const VARIANT_SETTINGS = { noise: { color: 'pink', snrDb: 20 }, reverb: { reverberance: 50 } } as const;

/** Ground truth of one onset clip (the JSON beside its WAV). */
export interface OnsetClip {
  version: string;
  id: string;
  wav: string;
  category: Category;
  variant: Variant;
  index: number;
  bpm: number;
  duration: Seconds;
  instruments: string[];
  /** Annotated onsets: note-on + measured sound delay, merged within `MERGE_WINDOW`. */
  onsets: Seconds[];
  /** Number of note-ons before merging. */
  noteCount: number;
}

/** Ground truth of one chord file. */
export interface ChordClip {
  version: string;
  id: string;
  wav: string;
  program: number;
  timbre: string;
  chords: ChordSegment[];
}

export interface EvalSet {
  dir: string;
  onsets: OnsetClip[];
  chords: ChordClip[];
  calibration: CalibrationTable;
}

/** One base clip: the variants to make and the ones to score. */
export interface PlanEntry { category: Category; index: number; make: Variant[]; use: Variant[] }

/**
 * Full: every clip in every variant. Quick: one clip per category-variant, each variant on a
 * different clip (index 0 clean, 1 noise, 2 reverb) so the quick set still spans instruments.
 */
export function clipPlan(quick: boolean): PlanEntry[] {
  const plan: PlanEntry[] = [];
  for (const category of CATEGORIES) {
    if (quick) VARIANTS.forEach((v, index) => plan.push({ category, index, make: v === 'clean' ? ['clean'] : ['clean', v], use: [v] }));
    else for (let index = 0; index < CLIPS_PER_CATEGORY; index++) plan.push({ category, index, make: [...VARIANTS], use: [...VARIANTS] });
  }
  return plan;
}

/** Annotated onsets from rendered notes: note-on + calibrated delay, then merged. */
export function truthOnsets(notes: RenderedNote[], cal: CalibrationTable): Seconds[] {
  const times = notes.map((n) => n.time + (cal[soundKey(n)]?.delay ?? 0)).sort((a, b) => a - b);
  const out: Seconds[] = [];
  let clusterStart = -Infinity;
  for (const t of times) {
    if (t - clusterStart < MERGE_WINDOW) continue;
    clusterStart = t;
    out.push(Math.round(t * 1e6) / 1e6);
  }
  return out;
}

async function readJson<T extends { version: string }>(path: string): Promise<T | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as T;
    return v.version === GENERATOR_VERSION ? v : undefined;
  } catch {
    return undefined;
  }
}

const cached = async <T extends { version: string; wav: string }>(dir: string, id: string): Promise<T | undefined> => {
  const v = await readJson<T>(join(dir, `${id}.json`));
  return v && existsSync(join(dir, v.wav)) ? v : undefined;
};

/**
 * The first `seconds` of a clip as a clip of its own (`<id>-q`), with the onsets that lie
 * more than 100 ms before the cut (a detection of a later one could not be reported in time).
 */
async function cropClip(dir: string, c: OnsetClip, seconds: Seconds): Promise<OnsetClip> {
  const id = `${c.id}-q`;
  const have = await cached<OnsetClip>(dir, id);
  if (have) return have;
  const wav = `${id}.wav`;
  await runTool('sox', ['-V1', join(dir, c.wav), join(dir, wav), 'trim', '0', String(seconds)]);
  const clip: OnsetClip = { ...c, id, wav, duration: seconds, onsets: c.onsets.filter((t) => t < seconds - 0.1) };
  await writeFile(join(dir, `${id}.json`), JSON.stringify(clip));
  return clip;
}

/** Makes (or finds in the cache) the whole set. */
export async function generate(opts: { quick: boolean; dir?: string; jobs?: number; log?: (s: string) => void }): Promise<EvalSet> {
  const dir = resolve(opts.dir ?? '.cache/eval');
  const jobs = opts.jobs ?? defaultJobs();
  const log = opts.log ?? (() => undefined);
  await mkdir(dir, { recursive: true });

  // 1. Which clips are missing; compose and write MIDI for those.
  type Todo = PlanEntry & { notes: RenderedNote[]; base: string; bpm: number; duration: number; instruments: string[] };
  const todo: Todo[] = [];
  const found: OnsetClip[] = [];
  for (const p of clipPlan(opts.quick)) {
    const base = `${p.category}-${p.index}`;
    const have = await Promise.all(p.make.map((v) => cached<OnsetClip>(dir, `${base}-${v}`)));
    if (have.every((h) => h)) { found.push(...(have as OnsetClip[])); continue; }
    const c = compose(p.category, p.index);
    const notes = await writeMidi(c.score, join(dir, `${base}.mid`));
    todo.push({ ...p, notes, base, bpm: c.score.bpm, duration: c.score.duration, instruments: c.instruments });
  }
  const chordPlan = CHORD_TIMBRES.map((t) => ({ ...t, id: `chords-${t.program}${opts.quick ? '-quick' : ''}` }));
  const chordTodo: typeof chordPlan = [];
  const chordFound: ChordClip[] = [];
  for (const c of chordPlan) {
    const h = await cached<ChordClip>(dir, c.id);
    if (h) chordFound.push(h);
    else chordTodo.push(c);
  }

  // 2. Calibrate the sounds the new clips use (cached across runs).
  const keys = todo.flatMap((t) => t.notes.map(soundKey));
  const calibration = await calibrate(keys, dir, GENERATOR_VERSION, jobs);
  if (todo.length + chordTodo.length) log(`eval: rendering ${todo.length} clips and ${chordTodo.length} chord files into ${dir}`);

  // 3. Render clean audio and the variants; write the truth.
  const made = await mapPool(todo, jobs, async (t) => {
    const cleanWav = join(dir, `${t.base}-clean.wav`);
    await renderMidi(join(dir, `${t.base}.mid`), cleanWav, t.duration);
    const onsets = truthOnsets(t.notes, calibration);
    const out: OnsetClip[] = [];
    for (const variant of t.make) {
      const id = `${t.base}-${variant}`;
      const wav = `${id}.wav`;
      if (variant === 'noise') {
        const x = await readMono(cleanWav);
        const s = VARIANT_SETTINGS.noise;
        await writeMono(addNoise(x, s.snrDb, s.color, hashSeed(id)), join(dir, wav));
      } else if (variant === 'reverb') {
        await addReverb(cleanWav, join(dir, wav), VARIANT_SETTINGS.reverb.reverberance);
      }
      const clip: OnsetClip = {
        version: GENERATOR_VERSION, id, wav, category: t.category, variant, index: t.index, bpm: t.bpm,
        duration: t.duration, instruments: t.instruments, onsets, noteCount: t.notes.length,
      };
      await writeFile(join(dir, `${id}.json`), JSON.stringify(clip));
      out.push(clip);
    }
    return out;
  });
  const chordsMade = await mapPool(chordTodo, jobs, async (c) => {
    const segments = chordSequence(c.program, opts.quick);
    const score = chordScore(c.program, segments);
    const mid = join(dir, `${c.id}.mid`);
    await writeMidi(score, mid);
    await renderMidi(mid, join(dir, `${c.id}.wav`), score.duration);
    const clip: ChordClip = { version: GENERATOR_VERSION, id: c.id, wav: `${c.id}.wav`, program: c.program, timbre: c.name, chords: segments };
    await writeFile(join(dir, `${c.id}.json`), JSON.stringify(clip));
    return clip;
  });

  const planned = new Set(clipPlan(opts.quick).flatMap((p) => p.use.map((v) => `${p.category}-${p.index}-${v}`)));
  let onsets = [...found, ...made.flat()].filter((c) => planned.has(c.id)).sort((a, b) => a.id.localeCompare(b.id));
  if (opts.quick) onsets = await mapPool(onsets, jobs, (c) => cropClip(dir, c, QUICK_SECONDS));
  return { dir, onsets, chords: [...chordFound, ...chordsMade].sort((a, b) => a.id.localeCompare(b.id)), calibration };
}

export { SAMPLE_RATE };

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const dirAt = args.indexOf('--dir');
  const t0 = Date.now();
  const set = await generate({ quick: args.includes('--quick'), dir: dirAt >= 0 ? args[dirAt + 1] : undefined, log: console.log });
  const n = set.onsets.reduce((a, c) => a + c.onsets.length, 0);
  console.log(`eval set: ${set.onsets.length} onset clips (${n} onsets), ${set.chords.length} chord files, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
