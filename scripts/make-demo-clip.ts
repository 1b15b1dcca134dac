/**
 * Makes the bundled demo clip, engine/audio/demo-clip.wav: the audio `vj analyze --input default`
 * plays when there is no audio input device (DEMO_CLIP in engine/audio/openInput.ts).
 *
 * A 20 s full mix composed here, in code, and written as MIDI with @tonejs/midi: 120 BPM, 4/4,
 * the progression C – Am – F – G (one chord per bar, so the chroma meter changes every 2 s),
 * drums on MIDI channel 10 (GM standard kit), a finger-bass line, electric-piano chords and a
 * square-wave lead from bar 3. fluidsynth renders it with the Debian GM SoundFont (FluidR3_GM),
 * sox mixes it to mono, 16-bit, 44.1 kHz, trims it to 20 s with a 1.5 s fade-out and normalises
 * the peak to −1 dBFS (about 1.7 MB).
 *
 * Nothing is random and sox runs in repeatable mode (`-R`), so the same tools give the same file.
 *
 *   node --import tsx scripts/make-demo-clip.ts [OUT.wav]
 *
 * Needs: fluidsynth, sox, /usr/share/sounds/sf2/FluidR3_GM.sf2 (apt: fluidsynth sox
 * fluid-soundfont-gm; or set EVAL_SF2 to another GM SoundFont).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from '../bench/eval/proc.js';
import { DRUM_CHANNEL, SF2, writeMidi, type NoteEvent, type Part, type Score } from '../bench/eval/render.js';

const OUT = process.argv[2] ?? fileURLToPath(new URL('../engine/audio/demo-clip.wav', import.meta.url));

const BPM = 120;
const BEAT = 60 / BPM;
const BAR = 4 * BEAT;
/** Length of the clip; the music runs one bar longer so the fade-out is not into silence. */
const SECONDS = 20;
const FADE_SECONDS = 1.5;
const BARS = Math.ceil(SECONDS / BAR) + 1;
const SAMPLE_RATE = 44100;

/** GM programs (0-based). */
const PROGRAM = { standardKit: 0, electricPiano: 4, fingerBass: 33, squareLead: 80 } as const;
/** GM drum keys. */
const DRUM = { kick: 36, snare: 38, hatClosed: 42, hatPedal: 44, hatOpen: 46, crash: 49, tomHi: 50, tomMid: 47, tomLo: 45 } as const;

interface Chord {
  name: string;
  /** Bass root (MIDI note, octave 2). */
  root: number;
  /** Fifth above the root, for the bass line. */
  fifth: number;
  /** Piano voicing around middle C, voice-led from chord to chord. */
  voicing: number[];
  /** Lead phrase: [beat in bar, MIDI note, length in beats]. */
  melody: [number, number, number][];
}

/** C – Am – F – G, C major. */
const PROGRESSION: Chord[] = [
  {
    name: 'C', root: 36, fifth: 43, voicing: [48, 60, 64, 67],
    melody: [[0, 76, 1], [1, 79, 0.5], [1.5, 76, 0.5], [2, 74, 1], [3, 72, 1]],
  },
  {
    name: 'Am', root: 45, fifth: 52, voicing: [45, 60, 64, 69],
    melody: [[0, 72, 1.5], [1.5, 76, 0.5], [2, 81, 1.5], [3.5, 79, 0.5]],
  },
  {
    name: 'F', root: 41, fifth: 48, voicing: [41, 60, 65, 69],
    melody: [[0, 81, 1], [1, 79, 0.5], [1.5, 77, 0.5], [2, 81, 1], [3, 84, 1]],
  },
  {
    name: 'G', root: 43, fifth: 50, voicing: [43, 59, 62, 67],
    melody: [[0, 83, 1.5], [1.5, 81, 0.5], [2, 79, 1], [3, 74, 0.5], [3.5, 71, 0.5]],
  },
];

const note = (time: number, midi: number, duration: number, velocity: number): NoteEvent => ({ time, midi, duration, velocity });

