/**
 * Procedural timbres of the families the learned chroma hears worst (the issue: organ, choir and
 * pads, rich in harmonics), for its training data (chromaTrain.ts). Made in code, not from any
 * soundfont's samples, so they add make-ups of those families without touching the report half.
 *
 * - **organ**: drawbar or pipe ranks (16', 8', 5⅓', 4', 2⅔', 2', 1⅗', 1⅓', 1': sub-octave, fifths
 *   and the major third two octaves up), each rank a sine (tonewheel) or a short harmonic series
 *   (pipe), with tremulant, optional percussion on the 2nd or 3rd harmonic, organ envelopes.
 * - **ensemble**: choir-like voices: a glottal-like source tilt through vowel formants, 2–5
 *   voices per note detuned and each with its own vibrato, slow attack.
 * - **pad**: detuned saws or squares through a low-pass slope, slow attack and release.
 *
 * Each note reads a one-cycle wavetable of its make-up (partials below 12 kHz only, so linear
 * interpolation does not alias) with its own phase accumulator, so vibrato and detuning cost a few
 * operations per sample.
 */
import type { Dice } from './prng.js';
import { midiHz, SAMPLE_RATE, type NoteEvent } from './render.js';

export const SYNTH_FAMILIES = ['organ', 'ensemble', 'pad'] as const;
export type SynthFamily = (typeof SYNTH_FAMILIES)[number];

const TABLE = 4096;
const TOP_HZ = 12000;

/** A make-up: the partials of one note (multiples of `base` × f0, with amplitudes), its voices and envelope. */
interface MakeUp {
  /** The table's period is 1 / (base × f0): an organ's 16' rank sits an octave below the note. */
  readonly base: number;
  partials(f0: number): { n: number; amp: number }[];
  readonly voices: readonly { detune: number; rate: number; depth: number; phase: number }[];
  readonly attack: number;
  readonly release: number;
  /** Amplitude tremolo (organ tremulant): depth and rate. */
  readonly tremolo: { depth: number; rate: number };
  /** A decaying partial at `ratio` × f0 restarted at each note (organ percussion), or null. */
  readonly percussion: { ratio: number; level: number; decay: number } | null;
}

/** Formant centres and bandwidths (Hz) of sung vowels: a, o, u, e, i. */
const VOWELS: readonly (readonly [number, number, number][])[] = [
  [[800, 80, 1], [1150, 90, 0.5], [2900, 120, 0.25]],
  [[450, 70, 1], [800, 80, 0.35], [2830, 100, 0.1]],
  [[325, 50, 1], [700, 60, 0.2], [2700, 170, 0.05]],
  [[400, 60, 1], [1700, 80, 0.3], [2600, 120, 0.2]],
  [[300, 50, 1], [2000, 100, 0.2], [2800, 120, 0.15]],
];

function organ(d: Dice): MakeUp {
  // Footage ratios to the 8' rank; the table runs at half the note's frequency (the 16' rank).
  const ratios = [0.5, 1, 1.5, 2, 3, 4, 5, 6, 8];
  const chance = [0.4, 1, 0.4, 0.6, 0.5, 0.5, 0.3, 0.3, 0.4];
  const levels = ratios.map((_, i) => (i === 1 ? d.range(0.6, 1) : d.chance(chance[i]) ? d.range(0.15, 1) : 0));
  const pipe = d.chance(0.5);
  const pipeDecay = d.range(0.15, 0.6);
  const harmonics = pipe ? 6 : 2;
  const tremolo = d.chance(0.6) ? { depth: d.range(0.05, 0.3), rate: d.range(5, 7) } : { depth: 0, rate: 0 };
  const vibrato = tremolo.depth > 0 ? d.range(0, 0.003) : 0;
  return {
    base: 0.5,
    partials: (f0) => {
      const out: { n: number; amp: number }[] = [];
      ratios.forEach((r, i) => {
        if (levels[i] === 0) return;
        for (let h = 1; h <= harmonics; h++) {
          const amp = levels[i] * (pipe ? Math.pow(pipeDecay, h - 1) : h === 1 ? 1 : 0.04);
          if (r * h * f0 < TOP_HZ) out.push({ n: Math.round(2 * r * h), amp });
        }
      });
      return out;
    },
    voices: [{ detune: 1, rate: tremolo.rate, depth: vibrato, phase: d.range(0, 2 * Math.PI) }],
    attack: d.range(0.003, 0.03),
    release: pipe ? d.range(0.1, 0.5) : d.range(0.02, 0.12),
    tremolo,
    percussion: !pipe && d.chance(0.5) ? { ratio: d.pick([2, 3]), level: d.range(0.3, 1), decay: d.range(0.15, 0.5) } : null,
  };
}

