/**
 * Tempo and beat evaluation: drum grooves (straight, half-time, breakbeat, dembow) at a steady
 * tempo, clips whose tempo steps by ±8 BPM mid-clip, and DJ-style transitions (one groove fading
 * out over 8 s while another at another tempo fades in), each clean, noisy and reverberant, in a
 * tune and a report half (other kits, other seeds). Truth: the grid's beats. Ours: the in-process
 * analyzer's `bpm` and `beat` per hop; the peer: `aubiotrack` (Debian aubio-tools) on the same WAV.
 *
 *   node --import tsx bench/eval/tempo.ts [--quick] [--half tune|report|all] [JSON overrides…]
 *
 * Prints one line per group and, last, a JSON summary. Figures (issue 14): tempo within 4 % from
 * 8 s on (steady clips), the time to be back within 4 % for good after a change, beat F at ±70 ms.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createAnalyzer, feed, type AnalysisOverrides } from '../../engine/analysis/analyzer.js';
import type { Seconds } from '../../engine/units.js';
import { makeVariant, VARIANTS, type Variant } from './generate.js';
import { humanize } from './music.js';
import { hasTool, mapPool, defaultJobs, runTool } from './proc.js';
import { dice, hashSeed, type Dice } from './prng.js';
import { DRUM_CHANNEL, readMono, renderMidi, SAMPLE_RATE, writeMidi, type NoteEvent } from './render.js';
import { mean, quantile, scoreOnsets } from './score.js';

const VERSION = 'tempo-1';
export const BEAT_WINDOW: Seconds = 0.07;
/** Steady clips are scored from this time on. */
export const TEMPO_SETTLE: Seconds = 8;
/** A tempo is right within this relative error. */
export const TEMPO_TOLERANCE = 0.04;

export type Groove = 'straight' | 'half-time' | 'breakbeat' | 'dembow';
export const GROOVES: readonly Groove[] = ['straight', 'half-time', 'breakbeat', 'dembow'];
export type TempoKind = 'steady' | 'step' | 'transition';
type Half = 'tune' | 'report';

/** One stretch of constant tempo: the truth is its beats and its BPM from `start` (the last segment runs to the end). */
export interface TempoSegment { start: Seconds; bpm: number }
export interface TempoClip {
  version: string;
  id: string;
  wav: string;
  half: Half;
  kind: TempoKind;
  groove: Groove;
  variant: Variant;
  /** Beat times (scored); none inside a transition's overlap. */
  beats: Seconds[];
  segments: TempoSegment[];
  /** When the tempo changed (step: the first beat of the new tempo; transition: the end of the fade), or null. */
  changeAt: Seconds | null;
  duration: Seconds;
}

/** 16th-note steps of kick, snare (with ghost steps) per groove, and its tempo range. */
const PATTERNS: Readonly<Record<Groove, { kick: number[]; snare: number[]; ghosts: number[]; bpm: [number, number] }>> = {
  straight: { kick: [0, 8, 10], snare: [4, 12], ghosts: [], bpm: [92, 140] },
  'half-time': { kick: [0, 3, 10], snare: [8], ghosts: [14], bpm: [120, 160] },
  breakbeat: { kick: [0, 2, 10, 11], snare: [4, 12], ghosts: [7, 9, 15], bpm: [85, 175] },
  dembow: { kick: [0, 4, 8, 12], snare: [3, 6, 11, 14], ghosts: [], bpm: [88, 110] },
};
const KITS: Readonly<Record<Half, readonly number[]>> = { tune: [0, 16, 25], report: [8, 24, 32] };

/** Bars of `groove` at `bpm` from `t0`, velocities × gain(t); returns the hits and the beat times. */
function grooveBars(d: Dice, groove: Groove, bpm: number, t0: Seconds, bars: number, gain: (t: Seconds) => number): { notes: NoteEvent[]; beats: Seconds[] } {
  const p = PATTERNS[groove];
  const step = 60 / bpm / 4;
  const notes: NoteEvent[] = [];
  const beats: Seconds[] = [];
  const hit = (t: Seconds, midi: number, v: number): void => {
    const g = gain(t);
    if (g > 0.02) notes.push({ time: humanize(d, t, 3), midi, duration: 0.1, velocity: Math.min(1, v * g * d.range(0.9, 1.05)) });
  };
  const hat = d.pick([42, 42, 51]);
  for (let b = 0; b < bars; b++) {
    for (let s = 0; s < 16; s++) {
      const t = t0 + (b * 16 + s) * step;
      if (s % 4 === 0) beats.push(t);
      if (s % 2 === 0) hit(t, hat, s % 4 === 0 ? d.range(0.6, 0.8) : d.range(0.35, 0.55));
      if (p.kick.includes(s)) hit(t, 36, s % 8 === 0 ? d.range(0.85, 1) : d.range(0.65, 0.85));
      if (p.snare.includes(s)) hit(t, 38, d.range(0.85, 1));
      else if (p.ghosts.includes(s) && d.chance(0.7)) hit(t, 38, d.range(0.25, 0.4));
    }
  }
  return { notes, beats };
}

