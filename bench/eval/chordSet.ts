/**
 * The chord set: chord-only files (every root × quality once per timbre, roots C2–B5, several
 * voicings) and full songs (chords with a bass line, a melody and mostly drums), split into a
 * **tune** half and a **report** half that share no timbre and no seed. Defaults are tuned on the
 * tune half; RESULTS.md reports the other.
 */
import type { Seconds } from '../../engine/units.js';
import { composeDrums, KITS, randomStyle } from './drums.js';
import { humanize, type Grid } from './music.js';
import { dice, hashSeed, type Dice } from './prng.js';
import type { NoteEvent, Part, Score } from './render.js';

/** The scored qualities: 12 roots × these = the 60 binary templates. */
export type ChordType = 'maj' | 'min' | '7' | 'm7' | 'maj7';
export const CHORD_TYPES: readonly ChordType[] = ['maj', 'min', '7', 'm7', 'maj7'];
export const INTERVALS: Readonly<Record<ChordType, readonly number[]>> = {
  maj: [0, 4, 7], min: [0, 3, 7], '7': [0, 4, 7, 10], m7: [0, 3, 7, 10], maj7: [0, 4, 7, 11],
};

/** How the chord's tones are laid out above the bass. */
export type Voicing = 'close' | 'third-doubled' | 'open' | 'inv1' | 'inv2' | 'octave';
export const VOICINGS: readonly Voicing[] = ['close', 'third-doubled', 'open', 'inv1', 'inv2', 'octave'];

export type Half = 'tune' | 'report';
export const HALVES: readonly Half[] = ['tune', 'report'];

/** Seconds each chord of a chord-only file is held. */
export const HOLD: Seconds = 1.2;
/** Seconds after a chord change that scoring skips (the held-out set's 250 ms). */
export const SETTLE: Seconds = 0.25;
const LEAD_IN: Seconds = 0.5;

interface Timbre { program: number; name: string }
const t = (program: number, name: string): Timbre => ({ program, name });

/**
 * Chord timbres per half, family by family (each half has every family, with other programs):
 * pianos, electric pianos, organs, guitars, strings, voices, pads, brass, synths, mallets.
 */
export const CHORD_TIMBRES: Readonly<Record<Half, readonly Timbre[]>> = {
  tune: [
    t(1, 'Bright Piano'), t(5, 'Electric Piano 2'), t(16, 'Drawbar Organ'), t(20, 'Reed Organ'),
    t(25, 'Steel Guitar'), t(27, 'Clean Guitar'), t(29, 'Overdriven Guitar'), t(49, 'Slow Strings'),
    t(53, 'Voice Oohs'), t(89, 'Warm Pad'), t(91, 'Choir Pad'), t(61, 'Brass Section'),
    t(81, 'Saw Lead'), t(11, 'Vibraphone'), t(21, 'Accordion'), t(94, 'Halo Pad'),
  ],
  report: [
    t(0, 'Acoustic Grand Piano'), t(4, 'Electric Piano 1'), t(17, 'Percussive Organ'), t(19, 'Church Organ'),
    t(24, 'Nylon Guitar'), t(26, 'Jazz Guitar'), t(30, 'Distortion Guitar'), t(48, 'String Ensemble 1'),
    t(52, 'Choir Aahs'), t(88, 'New Age Pad'), t(90, 'Polysynth Pad'), t(62, 'Synth Brass 1'),
    t(80, 'Square Lead'), t(6, 'Harpsichord'), t(50, 'Synth Strings 1'), t(92, 'Bowed Pad'),
  ],
};
export const BASSES: Readonly<Record<Half, readonly number[]>> = { tune: [32, 34, 38], report: [33, 35, 39] };
export const LEADS: Readonly<Record<Half, readonly number[]>> = { tune: [73, 65, 56, 40], report: [71, 66, 57, 82] };

/** One chord of the truth: `start`/`end` are MIDI times of the change and the release. */
export interface ChordSegment {
  start: Seconds;
  end: Seconds;
  /** Pitch class of the root, 0 = C. */
  root: number;
  type: ChordType;
  /** MIDI note of the lowest chord tone sounded (the root unless inverted). */
  bass: number;
  voicing: Voicing;
}

