/**
 * Score → MIDI → audio: writes Standard MIDI Files with @tonejs/midi, renders them with
 * fluidsynth, and makes the degraded variants (noise in TypeScript, reverb with sox).
 */
import pkg from '@tonejs/midi';
import { writeFile, rm } from 'node:fs/promises';
import type { Seconds } from '../../engine/units.js';
import { runTool } from './proc.js';
import { rng } from './prng.js';

const { Midi } = pkg;

/** The General MIDI SoundFont of Debian's fluid-soundfont-gm. */
export const SF2 = process.env.EVAL_SF2 ?? '/usr/share/sounds/sf2/FluidR3_GM.sf2';
/** Sample rate of every file in the set. */
export const SAMPLE_RATE = 48000;

/** Frequency of MIDI note `midi` (A4 = 69 = 440 Hz). */
export function midiHz(midi: number): number {
  return 440 * Math.pow(2, (midi - 69) / 12);
}

/** One note of a score. `velocity` is in (0, 1]. */
export interface NoteEvent {
  time: Seconds;
  midi: number;
  duration: Seconds;
  velocity: number;
}

/** One instrument: a MIDI channel with one GM program (a drum kit number on channel 9). */
export interface Part {
  channel: number;
  program: number;
  notes: NoteEvent[];
}

/** What a composer returns: parts plus the clip length (music plus a tail). */
export interface Score {
  bpm: number;
  duration: Seconds;
  parts: Part[];
}

/** A note as read back from the written MIDI file (times quantised to its ticks). */
export interface RenderedNote {
  time: Seconds;
  midi: number;
  duration: Seconds;
  velocity: number;
  channel: number;
  program: number;
}

/** GM percussion channel (MIDI channel 10). */
export const DRUM_CHANNEL = 9;

/**
 * Writes `score` as a Standard MIDI File (tempo = score.bpm, 480 ppq) and returns the notes as
 * the file holds them, which is the ground truth: note times rounded to ticks.
 */
export async function writeMidi(score: Score, path: string): Promise<RenderedNote[]> {
  const midi = new Midi();
  midi.header.setTempo(score.bpm);
  for (const part of score.parts) {
    const track = midi.addTrack();
    track.channel = part.channel;
    track.instrument.number = part.program;
    const notes = [...part.notes].sort((a, b) => a.time - b.time);
    for (const n of notes) {
      track.addNote({ midi: n.midi, time: n.time, duration: n.duration, velocity: Math.min(1, Math.max(0.05, n.velocity)) });
    }
  }
  const bytes = midi.toArray();
  await writeFile(path, bytes);
  const back = new Midi(bytes);
  const out: RenderedNote[] = [];
  for (const track of back.tracks) {
    for (const n of track.notes) {
      out.push({ time: n.time, midi: n.midi, duration: n.duration, velocity: n.velocity, channel: track.channel, program: track.instrument.number });
    }
  }
  return out.sort((a, b) => a.time - b.time || a.channel - b.channel);
}

/**
 * Renders a MIDI file with fluidsynth (its own reverb and chorus off, 32-bit float so loud mixes
 * cannot clip), then mixes to mono, trims to `duration` and normalises to −1 dBFS, 16-bit.
 * @remarks The built-in reverb is off so the clean variant is dry; the reverb variant is sox's.
 */
export async function renderMidi(midPath: string, wavPath: string, duration: Seconds, gain = 0.5, soundfont = SF2): Promise<void> {
  const tmp = `${wavPath}.fs.wav`;
  await runTool('fluidsynth', [
    '-q', '-ni', '-R', '0', '-C', '0', '-g', String(gain), '-r', String(SAMPLE_RATE),
    '-O', 'float', '-T', 'wav', '-F', tmp, soundfont, midPath,
  ]);
  await runTool('sox', ['-R', '-V1', tmp, '-b', '16', wavPath, 'remix', '-', 'trim', '0', duration.toFixed(3), 'gain', '-n', '-1']);
  await rm(tmp, { force: true });
}

/** Reads a WAV file as mono float samples (channels averaged) at the set's rate. */
export async function readMono(wavPath: string): Promise<Float32Array> {
  const { stdout } = await runTool('sox', ['-V1', wavPath, '-t', 'f32', '-c', '1', '-r', String(SAMPLE_RATE), '-']);
  const copy = new Uint8Array(stdout.byteLength);
  copy.set(stdout);
  return new Float32Array(copy.buffer);
}

/** Writes mono float samples as a 16-bit WAV normalised to −1 dBFS peak. */
export async function writeMono(samples: Float32Array, wavPath: string): Promise<void> {
  const input = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  await runTool('sox', ['-R', '-V1', '-t', 'f32', '-r', String(SAMPLE_RATE), '-c', '1', '-', '-b', '16', wavPath, 'gain', '-n', '-1'], { input });
}

/** Noise colours the set uses. */
export type NoiseColor = 'white' | 'pink';

/**
 * Adds seeded noise at `snrDb` below the signal's mean power over the whole clip.
 * Pink noise is white noise through Paul Kellet's economy filter (−3 dB/octave within ±0.5 dB).
 */
export function addNoise(x: Float32Array, snrDb: number, color: NoiseColor, seed: number): Float32Array {
  const rand = rng(seed);
  const noise = new Float32Array(x.length);
  let b0 = 0, b1 = 0, b2 = 0;
  for (let i = 0; i < x.length; i++) {
    const w = rand() * 2 - 1;
    if (color === 'white') noise[i] = w;
    else {
      b0 = 0.99765 * b0 + w * 0.099046;
      b1 = 0.963 * b1 + w * 0.2965164;
      b2 = 0.57 * b2 + w * 1.0526913;
      noise[i] = b0 + b1 + b2 + w * 0.1848;
    }
  }
  let ps = 0, pn = 0;
  for (let i = 0; i < x.length; i++) { ps += x[i] * x[i]; pn += noise[i] * noise[i]; }
  const scale = Math.sqrt(ps / Math.max(pn, 1e-20) / 10 ** (snrDb / 10));
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] + scale * noise[i];
  return y;
}

/** sox's freeverb at `reverberance` percent (dry path kept, no pre-delay: onsets do not move). */
export async function addReverb(inPath: string, outPath: string, reverberance: number): Promise<void> {
  await runTool('sox', ['-R', '-V1', inPath, '-b', '16', outPath, 'reverb', String(reverberance), 'gain', '-n', '-1']);
}
