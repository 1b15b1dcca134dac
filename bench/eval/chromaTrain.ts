/**
 * Training data for the learned chroma (engine/analysis/chromaNet.ts). Nothing of the report half
 * goes in: chords rendered by fluidsynth on GM programs that the report half does not use (from
 * FluidR3, and again from four other soundfonts), songs composed for the tune half with other
 * seeds, additive tones of random harmonic make-up, and procedural organ, choir-like and pad
 * timbres (synthTimbres.ts).
 * Each file runs through the chroma front end; every update's net input is written with the
 * sounding chord's pitch classes as the target, for scripts/train_chroma.py.
 *
 *   node --import tsx bench/eval/chromaTrain.ts [--out .cache/chroma-train] [--scale 1]
 *
 * Writes X.f32 (frames × inputs), Y.u8 (frames × 12, 0/1), clip.i32 (the clip of each frame)
 * and meta.json.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromaStep, createChromaState, defaultChromaParams } from '../../engine/analysis/chroma.js';
import { BASSES, CHORD_TIMBRES, composeSong, LEADS, INTERVALS, voiceChord, VOICINGS, type ChordType } from './chordSet.js';
import { makeVariant, VARIANTS, type Variant } from './generate.js';
import { defaultJobs, mapPool } from './proc.js';
import { dice, hashSeed, type Dice } from './prng.js';
import { addNoise, midiHz, readMono, renderMidi, SAMPLE_RATE, writeMidi, writeMono, type NoteEvent } from './render.js';
import { SYNTH_FAMILIES, synthesizeFamily, type SynthFamily } from './synthTimbres.js';

/** The seed namespace of every clip: changing it re-draws them all. */
const VERSION = 'chroma-train-1';
/** Written to meta.json (and by train_chroma.py into the weights): bump when the material or the features change. */
const MATERIAL = 'chroma-train-6';
const HOP = 256;
/** Frames from this long after a chord starts are used (the scoring skips 250 ms; the previous chord still rings before this). */
const SETTLE = 0.1;

/** A span of the truth: the pitch classes sounding (as chord tones) from `start` to `end`. */
interface Span { start: number; end: number; pcs: number[] }
interface Clip { id: string; make: () => Promise<Float32Array>; spans: Span[] }

/** The programs the report half uses: its chords', basses' and leads'. */
const REPORT_PROGRAMS = new Set([...CHORD_TIMBRES.report.map((t) => t.program), ...BASSES.report, ...LEADS.report]);
const EXTRA_PROGRAMS = [2, 3, 7, 18, 28, 44, 45, 46, 51, 54, 60, 63, 84, 85, 87, 93, 95, 8, 9, 12, 22, 23, 31, 56, 68, 73];
export const TRAIN_PROGRAMS = [...CHORD_TIMBRES.tune.map((t) => t.program), ...EXTRA_PROGRAMS].filter((p) => !REPORT_PROGRAMS.has(p));
/** The programs of the songs composed on other timbres: chords on the training programs, basses and leads the report half does not use. */
export const TRAIN_SONG_PROGRAMS = {
  chord: TRAIN_PROGRAMS,
  bass: [32, 34, 36, 37, 38, 87].filter((p) => !REPORT_PROGRAMS.has(p)),
  lead: [73, 65, 56, 40, 68, 74, 64, 81, 84, 60, 22, 11].filter((p) => !REPORT_PROGRAMS.has(p)),
};

/**
 * The programs of the songs with more varied basses and leads: chords on the training programs
 * again, basses and leads drawn from every GM program that can play the part and that neither
 * half nor bench/eval/unseen.ts uses (unseen.ts checks the latter).
 */
export const MIX_SONG_PROGRAMS = {
  chord: TRAIN_PROGRAMS,
  bass: [32, 34, 36, 37, 38, 87, 1, 16, 60, 61, 25, 28, 44].filter((p) => !REPORT_PROGRAMS.has(p)),
  lead: [1, 2, 3, 5, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 21, 22, 23, 25, 27, 28, 29, 31, 40, 45, 46, 53, 54, 56, 60, 61, 63, 64, 65, 68, 73, 74, 76, 77, 81, 84, 85, 86, 87, 104, 106, 108, 109, 111].filter((p) => !REPORT_PROGRAMS.has(p)),
};

/** Soundfonts besides FluidR3 (Debian: timgm6mb-soundfont, musescore-general-soundfont-small, opl3-soundfont,
 * csound-soundfont). */
const OTHER_SOUNDFONTS: readonly (readonly [string, string])[] = [
  ['tim', '/usr/share/sounds/sf2/TimGM6mb.sf2'],
  ['msg', '/usr/share/sounds/sf3/MuseScore_General.sf3'],
  ['opl', '/usr/share/sounds/sf2/OPL-3_FM_128M.sf2'],
  ['csd', '/usr/share/sounds/sf2/sf_GMbank.sf2'],
];