/** The plan of one clip: its score and truth. */
function planClip(half: Half, kind: TempoKind, groove: Groove, index: number): { notes: NoteEvent[]; kit: number; truth: Omit<TempoClip, 'version' | 'id' | 'wav' | 'half' | 'kind' | 'groove' | 'variant'> } {
  const d = dice(hashSeed(`${VERSION}/${half}/${kind}/${groove}/${index}`));
  const kit = d.pick(KITS[half]);
  const [lo, hi] = PATTERNS[groove].bpm;
  const bpm = Math.round(d.range(lo, hi));
  const bars = (b: number, at: number): number => Math.max(1, Math.round((b * at) / 240));
  const one = (): number => 1;
  if (kind === 'steady') {
    const a = grooveBars(d, groove, bpm, 0.5, bars(28, bpm), one);
    return { notes: a.notes, kit, truth: { beats: a.beats, segments: [{ start: 0, bpm }], changeAt: null, duration: a.beats.at(-1)! + 1.5 } };
  }
  const other = Math.min(hi + 8, Math.max(lo - 8, bpm + (d.chance(0.5) ? 8 : -8)));
  if (kind === 'step') {
    const a = grooveBars(d, groove, bpm, 0.5, bars(14, bpm), one);
    const at = 0.5 + (bars(14, bpm) * 240) / bpm;
    const b = grooveBars(d, groove, other, at, bars(16, other), one);
    return { notes: [...a.notes, ...b.notes], kit, truth: { beats: [...a.beats, ...b.beats], segments: [{ start: 0, bpm }, { start: at, bpm: other }], changeAt: at, duration: b.beats.at(-1)! + 1.5 } };
  }
  // Transition: A alone to `fade`, both for 8 s (A fading out, B fading in), then B alone.
  const next = d.pick(GROOVES.filter((g) => g !== groove));
  const bBpm = Math.round(d.range(PATTERNS[next].bpm[0], PATTERNS[next].bpm[1]));
  const target = Math.abs(bBpm / bpm - 1) < 0.05 ? bBpm + (bBpm < 140 ? 10 : -10) : bBpm;
  const fade = 12;
  const a = grooveBars(d, groove, bpm, 0.5, bars(20.5, bpm), (t) => (t < fade ? 1 : Math.max(0, 1 - (t - fade) / 8)));
  const b = grooveBars(d, next, target, fade, bars(20, target), (t) => Math.min(1, (t - fade) / 8));
  const end = fade + 8;
  return {
    notes: [...a.notes, ...b.notes], kit,
    truth: { beats: [...a.beats.filter((t) => t < fade), ...b.beats.filter((t) => t >= end)], segments: [{ start: 0, bpm }, { start: end, bpm: target }], changeAt: end, duration: b.beats.at(-1)! + 1.5 },
  };
}