/** The MIDI notes of a chord with its root at MIDI `root`, in `voicing`. */
export function voiceChord(root: number, type: ChordType, voicing: Voicing): number[] {
  const iv = INTERVALS[type];
  const third = iv[1];
  const upper = iv.slice(1);
  switch (voicing) {
    case 'close': return iv.map((i) => root + i);
    case 'third-doubled': return [...iv.map((i) => root + i), root + third + 12];
    case 'open': return [root, root + 7, root + third + 12, ...(iv.length > 3 ? [root + iv[3] + 12] : [])];
    case 'inv1': return [...upper.map((i) => root + i), root + 12];
    case 'inv2': return [root + 7, ...(iv.length > 3 ? [root + iv[3]] : []), root + 12, root + third + 12];
    case 'octave': return [root, ...iv.map((i) => root + 12 + i)];
  }
}

/** Chord-only files per timbre: every root × quality once (60 chords), in a seeded order. Quick: 15. */
export function chordSequence(half: Half, program: number, quick: boolean): ChordSegment[] {
  const d = dice(hashSeed(`chords-2/${half}/${program}`));
  const list: { root: number; type: ChordType; voicing: Voicing }[] = [];
  for (let pc = 0; pc < 12; pc++) for (const type of CHORD_TYPES) list.push({ root: 36 + 12 * d.int(0, 3) + pc, type, voicing: d.pick(VOICINGS) });
  for (let i = list.length - 1; i > 0; i--) {
    const j = d.int(0, i);
    [list[i], list[j]] = [list[j], list[i]];
  }
  const used = quick ? list.slice(0, 15) : list;
  return used.map((c, i) => ({
    start: LEAD_IN + i * HOLD, end: LEAD_IN + (i + 1) * HOLD, root: c.root % 12, type: c.type,
    bass: Math.min(...voiceChord(c.root, c.type, c.voicing)), voicing: c.voicing,
  }));
}

/** The score that plays `segments` on one program. */
export function chordScore(program: number, segments: ChordSegment[]): Score {
  const notes: NoteEvent[] = [];
  for (const s of segments) {
    const root = s.voicing === 'inv1' || s.voicing === 'inv2' ? rootBelow(s) : s.bass;
    for (const m of voiceChord(root, s.type, s.voicing)) notes.push({ time: s.start, midi: m, duration: s.end - s.start, velocity: 0.8 });
  }
  const end = segments.length ? segments[segments.length - 1].end : 0;
  return { bpm: 100, duration: end + 1, parts: [{ channel: 0, program, notes }] };
}

/** The root MIDI note an inverted segment was voiced from (its bass is the third or the fifth). */
function rootBelow(s: ChordSegment): number {
  let r = s.bass;
  while (((r % 12) + 12) % 12 !== s.root) r--;
  return r;
}

// ---- Songs ---------------------------------------------------------------------------------

const MAJOR_DEGREES: readonly { step: number; types: ChordType[] }[] = [
  { step: 0, types: ['maj', 'maj7'] }, { step: 2, types: ['min', 'm7'] }, { step: 4, types: ['min', 'm7'] },
  { step: 5, types: ['maj', 'maj7'] }, { step: 7, types: ['maj', '7'] }, { step: 9, types: ['min', 'm7'] },
];
const MAJOR_SCALE = [0, 2, 4, 5, 7, 9, 11];

/** One song: the score and its chord truth. */
export interface Song { score: Score; chords: ChordSegment[]; instruments: number[] }

/** Songs per half (full; quick uses the first two). */
export const SONGS_PER_HALF = 8;

/**
 * A song: 12–16 bars in a major key, one chord per bar (some bars split in two), comped or held
 * on a chord timbre of the half, a bass line (roots, fifths, octaves and passing tones), a
 * melody with non-chord tones, and drums in most songs.
 */
