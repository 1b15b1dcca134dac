/**
 * A plain offline STFT chroma (8192-point Hann frames, hop 2048, magnitudes of 55 Hz–5 kHz
 * folded to the nearest pitch class). It is the textbook baseline that shows the chord set's
 * ground truth is consistent, and a floor for the analyzer's chroma to beat.
 */
import { createRealFft } from '../../engine/analysis/realFft.js';
import type { ChromaDetector } from './detectors.js';
import { SAMPLE_RATE, readMono } from './render.js';
import type { ChromaFrame } from './score.js';

const N = 8192;
const HOP = 2048;

export const referenceChroma: ChromaDetector = async (wav) => {
  const x = await readMono(wav);
  const fft = createRealFft(N);
  const window = new Float64Array(N);
  for (let i = 0; i < N; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N);
  const pcOfBin = new Int8Array(N / 2).fill(-1);
  for (let k = 1; k < N / 2; k++) {
    const f = (k * SAMPLE_RATE) / N;
    if (f >= 55 && f <= 5000) pcOfBin[k] = ((Math.round(69 + 12 * Math.log2(f / 440)) % 12) + 12) % 12;
  }
  const frame = fft.input;
  const out: ChromaFrame[] = [];
  for (let start = 0; start + N <= x.length; start += HOP) {
    for (let i = 0; i < N; i++) frame[i] = x[start + i] * window[i];
    fft.transform(1);
    const chroma = new Array<number>(12).fill(0);
    for (let k = 1; k < N / 2; k++) {
      const pc = pcOfBin[k];
      if (pc >= 0) chroma[pc] += fft.magnitude[k];
    }
    const max = Math.max(...chroma);
    out.push({ t: (start + N) / SAMPLE_RATE, chroma: max > 0 ? chroma.map((c) => c / max) : chroma });
  }
  return out;
};
