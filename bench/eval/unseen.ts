/**
 * A model-selection set for the learned chroma that is neither half of the chord set nor its
 * training data: the 60 chords (12 roots × maj, min, 7, m7, maj7, random voicings, C2–B5) on 16 GM
 * programs that no chord, bass or lead list uses and that scripts/train_chroma.py never sees.
 * The tune half's timbres are in the training data, so it cannot tell whether a change helps on
 * timbres the net has not heard; this set can, without looking at the report half.
 *
 *   node --import tsx bench/eval/unseen.ts ['{"chroma":{"learned":false}}' …]
 *
 * Prints, per configuration (AnalysisOverrides; none = the defaults), each program's chord-template
 * accuracy of `chroma` (frames from 250 ms after each change) and the mean of `chroma` and of the
 * chord estimate. Renders into .cache/unseen on first use (fluidsynth, about 20 s).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAnalyzer, feed, type AnalysisOverrides } from '../../engine/analysis/analyzer.js';
import { BASSES, CHORD_TIMBRES, chordScore, chordSequence, LEADS } from './chordSet.js';
import { TRAIN_SONG_PROGRAMS } from './chromaTrain.js';
import { defaultJobs, mapPool } from './proc.js';
import { readMono, renderMidi, SAMPLE_RATE, writeMidi } from './render.js';
import { scoreChroma, type ChromaFrame } from './score.js';

/** Soundtrack, Atmosphere, Brightness, Echoes, Cello, Muted Trumpet, English Horn, Pan Flute, Dulcimer, Banjo, Koto, Fiddle, Xylophone, Tuba, Baritone Sax, Chiff Lead. */
export const UNSEEN_PROGRAMS = [97, 99, 100, 102, 42, 59, 69, 75, 15, 105, 107, 110, 13, 58, 67, 83] as const;

export async function scoreUnseen(overrides: AnalysisOverrides, dir = '.cache/unseen'): Promise<{ program: number; chroma: number; estimate: number }[]> {
  const used = new Set<number>([...TRAIN_SONG_PROGRAMS.chord, ...TRAIN_SONG_PROGRAMS.bass, ...TRAIN_SONG_PROGRAMS.lead, ...CHORD_TIMBRES.tune.map((t) => t.program), ...CHORD_TIMBRES.report.map((t) => t.program), ...BASSES.tune, ...BASSES.report, ...LEADS.tune, ...LEADS.report]);
  for (const p of UNSEEN_PROGRAMS) if (used.has(p)) throw new Error(`unseen: program ${p} is used elsewhere`);
  await mkdir(resolve(dir), { recursive: true });
  return mapPool([...UNSEEN_PROGRAMS], defaultJobs(), async (program) => {
    const segments = chordSequence('tune', program, false);
    const wav = join(dir, `program-${program}.wav`);
    if (!existsSync(wav)) {
      const score = chordScore(program, segments);
      const mid = join(dir, `program-${program}.mid`);
      await writeMidi(score, mid);
      await renderMidi(mid, wav, score.duration);
    }
    const a = createAnalyzer(SAMPLE_RATE, overrides);
    const frames: ChromaFrame[] = [];
    feed(a, await readMono(wav), (f) => { frames.push({ t: f.t, chroma: Float32Array.from(f.chroma), chord: f.chord ? { ...f.chord } : null }); });
    const s = scoreChroma(frames, segments);
    return { program, chroma: s.correct / s.frames, estimate: s.estimateCorrect / s.frames };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const configs = process.argv.slice(2).map((s) => JSON.parse(s) as AnalysisOverrides);
  for (const cfg of configs.length ? configs : [{}]) {
    const rows = await scoreUnseen(cfg);
    const mean = (k: 'chroma' | 'estimate'): string => (rows.reduce((s, r) => s + r[k], 0) / rows.length).toFixed(3);
    console.log(JSON.stringify(cfg));
    console.log(`  ${rows.map((r) => `${r.program}: ${r.chroma.toFixed(2)}`).join(' | ')}`);
    console.log(`  mean chroma ${mean('chroma')}, estimate ${mean('estimate')}`);
  }
}
