import { writeFile } from 'node:fs/promises';
import wavefile from 'wavefile';
import type { Frames, Hz, Seconds } from '../units.js';
import { mulberry32 } from '../random.js';

export { mulberry32 };

/** A click track and the exact time of each click. */
export interface ClickTrack {
  readonly samples: Float32Array;
  /** Frame index of each click's first sample. */
  readonly onsetFrames: readonly Frames[];
  /** `onsetFrames / sampleRate`: exact onset times. */
  readonly onsets: readonly Seconds[];
}

/**
 * A metronome: one short decaying 1 kHz cosine burst per beat, silence between.
 *
 * @remarks The burst starts at its peak (a cosine, not a sine), so the first sample of every
 * click is `amplitude` and a plain threshold finds each onset to the sample. Click `k` starts
 * at frame `round(k * 60 / bpm * sampleRate)`.
 */
export function clickTrack(opts: {
  sampleRate: Hz;
  bpm: number;
  seconds: Seconds;
  /** Length of one click; default 0.01 s. */
  clickSeconds?: Seconds;
  /** Peak of each click; default 0.8. */
  amplitude?: number;
}): ClickTrack {
  const { sampleRate, bpm, seconds } = opts;
  const clickSeconds = opts.clickSeconds ?? 0.01;
  const amplitude = opts.amplitude ?? 0.8;
  if (!(bpm > 0)) throw new Error(`clickTrack: bpm must be positive, got ${bpm}`);
  const total = framesOf(sampleRate, seconds);
  const samples = new Float32Array(total);
  const clickFrames = Math.max(1, Math.round(clickSeconds * sampleRate));
  const tau = clickSeconds / 5;
  const onsetFrames: Frames[] = [];
  for (let k = 0; ; k++) {
    const start = Math.round((k * 60 * sampleRate) / bpm);
    if (start >= total) break;
    onsetFrames.push(start);
    const end = Math.min(total, start + clickFrames);
    for (let i = start; i < end; i++) {
      const t = (i - start) / sampleRate;
      samples[i] = amplitude * Math.cos(2 * Math.PI * 1000 * t) * Math.exp(-t / tau);
    }
  }
  return { samples, onsetFrames, onsets: onsetFrames.map((f) => f / sampleRate) };
}

/** A sine wave `amplitude * sin(2π f t + phase)`. */
export function sine(opts: { sampleRate: Hz; frequency: Hz; seconds: Seconds; amplitude?: number; phase?: number }): Float32Array {
  const out = new Float32Array(framesOf(opts.sampleRate, opts.seconds));
  const a = opts.amplitude ?? 0.5;
  const w = (2 * Math.PI * opts.frequency) / opts.sampleRate;
  const p = opts.phase ?? 0;
  for (let i = 0; i < out.length; i++) out[i] = a * Math.sin(w * i + p);
  return out;
}

/** A chord: the sum of equal sines scaled so the peak stays at or under `amplitude`. */
export function chord(opts: { sampleRate: Hz; frequencies: readonly Hz[]; seconds: Seconds; amplitude?: number }): Float32Array {
  const out = new Float32Array(framesOf(opts.sampleRate, opts.seconds));
  const a = (opts.amplitude ?? 0.5) / Math.max(1, opts.frequencies.length);
  for (const f of opts.frequencies) {
    const w = (2 * Math.PI * f) / opts.sampleRate;
    for (let i = 0; i < out.length; i++) out[i] += a * Math.sin(w * i);
  }
  return out;
}

/**
 * Uniform white noise in [-amplitude, amplitude] from a seeded PRNG (mulberry32): the same
 * seed gives the same samples on every machine.
 */
export function whiteNoise(opts: { sampleRate: Hz; seconds: Seconds; amplitude?: number; seed?: number }): Float32Array {
  const out = new Float32Array(framesOf(opts.sampleRate, opts.seconds));
  const a = opts.amplitude ?? 0.5;
  const rand = mulberry32(opts.seed ?? 1);
  for (let i = 0; i < out.length; i++) out[i] = a * (2 * rand() - 1);
  return out;
}

/** `seconds` of zeros. */
export function silence(sampleRate: Hz, seconds: Seconds): Float32Array {
  return new Float32Array(framesOf(sampleRate, seconds));
}


/** Float sample to a 16-bit integer: `round(x * 32768)`, clamped to [-32768, 32767]. */
export function floatToInt16(x: number): number {
  const v = Math.round(x * 32768);
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v | 0;
}

/**
 * Snaps samples onto the 16-bit grid (`floatToInt16(x) / 32768`), in place, and returns them:
 * such samples survive a 16-bit WAV or a 16-bit device round trip exactly.
 */
export function quantize16(samples: Float32Array): Float32Array {
  for (let i = 0; i < samples.length; i++) samples[i] = floatToInt16(samples[i]) / 32768;
  return samples;
}

/** Interleaves channels into little-endian 16-bit PCM (what `pacat --raw --format=s16le` plays). */
export function interleaveInt16(channels: readonly Float32Array[]): Int16Array {
  const n = channels[0]?.length ?? 0;
  const c = channels.length;
  const out = new Int16Array(n * c);
  for (let ch = 0; ch < c; ch++) {
    const src = channels[ch];
    if (src.length !== n) throw new Error('interleaveInt16: channels differ in length');
    for (let i = 0; i < n; i++) out[i * c + ch] = floatToInt16(src[i]);
  }
  return out;
}

/**
 * Writes a WAV file: 16-bit PCM (samples rounded with {@link floatToInt16}) or 32-bit float.
 */
export async function writeWav(path: string, sampleRate: Hz, channels: readonly Float32Array[], bitDepth: 16 | '32f'): Promise<void> {
  if (channels.length === 0) throw new Error('writeWav: no channels');
  const wav = new wavefile.WaveFile();
  const data = bitDepth === 16 ? channels.map((ch) => Int16Array.from(ch, floatToInt16)) : channels.map((ch) => Float32Array.from(ch));
  wav.fromScratch(channels.length, sampleRate, bitDepth === 16 ? '16' : '32f', data);
  await writeFile(path, wav.toBuffer());
}

function framesOf(sampleRate: Hz, seconds: Seconds): Frames {
  if (!(sampleRate > 0)) throw new Error(`sample rate must be positive, got ${sampleRate}`);
  if (!(seconds >= 0)) throw new Error(`duration must be non-negative, got ${seconds}`);
  return Math.round(seconds * sampleRate);
}
