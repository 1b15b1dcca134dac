import type { Features } from '../analysis/Features.js';

const NOTE_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'] as const;
const BLOCKS = ' ▁▂▃▄▅▆▇█';

/** Latched per-input display state: onsets and beats stay lit for a moment so they are visible. */
export interface MeterRow {
  name: string;
  levelDb: number;
  chroma: Float32Array;
  bpm: number;
  confidence: number;
  onsetUntil: number;
  beatUntil: number;
  onsets: number;
}

export function createMeterRow(name: string): MeterRow {
  return { name, levelDb: -120, chroma: new Float32Array(12), bpm: 0, confidence: 0, onsetUntil: -1, beatUntil: -1, onsets: 0 };
}

/** Folds one hop into the row (peak-hold on level, latch on onset/beat for 80 ms). */
export function updateMeterRow(row: MeterRow, f: Features): void {
  const db = 20 * Math.log10(f.rms + 1e-12);
  row.levelDb = Math.max(db, row.levelDb - 0.15);
  row.chroma.set(f.chroma);
  row.bpm = f.bpm;
  row.confidence = f.beatConfidence;
  if (f.onset) {
    row.onsetUntil = f.t + 0.08;
    row.onsets++;
  }
  if (f.beat) row.beatUntil = f.t + 0.08;
}

/** One terminal line: level bar, onset lamp, 12 pitch-class bars, BPM and beat lamp. */
export function renderMeterRow(row: MeterRow, t: number, color: boolean): string {
  const width = 24;
  const fill = Math.max(0, Math.min(width, Math.round(((row.levelDb + 60) / 60) * width)));
  const bar = '█'.repeat(fill) + '·'.repeat(width - fill);
  const lamp = (on: boolean, sym: string) => (on ? (color ? `\x1b[1;33m${sym}\x1b[0m` : sym) : ' ');
  let chroma = '';
  let best = 0;
  for (let i = 0; i < 12; i++) {
    const v = row.chroma[i];
    if (v > row.chroma[best]) best = i;
    chroma += BLOCKS[Math.max(0, Math.min(8, Math.round(v * 8)))];
  }
  const key = row.chroma[best] > 0 ? NOTE_NAMES[best].padEnd(2) : '--';
  const bpm = row.bpm > 0 ? row.bpm.toFixed(1).padStart(5) : '  ---';
  return `${row.name.padEnd(8).slice(0, 8)} ${bar} ${row.levelDb.toFixed(0).padStart(4)} dB ` +
    `onset ${lamp(t <= row.onsetUntil, '●')}  C${chroma}B ${key}  ${bpm} BPM ${lamp(t <= row.beatUntil, '♪')} ` +
    `(${Math.round(row.confidence * 100)}%)`;
}
