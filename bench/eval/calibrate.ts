/**
 * Measures when fluidsynth's output actually starts for each sound the set uses: the delay from
 * a note's MIDI time to its first audible sample (the synth's block latency plus the sample's own
 * leading silence), and its attack (rise to −20 dB and −6 dB of the note's peak).
 *
 * @remarks The ground-truth onset of a note is its MIDI time plus this delay, so a detector is not
 * charged for silence the SoundFont puts before a sample. Measured per drum key and kit, and per
 * program in octave buckets, on isolated notes at velocity 0.8.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Seconds } from '../../engine/units.js';
import { mapPool } from './proc.js';
import { DRUM_CHANNEL, SAMPLE_RATE, readMono, renderMidi, writeMidi } from './render.js';
import type { Part, RenderedNote } from './render.js';

/** Timing of one sound. */
export interface SoundTiming {
  /** MIDI time → first sample above −40 dB of the note's peak. */
  delay: Seconds;
  /** MIDI time → first sample above −20 dB of the peak. */
  rise20: Seconds;
  /** MIDI time → first sample above −6 dB of the peak. */
  rise6: Seconds;
}

export type CalibrationTable = Record<string, SoundTiming>;

const BUCKETS = [24, 36, 48, 60, 72, 84, 96, 108];
const SPACING = 3;
const CAL_VELOCITY = 0.8;

/** The calibration key of a note: `d<kit>:<key>` for drums, `p<program>:<octave bucket>` else. */
export function soundKey(n: Pick<RenderedNote, 'channel' | 'program' | 'midi'>): string {
  if (n.channel === DRUM_CHANNEL) return `d${n.program}:${n.midi}`;
  let best = BUCKETS[0];
  for (const b of BUCKETS) if (Math.abs(b - n.midi) < Math.abs(best - n.midi)) best = b;
  return `p${n.program}:${best}`;
}

function parseKey(key: string): { drum: boolean; program: number; midi: number } {
  const [a, b] = key.slice(1).split(':');
  return { drum: key[0] === 'd', program: Number(a), midi: Number(b) };
}

/** Renders one batch of isolated notes and measures each. */
async function measureBatch(keys: string[], dir: string, tag: string): Promise<CalibrationTable> {
  const parts = new Map<string, Part>();
  let channel = 0;
  const slots: { key: string; ch: number; prog: number }[] = [];
  for (const key of keys) {
    const { drum, program } = parseKey(key);
    const id = `${drum ? 'd' : 'p'}${program}`;
    if (!parts.has(id)) {
      const ch = drum ? DRUM_CHANNEL : channel === DRUM_CHANNEL ? ++channel : channel;
      if (!drum) channel++;
      parts.set(id, { channel: ch, program, notes: [] });
    }
    slots.push({ key, ch: parts.get(id)!.channel, prog: program });
  }
  slots.forEach((s, i) => {
    const { drum, program, midi } = parseKey(s.key);
    parts.get(`${drum ? 'd' : 'p'}${program}`)!.notes.push({ time: 1 + i * SPACING, midi, duration: drum ? 0.3 : 0.5, velocity: CAL_VELOCITY });
  });
  const mid = join(dir, `cal-${tag}.mid`);
  const wav = join(dir, `cal-${tag}.wav`);
  const notes = await writeMidi({ bpm: 120, duration: 1 + slots.length * SPACING, parts: [...parts.values()] }, mid);
  await renderMidi(mid, wav, 1 + slots.length * SPACING);
  const x = await readMono(wav);
  await Promise.all([rm(mid), rm(wav)]);
  const table: CalibrationTable = {};
  for (const n of notes) {
    const t0 = Math.round(n.time * SAMPLE_RATE);
    let pre = 0;
    for (let i = Math.max(0, t0 - 2400); i < t0; i++) pre = Math.max(pre, Math.abs(x[i]));
    let peak = 0;
    const end = Math.min(x.length, t0 + 2 * SAMPLE_RATE);
    for (let i = t0; i < end; i++) peak = Math.max(peak, Math.abs(x[i]));
    const first = (level: number): Seconds => {
      const thr = Math.max(level, 4 * pre);
      for (let i = t0; i < end; i++) if (Math.abs(x[i]) > thr) return i / SAMPLE_RATE - n.time;
      return NaN;
    };
    table[soundKey(n)] = { delay: first(peak * 0.01), rise20: first(peak * 0.1), rise6: first(peak * 0.5) };
  }
  return table;
}

/**
 * Returns timings for every key in `keys`, measuring those the cache file lacks.
 * @param version invalidates the cache when the generator changes.
 */
export async function calibrate(keys: Iterable<string>, dir: string, version: string, jobs: number): Promise<CalibrationTable> {
  const file = join(dir, 'calibration.json');
  let table: CalibrationTable = {};
  if (existsSync(file)) {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { version: string; table: CalibrationTable };
    if (saved.version === version) table = saved.table;
  }
  const missing = [...new Set(keys)].filter((k) => !(k in table)).sort();
  if (missing.length === 0) return table;
  // At most 14 melodic programs (channels 0–15 minus the drum channel) and one kit per batch.
  const batches: string[][] = [];
  let cur: string[] = [];
  let progs = new Set<string>();
  let kit = '';
  for (const k of missing) {
    const id = k.split(':')[0];
    const full = k[0] === 'p' ? !progs.has(id) && progs.size >= 14 : kit !== '' && kit !== id;
    if (cur.length >= 60 || full) {
      batches.push(cur);
      cur = [];
      progs = new Set();
      kit = '';
    }
    cur.push(k);
    if (k[0] === 'p') progs.add(id);
    else kit = id;
  }
  if (cur.length) batches.push(cur);
  const results = await mapPool(batches, jobs, (b, i) => measureBatch(b, dir, String(i)));
  for (const r of results) Object.assign(table, r);
  await writeFile(file, JSON.stringify({ version, table }, null, 1));
  return table;
}
