/**
 * Musical building blocks shared by the composers: tempo grid, syncopated rhythm cells,
 * keys and chord progressions. Everything draws from one `Dice`, so a seed fixes the music.
 */
import type { Seconds } from '../../engine/units.js';
import type { Dice } from './prng.js';

/** The shortest interval between two onsets the composers write (the brief's "~80 ms"). */
export const MIN_IOI: Seconds = 0.08;

/** Tempo grid of one clip. */
export interface Grid {
  bpm: number;
  beat: Seconds;
  bar: Seconds;
  bars: number;
  /** Length of the music (without the release tail). */
  length: Seconds;
}

/** A tempo in 70–170 BPM and a whole number of 4/4 bars lasting 20–28 s. */
export function makeGrid(d: Dice, bpmRange: [number, number] = [70, 170]): Grid {
  const bpm = Math.round(d.range(bpmRange[0], bpmRange[1]));
  const beat = 60 / bpm;
  const bar = 4 * beat;
  const bars = Math.max(4, Math.round(d.range(20, 28) / bar));
  return { bpm, beat, bar, bars, length: bars * bar };
}

/**
 * Rhythm cells: onset positions within one beat, as fractions of the beat. Cells faster than
 * `MIN_IOI` at the clip's tempo are never drawn.
 */
const CELLS: readonly { at: number[]; weight: number; busy: number }[] = [
  { at: [0], weight: 3, busy: 0 },
  { at: [0, 0.5], weight: 4, busy: 1 },
  { at: [0.5], weight: 1.5, busy: 0 },
  { at: [0, 0.75], weight: 2, busy: 1 },
  { at: [0.25, 0.75], weight: 1.5, busy: 1 },
  { at: [0.75], weight: 1, busy: 0 },
  { at: [0, 0.25, 0.5, 0.75], weight: 2, busy: 2 },
  { at: [0, 0.5, 0.75], weight: 2, busy: 2 },
  { at: [0, 0.25, 0.5], weight: 1.5, busy: 2 },
  { at: [0, 1 / 3, 2 / 3], weight: 1.5, busy: 2 },
  { at: [0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6], weight: 0.7, busy: 3 },
  { at: [], weight: 0.6, busy: 0 },
];

/**
 * Onset times (seconds from the bar start) for one bar of a syncopated line.
 * @param density 0..1: how strongly busy cells are preferred.
 */
export function barRhythm(d: Dice, g: Grid, density: number, allowRest = true): Seconds[] {
  const out: Seconds[] = [];
  for (let b = 0; b < 4; b++) {
    const usable = CELLS.filter((c) => {
      if (!allowRest && c.at.length === 0) return false;
      for (let i = 1; i < c.at.length; i++) if ((c.at[i] - c.at[i - 1]) * g.beat < MIN_IOI) return false;
      return true;
    });
    const weights = usable.map((c) => c.weight * (c.busy >= 2 ? density * 2 : c.busy === 0 ? 1.4 - density : 1));
    let r = d.rand() * weights.reduce((a, w) => a + w, 0);
    let cell = usable[usable.length - 1];
    for (let i = 0; i < usable.length; i++) {
      r -= weights[i];
      if (r <= 0) { cell = usable[i]; break; }
    }
    for (const f of cell.at) out.push((b + f) * g.beat);
  }
  return out;
}

/** Removes onsets closer than `MIN_IOI` to the previous kept one (sorted input). */
export function thin(times: Seconds[]): Seconds[] {
  const out: Seconds[] = [];
  for (const t of times) if (out.length === 0 || t - out[out.length - 1] >= MIN_IOI - 1e-9) out.push(t);
  return out;
}

/** Small timing jitter (a few ms), never before 0. */
export function humanize(d: Dice, t: Seconds, ms = 4): Seconds {
  return Math.max(0, t + d.range(-ms, ms) / 1000);
}

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 10];
const PROGRESSIONS = [
  [0, 5, 3, 4], [0, 3, 4, 0], [5, 3, 0, 4], [0, 4, 5, 3], [1, 4, 0, 5], [0, 3, 5, 4], [0, 6, 5, 4],
];

/** A key and a four-chord loop; chords as scale-degree triads (or sevenths). */
export interface Harmony {
  tonic: number;
  scale: number[];
  /** Chords as pitch classes (root first), one per progression step. */
  chords: number[][];
}

export function makeHarmony(d: Dice): Harmony {
  const tonic = d.int(0, 11);
  const scale = (d.chance(0.5) ? MAJOR : MINOR).map((s) => (s + tonic) % 12);
  const prog = d.pick(PROGRESSIONS);
  const chords = prog.map((deg) => {
    const n = d.chance(0.3) ? 4 : 3;
    return Array.from({ length: n }, (_, k) => scale[(deg + 2 * k) % 7]);
  });
  return { tonic, scale, chords };
}

/** MIDI notes of the scale inside [lo, hi]. */
export function scaleNotes(h: Harmony, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let m = lo; m <= hi; m++) if (h.scale.includes(m % 12)) out.push(m);
  return out;
}

/** A close voicing of `pcs` with its lowest note at or above `lo`. */
export function voicing(pcs: number[], lo: number): number[] {
  let prev = lo - 1;
  return pcs.map((pc) => {
    let m = prev + 1;
    while (m % 12 !== pc) m++;
    prev = m;
    return m;
  });
}

/** A melodic random walk over `notes` (indices), never repeating the previous pitch. */
export function walker(d: Dice, notes: number[], maxStep = 3): () => number {
  let i = Math.floor(notes.length / 2);
  return () => {
    let j = i;
    while (j === i) j = Math.min(notes.length - 1, Math.max(0, i + d.int(-maxStep, maxStep)));
    i = j;
    return notes[i];
  };
}