/** Clips per half: 2 steady, 1 step and 1 transition per groove, × 3 variants; `quick`: 1 steady per groove and one step and one transition, clean only. */
export async function generateTempoSet(opts: { quick?: boolean; dir?: string; halves?: readonly Half[] } = {}): Promise<TempoClip[]> {
  const dir = resolve(opts.dir ?? '.cache/tempo');
  await mkdir(dir, { recursive: true });
  const plans: { half: Half; kind: TempoKind; groove: Groove; index: number }[] = [];
  for (const half of opts.halves ?? ['tune', 'report'] as Half[]) {
    for (const groove of GROOVES) {
      for (let i = 0; i < (opts.quick ? 1 : 2); i++) plans.push({ half, kind: 'steady', groove, index: i });
      for (const kind of ['step', 'transition'] as const) if (!opts.quick || groove === GROOVES[0]) plans.push({ half, kind, groove, index: 0 });
    }
  }
  const variants: readonly Variant[] = opts.quick ? ['clean'] : VARIANTS;
  // One job per score (its variants in turn, as they share the clean render).
  const made = await mapPool(plans, defaultJobs(), async (p) => {
    const base = `${p.half}-${p.kind}-${p.groove}-${p.index}`;
    const out: TempoClip[] = [];
    let planned: ReturnType<typeof planClip> | undefined;
    for (const variant of variants) {
      const id = `${base}-${variant}`;
      const json = join(dir, `${id}.json`);
      if (existsSync(json)) {
        const c = JSON.parse(await readFile(json, 'utf8')) as TempoClip;
        if (c.version === VERSION) { out.push(c); continue; }
      }
      planned ??= planClip(p.half, p.kind, p.groove, p.index);
      const { notes, kit, truth } = planned;
      const clean = join(dir, `${base}-clean.wav`);
      if (!existsSync(clean) || variant === 'clean') {
        const mid = join(dir, `${base}.mid`);
        await writeMidi({ bpm: 120, duration: truth.duration, parts: [{ channel: DRUM_CHANNEL, program: kit, notes }] }, mid);
        await renderMidi(mid, clean, truth.duration);
      }
      if (variant !== 'clean') await makeVariant(clean, join(dir, `${id}.wav`), variant, id);
      const clip: TempoClip = { version: VERSION, id, wav: `${id}.wav`, half: p.half, kind: p.kind, groove: p.groove, variant, ...truth };
      await writeFile(json, JSON.stringify(clip));
      out.push(clip);
    }
    return out;
  });
  return made.flat();
}

/** What one tracker gives on one clip. */
export interface TrackerRun { hops: { t: Seconds; bpm: number }[]; beats: Seconds[] }

export function runOurs(x: Float32Array, overrides: AnalysisOverrides = {}): TrackerRun {
  const a = createAnalyzer(SAMPLE_RATE, overrides);
  const run: TrackerRun = { hops: [], beats: [] };
  feed(a, x, (f) => {
    run.hops.push({ t: f.t, bpm: f.bpm });
    if (f.beat) run.beats.push(f.t);
  });
  return run;
}

export async function runAubioTrack(wav: string): Promise<Seconds[]> {
  const r = await runTool('aubiotrack', ['-i', wav]);
  return r.stdout.toString().split('\n').map(Number).filter((t) => Number.isFinite(t) && t > 0);
}

const bpmAt = (c: TempoClip, t: Seconds): number => {
  let bpm = c.segments[0].bpm;
  for (const s of c.segments) if (t >= s.start) bpm = s.bpm;
  return bpm;
};
const within = (bpm: number, truth: number): boolean => Math.abs(bpm / truth - 1) <= TEMPO_TOLERANCE;

/** Per-clip tempo and beat figures. */
export interface TempoScore {
  /** Steady clips: share of hops from TEMPO_SETTLE with the BPM within 4 % (null for the others). */
  tempoOk: number | null;
  /** The same, accepting half and double the tempo. */
  tempoOkOctave: number | null;
  /** Change clips: seconds from the change until the BPM stays within 4 % to the end (Infinity if never). */
  recovery: number | null;
  /** Beat F at ±70 ms (the transition's overlap left out). */
  beatF: number;
  aubioBeatF: number | null;
}

function beatF(c: TempoClip, det: readonly Seconds[]): number {
  const overlap = c.kind === 'transition' ? [c.changeAt! - 8, c.changeAt!] : null;
  const d = overlap ? det.filter((t) => t < overlap[0] - BEAT_WINDOW || t > overlap[1] + BEAT_WINDOW) : det;
  return scoreOnsets(c.beats, d, BEAT_WINDOW).f;
}

export function scoreTempo(c: TempoClip, ours: TrackerRun, aubio: Seconds[] | null): TempoScore {
  let tempoOk: number | null = null;
  let tempoOkOctave: number | null = null;
  let recovery: number | null = null;
  if (c.kind === 'steady') {
    const scored = ours.hops.filter((h) => h.t >= TEMPO_SETTLE);
    const truth = c.segments[0].bpm;
    tempoOk = mean(scored.map((h) => (within(h.bpm, truth) ? 1 : 0)));
    tempoOkOctave = mean(scored.map((h) => (within(h.bpm, truth) || within(h.bpm, truth * 2) || within(h.bpm, truth / 2) ? 1 : 0)));
  } else {
    let lastWrong = c.changeAt!;
    for (const h of ours.hops) if (h.t >= c.changeAt! && !within(h.bpm, bpmAt(c, h.t))) lastWrong = h.t;
    recovery = lastWrong >= ours.hops.at(-1)!.t ? Infinity : lastWrong - c.changeAt!;
  }
  return { tempoOk, tempoOkOctave, recovery, beatF: beatF(c, ours.beats), aubioBeatF: aubio ? beatF(c, aubio) : null };
}

