/**
 * Drum-kit parts on the GM percussion channel: hats or ride, syncopated kicks, backbeat snares
 * with ghost notes, tom fills (down to `MIN_IOI` apart) and crashes at phrase starts.
 */
import type { Dice } from './prng.js';
import type { Grid } from './music.js';
import { MIN_IOI, humanize } from './music.js';
import { DRUM_CHANNEL } from './render.js';
import type { NoteEvent, Part } from './render.js';

/** GM drum keys used. */
const KEY = {
  kick: 36, kick2: 35, stick: 37, snare: 38, clap: 39, snare2: 40, tomLo: 41, hatClosed: 42,
  tomLo2: 43, hatPedal: 44, tomMid: 45, hatOpen: 46, tomMid2: 47, tomHi: 48, crash: 49, tomHi2: 50,
  ride: 51, bell: 53, tambourine: 54, cowbell: 56, crash2: 57,
} as const;

/** FluidR3 GM kits (bank 128): Standard, Room, Power, Electronic, TR-808, Jazz. */
export const KITS = [0, 8, 16, 24, 25, 32] as const;

/** How busy and how syncopated the part is. */
export interface DrumStyle {
  kit: number;
  /** Probability of each syncopated extra kick position. */
  kickSync: number;
  /** Probability of a ghost snare on a free sixteenth. */
  ghosts: number;
  /** Half-time backbeat (snare on beat 3 only). */
  halfTime: boolean;
  /** Fills every `fillEvery` bars (0 = none). */
  fillEvery: number;
  /** Percussion extras (tambourine, cowbell, side stick). */
  extras: boolean;
}

export function randomStyle(d: Dice, kit: number): DrumStyle {
  return {
    kit,
    kickSync: d.range(0.15, 0.45),
    ghosts: d.range(0, 0.25),
    halfTime: d.chance(0.25),
    fillEvery: d.pick([2, 4, 4, 8]),
    extras: d.chance(0.5),
  };
}

/** One drum part over the grid. */
export function composeDrums(d: Dice, g: Grid, style: DrumStyle): Part {
  const notes: NoteEvent[] = [];
  const step = g.beat / 4;
  const sixteenths = step >= MIN_IOI;
  const hit = (t: number, key: number, vel: number): void => {
    notes.push({ time: humanize(d, t, 3), midi: key, duration: 0.1, velocity: Math.min(1, vel * d.range(0.9, 1.05)) });
  };
  const kickBase = [0, 8];
  const kickExtra = [3, 6, 7, 10, 11, 14].filter(() => d.chance(style.kickSync));
  const snareAt = style.halfTime ? [8] : [4, 12];
  const snareKey = d.pick([KEY.snare, KEY.snare, KEY.snare2, KEY.clap]);
  const kickKey = d.pick([KEY.kick, KEY.kick, KEY.kick2]);
  let useRide = d.chance(0.3);
  const hatDiv = sixteenths && d.chance(0.5) ? 1 : 2;
  for (let bar = 0; bar < g.bars; bar++) {
    const t0 = bar * g.bar;
    const fill = style.fillEvery > 0 && bar % style.fillEvery === style.fillEvery - 1;
    if (bar % 8 === 0 && bar > 0) useRide = d.chance(0.3);
    const fillFrom = fill ? d.pick([8, 12]) : 16;
    if (bar % 4 === 0) hit(t0, d.pick([KEY.crash, KEY.crash2]), d.range(0.75, 1));
    for (let s = 0; s < 16; s++) {
      const t = t0 + s * step;
      if (s >= fillFrom) continue;
      const onBeat = s % 4 === 0;
      if (s % hatDiv === 0 && (hatDiv === 2 || sixteenths)) {
        const open = s % 8 === 6 && d.chance(0.25);
        const key = useRide ? (s % 8 === 0 && d.chance(0.3) ? KEY.bell : KEY.ride) : open ? KEY.hatOpen : KEY.hatClosed;
        if (!(s === 0 && bar % 4 === 0)) hit(t, key, onBeat ? d.range(0.7, 0.95) : d.range(0.4, 0.7));
      }
      if (kickBase.includes(s) || kickExtra.includes(s)) hit(t, kickKey, kickBase.includes(s) ? d.range(0.85, 1) : d.range(0.6, 0.9));
      if (snareAt.includes(s)) hit(t, snareKey, d.range(0.85, 1));
      else if (sixteenths && !onBeat && d.chance(style.ghosts)) hit(t, KEY.snare, d.range(0.3, 0.45));
      if (style.extras && s % 8 === 4 && d.chance(0.3)) hit(t, d.pick([KEY.tambourine, KEY.cowbell, KEY.stick]), d.range(0.45, 0.7));
    }
    if (fill) {
      const toms = [KEY.tomHi2, KEY.tomHi, KEY.tomMid2, KEY.tomMid, KEY.tomLo2, KEY.tomLo];
      const triplet = g.beat / 6 >= MIN_IOI && d.chance(0.4);
      const div = triplet ? g.beat / 6 : sixteenths ? step : 2 * step;
      const start = t0 + fillFrom * step;
      const count = Math.round((t0 + g.bar - start) / div);
      for (let k = 0; k < count; k++) {
        if (k > 0 && d.chance(0.15)) continue;
        const key = k === 0 && d.chance(0.5) ? snareKey : toms[Math.min(toms.length - 1, Math.floor((k / count) * toms.length))];
        hit(start + k * div, key, d.range(0.55, 1));
      }
    }
  }
  // The last hit of the piece: crash + kick on the downbeat after the last bar.
  hit(g.bars * g.bar, KEY.crash, 0.9);
  hit(g.bars * g.bar, kickKey, 0.9);
  return { channel: DRUM_CHANNEL, program: style.kit, notes };
}
