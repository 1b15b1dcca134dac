/**
 * A model-selection set for the learned chroma that is neither half of the chord set nor its
 * training data: the 60 chords (12 roots × maj, min, 7, m7, maj7, random voicings, C2–B5) on 16 GM
 * programs that no chord, bass or lead list uses and that scripts/train_chroma.py never sees, and
 * 8 songs (chordSet.ts's composer, seeds of their own) comping on those programs under basses and
 * leads that nothing else uses either.
 * The tune half's timbres are in the training data, so it cannot tell whether a change helps on
 * timbres the net has not heard; this set can, without looking at the report half.
 *
 *   node --import tsx bench/eval/unseen.ts ['{"chroma":{"learned":false}}' …]
 *
 * Prints, per configuration (AnalysisOverrides; none = the defaults), each program's chord-template
 * accuracy of `chroma` (frames from 250 ms after each change) and the mean of `chroma` and of the
 * chord estimate, then the same means over the songs' frames. Renders into .cache/unseen on first
 * use (fluidsynth, about a minute).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAnalyzer, feed, type AnalysisOverrides } from '../../engine/analysis/analyzer.js';
import { BASSES, CHORD_TIMBRES, chordScore, chordSequence, composeSong, LEADS, type ChordSegment } from './chordSet.js';
import { MIX_SONG_PROGRAMS, TRAIN_PROGRAMS, TRAIN_SONG_PROGRAMS } from './chromaTrain.js';
import { defaultJobs, mapPool } from './proc.js';
import { readMono, renderMidi, SAMPLE_RATE, writeMidi } from './render.js';
import { scoreChroma, type ChromaFrame, type ChromaScore } from './score.js';

/** Soundtrack, Atmosphere, Brightness, Echoes, Cello, Muted Trumpet, English Horn, Pan Flute, Dulcimer, Banjo, Koto, Fiddle, Xylophone, Tuba, Baritone Sax, Chiff Lead. */
export const UNSEEN_PROGRAMS = [97, 99, 100, 102, 42, 59, 69, 75, 15, 105, 107, 110, 13, 58, 67, 83] as const;

/** The unseen songs' basses (Contrabass, Bassoon) and leads (Viola, Piccolo, Whistle, Ocarina). */
export const UNSEEN_SONG_PROGRAMS = { chord: UNSEEN_PROGRAMS, bass: [43, 70], lead: [41, 72, 78, 79] } as const;
const UNSEEN_SONGS = 8;
/** Song seeds: composeSong's tune namespace from here on (the tune half uses 0–7, the training songs 1000+ and 2000+). */
const SONG_SEED = 5000;

export interface UnseenScores {
  programs: { program: number; chroma: number; estimate: number }[];
  /** Chroma and estimate accuracy over all the songs' scored frames. */
  songs: { chroma: number; estimate: number };
}

export async function scoreUnseen(overrides: AnalysisOverrides, dir = '.cache/unseen'): Promise<UnseenScores> {
  const used = new Set<number>([...TRAIN_PROGRAMS, ...TRAIN_SONG_PROGRAMS.bass, ...TRAIN_SONG_PROGRAMS.lead, ...MIX_SONG_PROGRAMS.bass, ...MIX_SONG_PROGRAMS.lead, ...CHORD_TIMBRES.tune.map((t) => t.program), ...CHORD_TIMBRES.report.map((t) => t.program), ...BASSES.tune, ...BASSES.report, ...LEADS.tune, ...LEADS.report]);
  for (const p of [...UNSEEN_PROGRAMS, ...UNSEEN_SONG_PROGRAMS.bass, ...UNSEEN_SONG_PROGRAMS.lead]) if (used.has(p)) throw new Error(`unseen: program ${p} is used elsewhere`);
  await mkdir(resolve(dir), { recursive: true });
  /** Renders (once) and scores one file. */
  const score = async (name: string, build: () => { score: Parameters<typeof writeMidi>[0]; chords: ChordSegment[] }): Promise<ChromaScore> => {
    const { score: midi, chords } = build();
    const wav = join(dir, `${name}.wav`);
    if (!existsSync(wav)) {
      const mid = join(dir, `${name}.mid`);
      await writeMidi(midi, mid);
      await renderMidi(mid, wav, midi.duration);
    }
    const a = createAnalyzer(SAMPLE_RATE, overrides);
    const frames: ChromaFrame[] = [];
    feed(a, await readMono(wav), (f) => { frames.push({ t: f.t, chroma: Float32Array.from(f.chroma), chord: f.chord ? { ...f.chord } : null }); });
    return scoreChroma(frames, chords);
  };
  const programs = await mapPool([...UNSEEN_PROGRAMS], defaultJobs(), async (program) => {
    const s = await score(`program-${program}`, () => {
      const chords = chordSequence('tune', program, false);
      return { score: chordScore(program, chords), chords };
    });
    return { program, chroma: s.correct / s.frames, estimate: s.estimateCorrect / s.frames };
  });
  const songs = await mapPool(Array.from({ length: UNSEEN_SONGS }, (_, i) => SONG_SEED + i), defaultJobs(), (seed) =>
    score(`song-${seed}`, () => composeSong('tune', seed, UNSEEN_SONG_PROGRAMS)));
  const total = (k: 'correct' | 'estimateCorrect'): number => songs.reduce((s, r) => s + r[k], 0) / songs.reduce((s, r) => s + r.frames, 0);
  return { programs, songs: { chroma: total('correct'), estimate: total('estimateCorrect') } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const configs = process.argv.slice(2).map((s) => JSON.parse(s) as AnalysisOverrides);
  for (const cfg of configs.length ? configs : [{}]) {
    const { programs: rows, songs } = await scoreUnseen(cfg);
    const mean = (k: 'chroma' | 'estimate'): string => (rows.reduce((s, r) => s + r[k], 0) / rows.length).toFixed(3);
    console.log(JSON.stringify(cfg));
    console.log(`  ${rows.map((r) => `${r.program}: ${r.chroma.toFixed(2)}`).join(' | ')}`);
    console.log(`  mean chroma ${mean('chroma')}, estimate ${mean('estimate')}; songs chroma ${songs.chroma.toFixed(3)}, estimate ${songs.estimate.toFixed(3)}`);
  }
}