function drums(): Part {
  const notes: NoteEvent[] = [];
  for (let bar = 0; bar < BARS; bar++) {
    const t0 = bar * BAR;
    const fill = bar % 4 === 3;
    if (bar % 4 === 0) notes.push(note(t0, DRUM.crash, 0.5, 0.9));
    // Eighth-note hats (open on the "and" of 4 every other bar), accents on the beat.
    for (let e = 0; e < 8; e++) {
      if (fill && e >= 6) continue;
      if (e === 0 && bar % 4 === 0) continue;
      const open = e === 7 && bar % 2 === 1;
      notes.push(note(t0 + e * (BEAT / 2), open ? DRUM.hatOpen : DRUM.hatClosed, 0.1, e % 2 === 0 ? 0.75 : 0.5));
    }
    // Kick on 1 and 3, plus the "and" of 2 and of 3 (alternating bars); snare on 2 and 4.
    for (const b of [0, 2, bar % 2 === 0 ? 1.5 : 2.5]) notes.push(note(t0 + b * BEAT, DRUM.kick, 0.1, b % 1 === 0 ? 0.95 : 0.75));
    notes.push(note(t0 + BEAT, DRUM.snare, 0.1, 0.9));
    if (!fill) notes.push(note(t0 + 3 * BEAT, DRUM.snare, 0.1, 0.9));
    else {
      // Beat 4 of every fourth bar: a sixteenth-note tom fill into the next phrase.
      const toms = [DRUM.snare, DRUM.tomHi, DRUM.tomMid, DRUM.tomLo];
      toms.forEach((k, i) => notes.push(note(t0 + 3 * BEAT + (i * BEAT) / 4, k, 0.1, 0.7 + 0.08 * i)));
    }
  }
  return { channel: DRUM_CHANNEL, program: PROGRAM.standardKit, notes };
}

function bass(): Part {
  const notes: NoteEvent[] = [];
  for (let bar = 0; bar < BARS; bar++) {
    const c = PROGRESSION[bar % PROGRESSION.length];
    const t0 = bar * BAR;
    // Root, root, fifth, octave, root: a driving pop line locked to the kick.
    const line: [number, number, number][] = [
      [0, c.root, 1], [1.5, c.root, 0.5], [2, c.fifth, 0.5], [2.5, c.root + 12, 0.5], [3, c.fifth, 0.5], [3.5, c.root, 0.5],
    ];
    for (const [b, m, len] of line) notes.push(note(t0 + b * BEAT, m, len * BEAT * 0.9, b % 1 === 0 ? 0.9 : 0.75));
  }
  return { channel: 1, program: PROGRAM.fingerBass, notes };
}

function chords(): Part {
  const notes: NoteEvent[] = [];
  for (let bar = 0; bar < BARS; bar++) {
    const c = PROGRESSION[bar % PROGRESSION.length];
    const t0 = bar * BAR;
    // Comping: a long chord on 1, pushes on the "and" of 2 and on 4.
    for (const [b, len, vel] of [[0, 1.5, 0.7], [1.5, 1, 0.55], [3, 1, 0.6]] as const) {
      for (const m of c.voicing) notes.push(note(t0 + b * BEAT, m, len * BEAT * 0.95, vel));
    }
  }
  return { channel: 2, program: PROGRAM.electricPiano, notes };
}

function lead(): Part {
  const notes: NoteEvent[] = [];
  for (let bar = 2; bar < BARS; bar++) {
    const c = PROGRESSION[bar % PROGRESSION.length];
    for (const [b, m, len] of c.melody) notes.push(note(bar * BAR + b * BEAT, m, len * BEAT * 0.9, b % 1 === 0 ? 0.6 : 0.5));
  }
  return { channel: 3, program: PROGRAM.squareLead, notes };
}

export function composeDemo(): Score {
  return { bpm: BPM, duration: SECONDS, parts: [drums(), bass(), chords(), lead()] };
}

async function main(): Promise<void> {
  if (!existsSync(SF2)) throw new Error(`GM SoundFont not found: ${SF2} (apt-get install fluid-soundfont-gm, or set EVAL_SF2)`);
  const dir = await mkdtemp(join(tmpdir(), 'vj-demo-clip-'));
  try {
    const mid = join(dir, 'demo.mid');
    const raw = join(dir, 'demo-fluidsynth.wav');
    const notes = await writeMidi(composeDemo(), mid);
    // fluidsynth's own reverb and chorus stay on (a demo, not a test signal); 32-bit float
    // output so the full mix cannot clip before sox normalises it.
    await runTool('fluidsynth', ['-q', '-ni', '-F', raw, '-T', 'wav', '-O', 'float', '-r', String(SAMPLE_RATE), '-g', '0.6', SF2, mid]);
    await runTool('sox', [
      '-R', '-V1', raw, '-b', '16', '-c', '1', '-r', String(SAMPLE_RATE), OUT,
      'remix', '-', 'trim', '0', String(SECONDS), 'fade', 't', '0', String(SECONDS), String(FADE_SECONDS), 'gain', '-n', '-1',
    ]);
    const { stdout } = await runTool('soxi', ['-D', OUT]);
    const size = (await stat(OUT)).size;
    console.log(`${OUT}: ${notes.length} notes, ${Number(stdout.toString()).toFixed(3)} s, ${SAMPLE_RATE} Hz mono 16-bit, ${size} bytes`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