function ensemble(d: Dice): MakeUp {
  const tilt = d.range(0.7, 1.6);
  const shift = d.range(0.9, 1.15);
  const vowel = d.pick(VOWELS);
  const floor = d.range(0.02, 0.1);
  const gain = (f: number): number => floor + vowel.reduce((g, [fc, bw, a]) => g + a / (1 + ((f - fc * shift) / (bw * shift / 2)) ** 2), 0);
  const count = d.int(2, 5);
  const spread = d.range(3, 15);
  const depth = d.range(0.002, 0.015);
  return {
    base: 1,
    partials: (f0) => {
      const out: { n: number; amp: number }[] = [];
      for (let n = 1; n * f0 < 10000; n++) out.push({ n, amp: gain(n * f0) / n ** tilt }); // a voice has little above 10 kHz
      return out;
    },
    voices: Array.from({ length: count }, () => ({ detune: 2 ** (d.range(-spread, spread) / 1200), rate: d.range(4.5, 6.5), depth: depth * d.range(0.5, 1.5), phase: d.range(0, 2 * Math.PI) })),
    attack: d.range(0.05, 0.3),
    release: d.range(0.1, 0.5),
    tremolo: { depth: 0, rate: 0 },
    percussion: null,
  };
}

function pad(d: Dice): MakeUp {
  const square = d.chance(0.3);
  const cutoff = d.range(600, 5000);
  const count = d.int(2, 4);
  const spread = d.range(3, 20);
  return {
    base: 1,
    partials: (f0) => {
      const out: { n: number; amp: number }[] = [];
      for (let n = 1; n * f0 < TOP_HZ; n++) {
        if (square && n % 2 === 0) continue;
        out.push({ n, amp: 1 / n / Math.sqrt(1 + (n * f0 / cutoff) ** 4) });
      }
      return out;
    },
    voices: Array.from({ length: count }, () => ({ detune: 2 ** (d.range(-spread, spread) / 1200), rate: d.range(0.1, 0.5), depth: d.range(0, 0.001), phase: d.range(0, 2 * Math.PI) })),
    attack: d.range(0.1, 0.6),
    release: d.range(0.3, 1),
    tremolo: { depth: 0, rate: 0 },
    percussion: null,
  };
}

/** One cycle of `partials` (random phases), peak 1. */
function wavetable(d: Dice, partials: readonly { n: number; amp: number }[]): Float32Array {
  const t = new Float32Array(TABLE);
  for (const { n, amp } of partials) {
    const ph = d.range(0, 2 * Math.PI);
    const w = (2 * Math.PI * n) / TABLE;
    for (let i = 0; i < TABLE; i++) t[i] += amp * Math.sin(w * i + ph);
  }
  let peak = 0;
  for (let i = 0; i < TABLE; i++) peak = Math.max(peak, Math.abs(t[i]));
  if (peak > 0) for (let i = 0; i < TABLE; i++) t[i] /= peak;
  return t;
}

/** `events` played by one random make-up of `family`, `duration` seconds, peak about 0.9. */
export function synthesizeFamily(d: Dice, family: SynthFamily, events: readonly NoteEvent[], duration: number): Float32Array {
  const m = family === 'organ' ? organ(d) : family === 'ensemble' ? ensemble(d) : pad(d);
  const out = new Float32Array(Math.ceil(duration * SAMPLE_RATE));
  const tables = new Map<number, Float32Array>();
  for (const e of events) {
    const f0 = midiHz(e.midi);
    let table = tables.get(e.midi);
    if (table === undefined) tables.set(e.midi, (table = wavetable(d, m.partials(f0))));
    const i0 = Math.round(e.time * SAMPLE_RATE);
    const len = Math.min(out.length - i0, Math.round((e.duration + m.release * 4) * SAMPLE_RATE));
    const a = (0.1 * e.velocity) / Math.sqrt(m.voices.length);
    for (const v of m.voices) {
      let phase = d.range(0, 1);
      const step = (m.base * f0 * v.detune) / SAMPLE_RATE;
      for (let i = 0; i < len; i++) {
        const t = i / SAMPLE_RATE;
        let env = Math.min(1, t / m.attack);
        if (t > e.duration) env *= Math.exp(-(t - e.duration) / m.release);
        if (m.tremolo.depth > 0) env *= 1 - m.tremolo.depth * (0.5 + 0.5 * Math.sin(2 * Math.PI * m.tremolo.rate * t + v.phase));
        const x = phase * TABLE;
        const j = Math.floor(x);
        const f = x - j;
        out[i0 + i] += a * env * (table[j & (TABLE - 1)] * (1 - f) + table[(j + 1) & (TABLE - 1)] * f);
        phase += step * (1 + v.depth * Math.sin(2 * Math.PI * v.rate * t + v.phase));
        phase -= Math.floor(phase);
      }
    }
    const p = m.percussion;
    if (p !== null) {
      const w = (2 * Math.PI * p.ratio * f0) / SAMPLE_RATE;
      for (let i = 0; i < len; i++) out[i0 + i] += a * p.level * Math.exp(-i / SAMPLE_RATE / p.decay) * Math.sin(w * i);
    }
  }
  let peak = 0;
  for (let i = 0; i < out.length; i++) peak = Math.max(peak, Math.abs(out[i]));
  if (peak > 0.9) for (let i = 0; i < out.length; i++) out[i] *= 0.9 / peak;
  return out;
}