/** Pitch-class sets beside the scored qualities, so the net also sees what is not one of them. */
const OTHER_SETS: Readonly<Record<string, readonly number[]>> = { dim: [0, 3, 6], sus4: [0, 5, 7], aug: [0, 4, 8], sus2: [0, 2, 7], note: [0], fifth: [0, 7], third: [0, 4], m6: [0, 3, 7, 9] };

/** A chord as the training material plays it: its MIDI notes and the pitch classes its frames are labelled with. */
export interface Chord { notes: number[]; pcs: number[] }

/** The set `iv` on `root`: each tone an octave up at random, a single note doubled an octave up with probability `doubling`. */
function voiceSet(d: Dice, root: number, iv: readonly number[], doubling: number): Chord {
  const notes = iv.map((i) => root + i + (d.chance(0.2) ? 12 : 0));
  if (iv.length === 1 && d.chance(doubling)) notes.push(root + 12);
  return { notes, pcs: iv.map((i) => (root + i) % 12) };
}

/** One of the five scored qualities on MIDI `root`, in a random voicing. */
function scoredChord(d: Dice, root: number): Chord {
  const type = d.pick(Object.keys(INTERVALS)) as ChordType;
  return { notes: voiceChord(root, type, d.pick(VOICINGS)), pcs: INTERVALS[type].map((i) => (root + i) % 12) };
}

/** A random chord: one of the five scored qualities in a random voicing (3 in 4), else one of the other sets. */
export function randomChord(d: Dice): Chord {
  const root = d.int(36, 83);
  if (d.chance(0.75)) return scoredChord(d, root);
  return voiceSet(d, root, OTHER_SETS[d.pick(Object.keys(OTHER_SETS))], 0.5);
}

/** A chord on a root in C5–B5: its top tones reach MIDI 106, where a note has at most two partials below the chroma's 5 kHz. */
export const highChord = (d: Dice): Chord => scoredChord(d, d.int(72, 83));

/** A random pitch-class set other than the five scored qualities (single notes most often). */
export function sparseChord(d: Dice): Chord {
  const root = d.int(36, 83);
  return voiceSet(d, root, OTHER_SETS[d.chance(0.4) ? 'note' : d.pick(Object.keys(OTHER_SETS))], 0.3);
}

/** A sequence of chords held 0.5–2 s, sometimes with a gap, sometimes restruck. */
function chordRun(d: Dice, count: number, pick: (d: Dice) => Chord = randomChord): { events: NoteEvent[]; spans: Span[]; duration: number } {
  const events: NoteEvent[] = [];
  const spans: Span[] = [];
  let t = 0.5;
  for (let i = 0; i < count; i++) {
    const c = pick(d);
    const hold = d.range(0.5, 2);
    const gap = d.chance(0.15) ? d.range(0.05, 0.3) : 0;
    const v = d.range(0.45, 0.95);
    const strikes = d.chance(0.3) ? d.int(2, 4) : 1;
    for (let s = 0; s < strikes; s++) for (const m of c.notes) events.push({ time: t + (s * hold) / strikes, midi: m, duration: Math.max(0.08, hold / strikes - gap - 0.01), velocity: v });
    spans.push({ start: t, end: t + hold, pcs: c.pcs });
    t += hold;
  }
  return { events, spans, duration: t + 1 };
}

/** Additive tones of one random make-up (harmonic decay, odd-only, random partial amplitudes, slight stretch), with an envelope. */
function synthesize(d: Dice, events: NoteEvent[], duration: number): Float32Array {
  const out = new Float32Array(Math.ceil(duration * SAMPLE_RATE));
  const kind = d.int(0, 3);
  const decay = d.range(0.3, 0.97);
  const partials = Array.from({ length: 16 }, (_, h) => {
    const n = h + 1;
    if (kind === 0) return Math.pow(decay, h);
    if (kind === 1) return n % 2 === 1 ? 1 / n : 0.03 / n;
    if (kind === 2) return d.range(0, 1) / Math.sqrt(n);
    return n <= 10 ? 1 : 0;
  });
  const stretch = d.chance(0.5) ? d.range(0, 4e-4) : 0;
  const attack = d.range(0.003, 0.12);
  const release = d.range(0.05, 0.6);
  const sustainDecay = d.chance(0.5) ? d.range(0.2, 3) : 0;
  for (const e of events) {
    const f0 = midiHz(e.midi);
    const i0 = Math.round(e.time * SAMPLE_RATE);
    const len = Math.min(out.length - i0, Math.round((e.duration + release) * SAMPLE_RATE));
    const phases = partials.map(() => d.range(0, 2 * Math.PI));
    for (let h = 0; h < partials.length; h++) {
      const f = f0 * (h + 1) * Math.sqrt(1 + stretch * (h + 1) * (h + 1));
      if (f > 20000 || partials[h] === 0) continue;
      const w = (2 * Math.PI * f) / SAMPLE_RATE;
      const a = 0.1 * e.velocity * partials[h];
      for (let i = 0; i < len; i++) {
        const t = i / SAMPLE_RATE;
        let env = Math.min(1, t / attack);
        if (sustainDecay > 0) env *= Math.exp(-t / sustainDecay);
        if (t > e.duration) env *= Math.exp(-(t - e.duration) / (release / 4));
        out[i0 + i] += a * env * Math.sin(w * i + phases[h]);
      }
    }
  }
  return out;
}

