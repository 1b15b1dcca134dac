/**
 * The chord set for chroma: major, minor and dominant-seventh chords in root position on every
 * root C2..B5, each held `HOLD` seconds, one file per timbre.
 */
import type { Seconds } from '../../engine/units.js';
import { dice, hashSeed } from './prng.js';
import type { NoteEvent, Score } from './render.js';

export type ChordType = 'maj' | 'min' | '7';
export const CHORD_TYPES: readonly ChordType[] = ['maj', 'min', '7'];
const INTERVALS: Record<ChordType, number[]> = { maj: [0, 4, 7], min: [0, 3, 7], '7': [0, 4, 7, 10] };

/** Seconds each chord is held. */
export const HOLD: Seconds = 1.2;
/** Seconds after a chord change that scoring skips (attack, release of the previous chord). */
export const SETTLE: Seconds = 0.35;
const LEAD_IN: Seconds = 0.5;

/** Timbres of the chord set (GM programs). */
export const CHORD_TIMBRES: readonly { program: number; name: string }[] = [
  { program: 0, name: 'Acoustic Grand Piano' },
  { program: 4, name: 'Electric Piano 1' },
  { program: 24, name: 'Nylon Guitar' },
  { program: 16, name: 'Drawbar Organ' },
  { program: 48, name: 'String Ensemble 1' },
];

/** One chord of the truth: `start`/`end` are MIDI times of the change and the release. */
export interface ChordSegment {
  start: Seconds;
  end: Seconds;
  /** Pitch class of the root, 0 = C. */
  root: number;
  type: ChordType;
  /** MIDI note of the root. */
  bass: number;
}

/**
 * The chord sequence for one timbre. Full: all 48 roots × 3 types in a seeded order. Quick: 12
 * chords, each pitch class once, with seeded octave (2..5) and type.
 */
export function chordSequence(program: number, quick: boolean): ChordSegment[] {
  const d = dice(hashSeed(`chords/${program}/${quick ? 'quick' : 'full'}`));
  const list: { bass: number; type: ChordType }[] = [];
  if (quick) {
    for (let pc = 0; pc < 12; pc++) list.push({ bass: 36 + 12 * d.int(0, 3) + pc, type: d.pick(CHORD_TYPES) });
  } else {
    for (let bass = 36; bass <= 83; bass++) for (const type of CHORD_TYPES) list.push({ bass, type });
  }
  for (let i = list.length - 1; i > 0; i--) {
    const j = d.int(0, i);
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list.map((c, i) => ({ start: LEAD_IN + i * HOLD, end: LEAD_IN + (i + 1) * HOLD, root: c.bass % 12, type: c.type, bass: c.bass }));
}

/** The score that plays `segments` on one program. */
export function chordScore(program: number, segments: ChordSegment[]): Score {
  const notes: NoteEvent[] = [];
  for (const s of segments) {
    for (const iv of INTERVALS[s.type]) notes.push({ time: s.start, midi: s.bass + iv, duration: s.end - s.start, velocity: 0.8 });
  }
  const end = segments.length ? segments[segments.length - 1].end : 0;
  return { bpm: 100, duration: end + 1, parts: [{ channel: 0, program, notes }] };
}