/** Group summary. */
export interface TempoGroup { clips: number; tempoOk: number; tempoOkOctave: number; recoveryMedian: number; recoveredIn4s: number; beatF: number; aubioBeatF: number }

export function summarizeTempo(xs: readonly TempoScore[]): TempoGroup {
  const steady = xs.filter((x) => x.tempoOk !== null);
  const change = xs.filter((x) => x.recovery !== null).map((x) => x.recovery!);
  const aub = xs.filter((x) => x.aubioBeatF !== null).map((x) => x.aubioBeatF!);
  return {
    clips: xs.length,
    tempoOk: mean(steady.map((x) => x.tempoOk!)),
    tempoOkOctave: mean(steady.map((x) => x.tempoOkOctave!)),
    recoveryMedian: change.length ? quantile(change, 0.5) : NaN,
    recoveredIn4s: mean(change.map((r) => (r <= 4 ? 1 : 0))),
    beatF: mean(xs.map((x) => x.beatF)),
    aubioBeatF: aub.length ? mean(aub) : NaN,
  };
}

/** Runs ours (with `overrides`) and aubiotrack on every clip; groups by half, kind, groove and variant. */
export async function runTempoEval(opts: { quick?: boolean; halves?: readonly Half[]; overrides?: AnalysisOverrides; dir?: string } = {}): Promise<{ clips: TempoClip[]; scores: TempoScore[]; groups: Record<string, TempoGroup> }> {
  const dir = resolve(opts.dir ?? '.cache/tempo');
  const clips = await generateTempoSet({ quick: opts.quick, dir, halves: opts.halves });
  const aubioOk = await hasTool('aubiotrack', ['--help']);
  const scores = await mapPool(clips, defaultJobs(), async (c) => {
    const x = await readMono(join(dir, c.wav));
    return scoreTempo(c, runOurs(x, opts.overrides), aubioOk ? await runAubioTrack(join(dir, c.wav)) : null);
  });
  const groups: Record<string, TempoGroup> = {};
  const add = (name: string, pick: (c: TempoClip) => boolean): void => {
    const idx = clips.map((c, i) => (pick(c) ? i : -1)).filter((i) => i >= 0);
    if (idx.length) groups[name] = summarizeTempo(idx.map((i) => scores[i]));
  };
  for (const half of ['tune', 'report'] as const) {
    add(`${half}/all`, (c) => c.half === half);
    for (const kind of ['steady', 'step', 'transition'] as const) add(`${half}/${kind}`, (c) => c.half === half && c.kind === kind);
    for (const g of GROOVES) add(`${half}/steady/${g}`, (c) => c.half === half && c.kind === 'steady' && c.groove === g);
    for (const v of VARIANTS) add(`${half}/${v}`, (c) => c.half === half && c.variant === v);
  }
  return { clips, scores, groups };
}

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '—');

/** Markdown table of the groups. */
export function tempoTable(groups: Record<string, TempoGroup>): string {
  const rows = Object.entries(groups).map(([name, g]) =>
    `| ${name} | ${g.clips} | ${f3(g.tempoOk)} | ${f3(g.tempoOkOctave)} | ${Number.isFinite(g.recoveryMedian) ? g.recoveryMedian.toFixed(1) : '—'} | ${f3(g.recoveredIn4s)} | ${f3(g.beatF)} | ${f3(g.aubioBeatF)} |`);
  return ['| group | clips | tempo within 4 % from 8 s | same, ½× or 2× accepted | back within 4 % after a change, median (s) | share back in ≤ 4 s | beat F (±70 ms) | aubiotrack beat F |', '|---|---:|---:|---:|---:|---:|---:|---:|', ...rows].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { quick: { type: 'boolean', default: false }, half: { type: 'string', default: 'tune' } } });
  const halves = values.half === 'all' ? (['tune', 'report'] as const) : [values.half as Half];
  for (const cfg of positionals.length ? positionals.map((s) => JSON.parse(s) as AnalysisOverrides) : [{}]) {
    const t0 = Date.now();
    const r = await runTempoEval({ quick: values.quick, halves, overrides: cfg });
    process.stdout.write(`${JSON.stringify(cfg)} [${((Date.now() - t0) / 1000).toFixed(1)} s]\n${tempoTable(r.groups)}\n`);
  }
}