export function plan(dir: string, scale: number): Clip[] {
  const clips: Clip[] = [];
  const rendered = (id: string, build: () => { score: Parameters<typeof writeMidi>[0]; spans: Span[] }, variant: Variant, soundfont?: string): Clip => {
    const { score, spans } = build();
    return {
      id, spans,
      make: async () => {
        const wav = join(dir, `${id}.wav`);
        if (!existsSync(wav)) {
          const mid = join(dir, `${id}.mid`);
          await writeMidi(score, mid);
          const clean = join(dir, `${id}-dry.wav`);
          await renderMidi(mid, clean, score.duration, undefined, soundfont);
          if (variant === 'clean') await writeFile(wav, await readFile(clean));
          else await makeVariant(clean, wav, variant, id);
        }
        return readMono(wav);
      },
    };
  };
  /** A chord run of `count` chords from `pick` on GM `program`. */
  const gmRun = (id: string, program: number, count: number, pick?: (d: Dice) => Chord, soundfont?: string): Clip => {
    const d = dice(hashSeed(`${VERSION}/${id}`));
    const variant = d.pick(VARIANTS);
    return rendered(id, () => {
      const r = chordRun(d, count, pick);
      return { score: { bpm: 100, duration: r.duration, parts: [{ channel: 0, program, notes: r.events }] }, spans: r.spans };
    }, variant, soundfont);
  };
  /** A song composed for the tune half (seed `seed`, on `programs` when given). */
  const song = (id: string, seed: number, programs?: Parameters<typeof composeSong>[2], soundfont?: string): Clip =>
    rendered(id, () => {
      const s = composeSong('tune', seed, programs);
      return { score: s.score, spans: s.chords.map((c) => ({ start: c.start, end: c.end, pcs: INTERVALS[c.type].map((iv) => (c.root + iv) % 12) })) };
    }, dice(hashSeed(`${VERSION}/${id}`)).pick(VARIANTS), soundfont);
  for (const program of TRAIN_PROGRAMS) for (let k = 0; k < 2 * scale; k++) clips.push(gmRun(`gm-${program}-${k}`, program, 40));
  for (let i = 0; i < 24 * scale; i++) clips.push(song(`song-${i}`, 1000 + i));
  for (let i = 0; i < 24 * scale; i++) {
    const id = `synth-${i}`;
    const d = dice(hashSeed(`${VERSION}/${id}`));
    const r = chordRun(d, 40);
    clips.push({ id, spans: r.spans, make: async () => {
      const x = synthesize(d, r.events, r.duration);
      return d.chance(0.5) ? addNoise(x, d.range(15, 40), 'pink', hashSeed(id)) : x;
    } });
  }
  // Songs on other programs: chords on the training programs, basses and leads the report half does not use.
  for (let i = 0; i < 36 * scale; i++) clips.push(song(`song-gm-${i}`, 2000 + i, TRAIN_SONG_PROGRAMS));
  // Single notes, dyads and the other sets alone, so a lone note with strong harmonics reads as one class.
  for (const program of TRAIN_PROGRAMS) clips.push(gmRun(`gm-sparse-${program}`, program, 30, sparseChord));
  for (let i = 0; i < 24 * scale; i++) {
    const id = `synth-sparse-${i}`;
    const d = dice(hashSeed(`${VERSION}/${id}`));
    const r = chordRun(d, 30, sparseChord);
    clips.push({ id, spans: r.spans, make: async () => synthesize(d, r.events, r.duration) });
  }
  // Songs on more varied basses and leads (chroma-train-2); last, so the clips before keep their
  // indices (train_chroma.py holds back every tenth clip).
  for (let i = 0; i < 36 * scale; i++) clips.push(song(`song-mix-${i}`, 3000 + i, MIX_SONG_PROGRAMS));
  // The same programs from other soundfonts (chroma-train-3; csd: chroma-train-4): other recordings of each instrument
  // (and FM synthesis), so the net learns more than one make of each timbre. Last again.
  OTHER_SOUNDFONTS.forEach(([font, path], f) => {
    for (const program of TRAIN_PROGRAMS) clips.push(gmRun(`${font}-gm-${program}`, program, 40, undefined, path));
    for (let i = 0; i < 12 * scale; i++) clips.push(song(`song-${font}-${i}`, 6000 + 100 * f + i, MIX_SONG_PROGRAMS, path));
  });
  // Procedural organ, choir-like and pad make-ups (synthTimbres.ts; chroma-train-5), each clean, noisy or reverberant. Last again.
  const familyRun = (id: string, family: SynthFamily, count: number, pick?: (d: Dice) => Chord): Clip => {
    const d = dice(hashSeed(`${VERSION}/${id}`));
    const variant = d.pick(VARIANTS);
    const r = chordRun(d, count, pick);
    return {
      id, spans: r.spans,
      make: async () => {
        if (variant === 'clean') return synthesizeFamily(d, family, r.events, r.duration);
        const wav = join(dir, `${id}.wav`);
        if (!existsSync(wav)) {
          const dry = join(dir, `${id}-dry.wav`);
          await writeMono(synthesizeFamily(d, family, r.events, r.duration), dry);
          await makeVariant(dry, wav, variant, id);
        }
        return readMono(wav);
      },
    };
  };
  for (const family of SYNTH_FAMILIES) {
    for (let i = 0; i < 12 * scale; i++) clips.push(familyRun(`${family}-${i}`, family, 40));
    for (let i = 0; i < 4 * scale; i++) clips.push(familyRun(`${family}-sparse-${i}`, family, 30, sparseChord));
  }
  // Chords in the top octave of the scored roots (chroma-train-6): the earlier runs' chords never sounded above MIDI 96. Last again.
  for (const program of TRAIN_PROGRAMS) clips.push(gmRun(`gm-high-${program}`, program, 30, highChord));
  return clips;
}