export function composeSong(half: Half, index: number, programs?: { chord: readonly number[]; bass: readonly number[]; lead: readonly number[] }): Song {
  const d = dice(hashSeed(`song-2/${half}/${index}`));
  const bpm = Math.round(d.range(80, 132));
  const beat = 60 / bpm;
  const bar = 4 * beat;
  const bars = d.int(12, 16);
  const g: Grid = { bpm, beat, bar, bars, length: bars * bar };
  const tonic = d.int(0, 11);
  const chordPrograms = programs?.chord ?? CHORD_TIMBRES[half].map((x) => x.program);
  const chordProgram = chordPrograms[(index * 5 + 3) % chordPrograms.length];
  const bassProgram = d.pick(programs?.bass ?? BASSES[half]);
  const leadProgram = d.pick(programs?.lead ?? LEADS[half]);
  const held = d.chance(0.5);
  const start0 = 0.5;
  const chords: ChordSegment[] = [];
  const comp: NoteEvent[] = [];
  const bass: NoteEvent[] = [];
  const lead: NoteEvent[] = [];
  const scalePcs = MAJOR_SCALE.map((s) => (s + tonic) % 12);
  for (let b = 0; b < bars; b++) {
    const split = d.chance(0.2) ? 2 : 1;
    for (let h = 0; h < split; h++) {
      const deg = b === 0 ? MAJOR_DEGREES[0] : d.pick(MAJOR_DEGREES);
      const type = d.pick(deg.types);
      const rootPc = (tonic + deg.step) % 12;
      const start = start0 + b * bar + (h * bar) / split;
      const len = bar / split;
      const voicing = d.pick(VOICINGS);
      let root = 48 + rootPc;
      if (root > 55) root -= 12;
      const tones = voiceChord(root, type, voicing);
      chords.push({ start, end: start + len, root: rootPc, type, bass: 28 + ((rootPc + 8) % 12), voicing });
      const hits = held ? [0] : [0, 1.5, 2, 3].filter((x) => x * beat < len - 1e-6 && (x === 0 || d.chance(0.6)));
      hits.forEach((x, k) => {
        const end = k + 1 < hits.length ? hits[k + 1] * beat : len;
        for (const m of tones) comp.push({ time: start + x * beat, midi: m, duration: Math.max(0.1, end - x * beat - 0.02), velocity: 0.55 + d.range(0, 0.15) });
      });
      // Bass: root (E1..D#2 register) on the first beat, then root/fifth/octave, a passing tone before the change.
      const broot = 28 + ((rootPc + 8) % 12);
      const beats = Math.round(len / beat);
      for (let k = 0; k < beats; k++) {
        let m = broot;
        if (k > 0) m = d.pick([broot, broot + 7, broot + 12, broot + INTERVALS[type][1]]);
        if (k === beats - 1 && beats > 1 && d.chance(0.4)) m = broot + d.pick([2, 5, 10]);
        bass.push({ time: humanize(d, start + k * beat, 3), midi: m, duration: beat * 0.9, velocity: 0.75 });
      }
      // Melody: a chord tone on the change, scale steps (non-chord tones) between.
      const chordPcs = INTERVALS[type].map((i) => (rootPc + i) % 12);
      let tt = 0;
      while (tt < len - 1e-6) {
        const dur = d.pick([0.5, 1, 1, 2]) * beat;
        const pcs = tt === 0 ? chordPcs : scalePcs;
        const pc = d.pick(pcs);
        let m = 72 + pc;
        if (m > 81) m -= 12;
        if (d.chance(0.85)) lead.push({ time: humanize(d, start + tt, 4), midi: m, duration: Math.min(dur, len - tt) * 0.95, velocity: 0.6 + d.range(0, 0.2) });
        tt += dur;
      }
    }
  }
  const parts: Part[] = [
    { channel: 0, program: chordProgram, notes: comp },
    { channel: 1, program: bassProgram, notes: bass },
    { channel: 2, program: leadProgram, notes: lead },
  ];
  if (d.chance(0.75)) parts.push(drumsOver(d, g, start0));
  return { score: { bpm, duration: start0 + g.length + 1.5, parts }, chords, instruments: parts.map((p) => p.program) };
}

function drumsOver(d: Dice, g: Grid, offset: Seconds): Part {
  const part = composeDrums(d, g, randomStyle(d, d.pick(KITS)));
  return { ...part, notes: part.notes.map((n) => ({ ...n, time: n.time + offset, velocity: n.velocity * 0.8 })) };
}
