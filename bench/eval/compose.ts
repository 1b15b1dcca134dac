/**
 * The onset set's composers, one per category, and the clip catalogue. A clip is fixed by its
 * category and index (the seed derives from both), so the set is the same on every machine.
 */
import type { Dice } from './prng.js';
import { dice, hashSeed } from './prng.js';
import { KITS, composeDrums, randomStyle } from './drums.js';
import type { Grid, Harmony } from './music.js';
import { barRhythm, humanize, makeGrid, makeHarmony, scaleNotes, thin, voicing, walker } from './music.js';
import type { NoteEvent, Part, Score } from './render.js';

export const CATEGORIES = ['drums', 'plucked', 'legato', 'mix'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Release tail after the last bar, so the last notes ring out. */
const TAIL = 2;

/** An instrument choice: GM program and the register it plays in. */
export interface Voice { program: number; name: string; lo: number; hi: number; strum?: boolean }

/** Plucked and struck instruments (one per clip, cycled). */
export const PLUCKED: readonly Voice[] = [
  { program: 0, name: 'Acoustic Grand Piano', lo: 40, hi: 88 },
  { program: 24, name: 'Nylon Guitar', lo: 45, hi: 76, strum: true },
  { program: 25, name: 'Steel Guitar', lo: 45, hi: 76, strum: true },
  { program: 46, name: 'Harp', lo: 43, hi: 88, strum: true },
  { program: 12, name: 'Marimba', lo: 52, hi: 88 },
  { program: 45, name: 'Pizzicato Strings', lo: 55, hi: 84 },
  { program: 6, name: 'Harpsichord', lo: 48, hi: 84 },
  { program: 105, name: 'Banjo', lo: 55, hi: 81, strum: true },
];

/**
 * Legato clips: a gapless melody, optionally over a chord bed whose changed voices re-attack.
 * @remarks Registers are chosen where FluidR3's sample reaches −20 dB of its peak within ~25 ms
 * of the note-on (see calibration in the README); violin, cello, string ensemble, choir, warm
 * pad and low flute/clarinet are slower than that and are not used for onsets.
 */
export const LEGATO: readonly { lead: Voice; bed?: Voice }[] = [
  { lead: { program: 16, name: 'Drawbar Organ', lo: 55, hi: 84 }, bed: { program: 16, name: 'Drawbar Organ', lo: 48, hi: 67 } },
  { lead: { program: 65, name: 'Alto Sax', lo: 49, hi: 70 }, bed: { program: 50, name: 'Synth Strings 1', lo: 48, hi: 67 } },
  { lead: { program: 81, name: 'Lead 2 (sawtooth)', lo: 55, hi: 84 }, bed: { program: 91, name: 'Pad 4 (choir/space voice)', lo: 48, hi: 67 } },
  { lead: { program: 56, name: 'Trumpet', lo: 64, hi: 84 } },
  { lead: { program: 73, name: 'Flute', lo: 74, hi: 93 }, bed: { program: 18, name: 'Rock Organ', lo: 48, hi: 67 } },
  { lead: { program: 66, name: 'Tenor Sax', lo: 45, hi: 68 }, bed: { program: 88, name: 'Pad 1 (new age)', lo: 52, hi: 72 } },
  { lead: { program: 80, name: 'Lead 1 (square)', lo: 55, hi: 84 }, bed: { program: 18, name: 'Rock Organ', lo: 45, hi: 64 } },
  { lead: { program: 71, name: 'Clarinet', lo: 72, hi: 91 } },
];

/** Full-mix ingredients (cycled with different offsets per clip). */
const MIX_BASS: readonly Voice[] = [
  { program: 33, name: 'Fingered Bass', lo: 28, hi: 50 },
  { program: 34, name: 'Picked Bass', lo: 28, hi: 50 },
  { program: 38, name: 'Synth Bass 1', lo: 28, hi: 50 },
  { program: 32, name: 'Acoustic Bass', lo: 28, hi: 50 },
];
const MIX_COMP: readonly Voice[] = [
  { program: 4, name: 'Electric Piano 1', lo: 52, hi: 76 },
  { program: 27, name: 'Clean Electric Guitar', lo: 52, hi: 76, strum: true },
  { program: 0, name: 'Acoustic Grand Piano', lo: 52, hi: 76 },
  { program: 25, name: 'Steel Guitar', lo: 52, hi: 76, strum: true },
  { program: 7, name: 'Clavinet', lo: 52, hi: 76 },
];
const MIX_PAD: readonly Voice[] = [
  { program: 48, name: 'String Ensemble 1', lo: 55, hi: 76 },
  { program: 89, name: 'Pad 2 (warm)', lo: 55, hi: 76 },
  { program: 16, name: 'Drawbar Organ', lo: 55, hi: 76 },
  { program: 50, name: 'Synth Strings 1', lo: 55, hi: 76 },
  { program: 19, name: 'Church Organ', lo: 55, hi: 76 },
];

/** A composed clip: its score and a human description of what plays. */
export interface Composition { score: Score; instruments: string[] }

/** Chords of the harmony laid one per bar (or two per bar when `half`). */
function chordAt(h: Harmony, g: Grid, t: number, half: boolean): number[] {
  const span = half ? g.bar / 2 : g.bar;
  return h.chords[Math.floor(t / span + 1e-6) % h.chords.length];
}

export function composePlucked(d: Dice, v: Voice): Composition {
  const g = makeGrid(d);
  const h = makeHarmony(d);
  const notes: NoteEvent[] = [];
  const melody = walker(d, scaleNotes(h, v.lo + 7, v.hi));
  const density = d.range(0.3, 0.8);
  const chordProb = d.range(0.15, 0.4);
  for (let bar = 0; bar < g.bars; bar++) {
    const times = thin(barRhythm(d, g, density, false).map((t) => t + bar * g.bar));
    times.forEach((t, i) => {
      const next = i + 1 < times.length ? times[i + 1] : (bar + 1) * g.bar;
      const dur = (next - t) * d.range(0.7, 1.0);
      const accent = Math.abs(t / g.beat - Math.round(t / g.beat)) < 1e-6 ? 0.2 : 0;
      const vel = d.range(0.45, 0.8) + accent;
      const th = humanize(d, t);
      if (d.chance(chordProb)) {
        const chord = voicing(chordAt(h, g, t, false), v.lo + d.int(0, 8));
        const spread = v.strum ? d.range(0.004, 0.008) : 0;
        chord.forEach((m, k) => notes.push({ time: th + k * spread, midi: m, duration: dur, velocity: vel }));
      } else notes.push({ time: th, midi: melody(), duration: dur, velocity: vel });
    });
  }
  const root = chordAt(h, g, 0, false);
  notes.push(...voicing(root, v.lo).map((m) => ({ time: g.length, midi: m, duration: 1.5, velocity: 0.7 })));
  return { score: { bpm: g.bpm, duration: g.length + TAIL, parts: [{ channel: 0, program: v.program, notes }] }, instruments: [v.name] };
}

/** A gapless line: each note lasts until the next onset; occasional one-beat breaths. */
function legatoLine(d: Dice, g: Grid, h: Harmony, v: Voice, density: number): NoteEvent[] {
  const notes: NoteEvent[] = [];
  const melody = walker(d, scaleNotes(h, v.lo, v.hi), 4);
  let times: number[] = [];
  for (let bar = 0; bar < g.bars; bar++) times.push(...barRhythm(d, g, density, false).map((t) => t + bar * g.bar));
  times = thin(times);
  times.forEach((t, i) => {
    const next = i + 1 < times.length ? times[i + 1] : g.length;
    const breath = (i + 1) % 16 === 0 && next - t > g.beat;
    notes.push({ time: t, midi: melody(), duration: breath ? g.beat * 0.5 : next - t, velocity: d.range(0.55, 0.95) });
  });
  return notes;
}

/** Chord changes with common tones held; only the changed voices start new notes. */
function chordBed(d: Dice, g: Grid, h: Harmony, v: Voice, half: boolean, anticipate: number): NoteEvent[] {
  const notes: NoteEvent[] = [];
  const span = half ? g.bar / 2 : g.bar;
  const changes: number[] = [];
  for (let t = 0; t < g.length - 1e-6; t += span) changes.push(t > 0 && d.chance(anticipate) ? t - g.beat / 2 : t);
  const open = new Map<number, NoteEvent>();
  const base = v.lo + d.int(0, 5);
  changes.forEach((t, i) => {
    const end = i + 1 < changes.length ? changes[i + 1] : g.length;
    const want = new Set(voicing(chordAt(h, g, t + g.beat, half), base));
    for (const [m, n] of open) if (!want.has(m)) { n.duration = t - n.time; open.delete(m); }
    const vel = d.range(0.5, 0.85);
    for (const m of want) if (!open.has(m)) { const n = { time: t, midi: m, duration: 0, velocity: vel }; open.set(m, n); notes.push(n); }
    if (i + 1 === changes.length) for (const n of open.values()) n.duration = end - n.time + 1;
  });
  return notes;
}

export function composeLegato(d: Dice, spec: { lead: Voice; bed?: Voice }): Composition {
  const g = makeGrid(d);
  const h = makeHarmony(d);
  const parts: Part[] = [{ channel: 0, program: spec.lead.program, notes: legatoLine(d, g, h, spec.lead, d.range(0.2, 0.6)) }];
  const instruments = [`${spec.lead.name} (${spec.lead.program}) lead`];
  if (spec.bed) {
    parts.push({ channel: 1, program: spec.bed.program, notes: chordBed(d, g, h, spec.bed, d.chance(0.5), d.range(0, 0.4)) });
    instruments.push(`${spec.bed.name} (${spec.bed.program}) chords`);
  }
  return { score: { bpm: g.bpm, duration: g.length + TAIL, parts }, instruments };
}

function composeMix(d: Dice, index: number): Composition {
  const g = makeGrid(d);
  const h = makeHarmony(d);
  const style = randomStyle(d, KITS[index % KITS.length]);
  const drums = composeDrums(d, g, style);
  const bassV = MIX_BASS[index % MIX_BASS.length];
  const compV = MIX_COMP[(index + 1) % MIX_COMP.length];
  const padV = MIX_PAD[(index + 2) % MIX_PAD.length];
  const bass: NoteEvent[] = [];
  const kicks = drums.notes.filter((n) => n.midi === 35 || n.midi === 36).map((n) => n.time).sort((a, b) => a - b);
  const bassTimes = thin(kicks.filter((t) => t < g.length).concat(d.chance(0.5) ? kicks.map((t) => t + g.beat / 2).filter((t) => t < g.length && d.chance(0.3)) : []).sort((a, b) => a - b));
  bassTimes.forEach((t, i) => {
    const chord = chordAt(h, g, t, false);
    const pc = d.chance(0.75) ? chord[0] : d.pick(chord);
    let m = bassV.lo;
    while (m % 12 !== pc) m++;
    const next = i + 1 < bassTimes.length ? bassTimes[i + 1] : g.length;
    bass.push({ time: t, midi: m, duration: (next - t) * 0.9, velocity: d.range(0.7, 0.95) });
  });
  const comp: NoteEvent[] = [];
  const compDensity = d.range(0.2, 0.5);
  for (let bar = 0; bar < g.bars; bar++) {
    for (const t of thin(barRhythm(d, g, compDensity).map((x) => x + bar * g.bar))) {
      const chord = voicing(chordAt(h, g, t, false), compV.lo + d.int(0, 7));
      const spread = compV.strum ? d.range(0.003, 0.007) : 0;
      const th = humanize(d, t);
      const vel = d.range(0.45, 0.8);
      chord.forEach((m, k) => comp.push({ time: th + k * spread, midi: m, duration: g.beat * d.range(0.3, 0.9), velocity: vel }));
    }
  }
  const pad = chordBed(d, g, h, padV, false, 0).map((n) => ({ ...n, velocity: n.velocity * 0.7 }));
  const parts: Part[] = [
    drums,
    { channel: 0, program: bassV.program, notes: bass },
    { channel: 1, program: compV.program, notes: comp },
    { channel: 2, program: padV.program, notes: pad },
  ];
  const instruments = [`kit ${style.kit}`, `${bassV.name} (${bassV.program})`, `${compV.name} (${compV.program})`, `${padV.name} (${padV.program})`];
  return { score: { bpm: g.bpm, duration: g.length + TAIL, parts }, instruments };
}

function composeDrumClip(d: Dice, index: number): Composition {
  const g = makeGrid(d);
  const style = randomStyle(d, KITS[index % KITS.length]);
  return { score: { bpm: g.bpm, duration: g.length + TAIL, parts: [composeDrums(d, g, style)] }, instruments: [`kit ${style.kit}`] };
}

/**
 * Clips per category in the full set: 0–7 are the tune half (eval-1 as first made; the onset
 * defaults were tuned on them), 8–15 the report half (the same instruments, new seeds; added
 * later, nothing was tuned on them).
 */
export const CLIPS_PER_CATEGORY = 16;
/** The first index of the report half. */
export const REPORT_FROM_INDEX = 8;

/** Composes clip `index` of `category` (deterministic). */
export function compose(category: Category, index: number): Composition {
  const d = dice(hashSeed(`${category}/${index}`));
  switch (category) {
    case 'drums': return composeDrumClip(d, index);
    case 'plucked': return composePlucked(d, PLUCKED[index % PLUCKED.length]);
    case 'legato': return composeLegato(d, LEGATO[index % LEGATO.length]);
    case 'mix': return composeMix(d, index);
  }
}