/** Runs the chroma front end over `x`; every non-silent update inside a span (from SETTLE after its start) is a frame. */
function frames(x: Float32Array, spans: readonly Span[], onFrame: (input: Float32Array, pcs: readonly number[]) => void): void {
  const s = createChromaState(SAMPLE_RATE, HOP);
  const params = { ...defaultChromaParams, learned: false }; // the net's input only: no need to run it
  let k = 0;
  for (let i = 0; i + HOP <= x.length; i += HOP) {
    chromaStep(x.subarray(i, i + HOP), s, params);
    if (!s.updated || s.silent) continue;
    const t = (i + HOP) / SAMPLE_RATE;
    while (k < spans.length && t > spans[k].end) k++;
    if (k >= spans.length) break;
    if (t < spans[k].start + SETTLE) continue;
    onFrame(s.netInput.subarray(0, s.logSpec.length + s.notes.length), spans[k].pcs); // the front end; train_chroma.py adds the context
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: '.cache/chroma-train' }, scale: { type: 'string', default: '1' } } });
  const dir = resolve(values.out!);
  const missing = OTHER_SOUNDFONTS.filter(([, path]) => !existsSync(path)).map(([, path]) => path);
  if (missing.length) throw new Error(`chromaTrain: missing ${missing.join(', ')} (apt-get install timgm6mb-soundfont musescore-general-soundfont-small opl3-soundfont csound-soundfont)`);
  await mkdir(dir, { recursive: true });
  const clips = plan(dir, Number(values.scale));
  const xs: Float32Array[] = [];
  const ys: Uint8Array[] = [];
  const owner: number[] = [];
  let inputs = 0;
  const t0 = Date.now();
  const audio = await mapPool(clips, defaultJobs(), async (c) => c.make());
  clips.forEach((c, ci) => {
    frames(audio[ci], c.spans, (input, pcs) => {
      inputs = input.length;
      xs.push(Float32Array.from(input));
      const y = new Uint8Array(12);
      for (const pc of pcs) y[pc] = 1;
      ys.push(y);
      owner.push(ci);
    });
  });
  const probe = createChromaState(SAMPLE_RATE, HOP);
  const X = new Float32Array(xs.length * inputs);
  xs.forEach((x, i) => X.set(x, i * inputs));
  const Y = new Uint8Array(ys.length * 12);
  ys.forEach((y, i) => Y.set(y, i * 12));
  await writeFile(join(dir, 'X.f32'), X);
  await writeFile(join(dir, 'Y.u8'), Y);
  await writeFile(join(dir, 'clip.i32'), Int32Array.from(owner));
  await writeFile(join(dir, 'meta.json'), JSON.stringify({ version: MATERIAL, frames: xs.length, inputs, bins: probe.logSpec.length, notes: probe.notes.length, clips: clips.map((c) => c.id) }));
  console.log(`chroma-train: ${clips.length} clips, ${xs.length} frames × ${inputs} inputs, ${((Date.now() - t0) / 1000).toFixed(0)} s → ${dir}`);
}
