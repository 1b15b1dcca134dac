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
import { CHORD_TIMBRES, HALVES, SONGS_PER_HALF, chordScore, chordSequence, composeSong } from './chordSet.js';
import type { ChordSegment, Half } from './chordSet.js';
import { CATEGORIES, CLIPS_PER_CATEGORY, REPORT_FROM_INDEX, compose } from './compose.js';
import type { Category } from './compose.js';
import { hashSeed } from './prng.js';
import { defaultJobs, mapPool, runTool } from './proc.js';
import { SAMPLE_RATE, addNoise, addReverb, readMono, renderMidi, writeMidi, writeMono } from './render.js';
import type { RenderedNote, Score } from './render.js';

/** Bump when anything that changes the audio or the truth changes. */
export const GENERATOR_VERSION = 'eval-1';
/** The chord set's own version (chord files and songs): bump when its audio or truth changes. */
export const CHORD_SET_VERSION = 'chords-2';
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

/** Ground truth of one chord file: chord-only or a song, in one half and one variant. */
export interface ChordClip {
  version: string;
  id: string;
  wav: string;
  half: Half;
  kind: 'chords' | 'song';
  variant: Variant;
  /** The chord instrument (GM program). */
  program: number;
  timbre: string;
  chords: ChordSegment[];
}

/** One chord file to make: its id, score and truth (the variants share the clean rendering). */
interface ChordPlanEntry { base: string; half: Half; kind: 'chords' | 'song'; program: number; timbre: string; variants: Variant[] }

/**
 * Full: per half, every chord timbre's 60-chord file clean plus one degraded variant (noise on
 * even timbres, reverb on odd), and the songs in all three variants. Quick: the report half
 * only, every other timbre's first 15 chords clean and two songs (one clean, one noisy).
 */
export function chordPlan(quick: boolean): ChordPlanEntry[] {
  const out: ChordPlanEntry[] = [];
  for (const half of quick ? (['report'] as const) : HALVES) {
    CHORD_TIMBRES[half].forEach((tb, i) => {
      if (quick && i % 2 === 1) return;
      out.push({ base: `chords-${half}-${tb.program}${quick ? '-q' : ''}`, half, kind: 'chords', program: tb.program, timbre: tb.name, variants: quick ? ['clean'] : ['clean', i % 2 === 0 ? 'noise' : 'reverb'] });
    });
    for (let i = 0; i < (quick ? 2 : SONGS_PER_HALF); i++) {
      const song = composeSong(half, i);
      const program = song.instruments[0];
      out.push({ base: `song-${half}-${i}`, half, kind: 'song', program, timbre: `song ${i}`, variants: quick ? [i === 0 ? 'clean' : 'noise'] : [...VARIANTS] });
    }
  }
  return out;
}

function chordMaterial(e: ChordPlanEntry, quick: boolean): { score: Score; chords: ChordSegment[] } {
  if (e.kind === 'song') {
    const s = composeSong(e.half, Number(e.base.split('-').at(-1)));
    return { score: s.score, chords: s.chords };
  }
  const chords = chordSequence(e.half, e.program, quick);
  return { score: chordScore(e.program, chords), chords };
}

export interface EvalSet {
  dir: string;
  onsets: OnsetClip[];
  chords: ChordClip[];
  calibration: CalibrationTable;
}

/** The onset clip's half: the tune half (indices 0–7, where the defaults were picked) or the report half (8–15, never tuned on). */
export function onsetHalf(c: Pick<OnsetClip, 'index'>): 'tune' | 'report' {
  return c.index < REPORT_FROM_INDEX ? 'tune' : 'report';
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

/** Writes the `variant` of a clean rendering (clean: nothing to do, the file is the clean one). */
export async function makeVariant(cleanWav: string, outWav: string, variant: Variant, id: string): Promise<void> {
  if (variant === 'noise') {
    const s = VARIANT_SETTINGS.noise;
    await writeMono(addNoise(await readMono(cleanWav), s.snrDb, s.color, hashSeed(id)), outWav);
  } else if (variant === 'reverb') {
    await addReverb(cleanWav, outWav, VARIANT_SETTINGS.reverb.reverberance);
  }
}

async function readJson<T extends { version: string }>(path: string, version = GENERATOR_VERSION): Promise<T | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as T;
    return v.version === version ? v : undefined;
  } catch {
    return undefined;
  }
}

const cached = async <T extends { version: string; wav: string }>(dir: string, id: string, version = GENERATOR_VERSION): Promise<T | undefined> => {
  const v = await readJson<T>(join(dir, `${id}.json`), version);
  return v && existsSync(join(dir, v.wav)) ? v : undefined;
};
const cachedChord = (dir: string, id: string): Promise<ChordClip | undefined> => cached<ChordClip>(dir, id, CHORD_SET_VERSION);

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
  const chordTodo: ChordPlanEntry[] = [];
  const chordFound: ChordClip[] = [];
  for (const c of chordPlan(opts.quick)) {
    const have = await Promise.all(c.variants.map((v) => cachedChord(dir, `${c.base}-${v}`)));
    if (have.every((h) => h)) chordFound.push(...(have as ChordClip[]));
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
      await makeVariant(cleanWav, join(dir, wav), variant, id);
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
    const { score, chords } = chordMaterial(c, opts.quick);
    const mid = join(dir, `${c.base}.mid`);
    await writeMidi(score, mid);
    const cleanWav = join(dir, `${c.base}-clean.wav`);
    await renderMidi(mid, cleanWav, score.duration);
    const out: ChordClip[] = [];
    for (const variant of c.variants) {
      const id = `${c.base}-${variant}`;
      const wav = `${id}.wav`;
      await makeVariant(cleanWav, join(dir, wav), variant, id);
      const clip: ChordClip = { version: CHORD_SET_VERSION, id, wav, half: c.half, kind: c.kind, variant, program: c.program, timbre: c.timbre, chords };
      await writeFile(join(dir, `${id}.json`), JSON.stringify(clip));
      out.push(clip);
    }
    return out;
  });

  const planned = new Set(clipPlan(opts.quick).flatMap((p) => p.use.map((v) => `${p.category}-${p.index}-${v}`)));
  let onsets = [...found, ...made.flat()].filter((c) => planned.has(c.id)).sort((a, b) => a.id.localeCompare(b.id));
  if (opts.quick) onsets = await mapPool(onsets, jobs, (c) => cropClip(dir, c, QUICK_SECONDS));
  return { dir, onsets, chords: [...chordFound, ...chordsMade.flat()].sort((a, b) => a.id.localeCompare(b.id)), calibration };
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
