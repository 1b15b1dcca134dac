/**
 * Tuning harness for the chroma path (not part of the test suite): renders held chords with
 * fluidsynth (FluidR3_GM) for several General MIDI instruments, runs the causal chroma over the
 * audio and reports chord-template accuracy per instrument.
 *
 *   node --import tsx bench/chroma-tune.ts [--rate 48000] [--voicing close|open|inv1]
 *     [--params '{"magnitudeExponent":0.8}'] [--programs 0,24] [--at 1.0] [--dry] [--verbose]
 *
 * Chords: roots C2..B5 (MIDI 36..83) × major, minor, dominant seventh, each held `HOLD` seconds with
 * a gap. Renders are cached under $TMPDIR/chroma-tune. Two scores per instrument: the label at
 * `--at` seconds after the onset (default 1.0), and the fraction of hops from 0.5 s to the release
 * that are labelled right.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import midiPkg from '@tonejs/midi';
import wavefilePkg from 'wavefile';
import { chromaStep, createChromaState, defaultChromaParams, type ChromaParams } from '../engine/analysis/chroma.js';
import { chordIntervals, chordName, classifyChord, type ChordType } from '../engine/analysis/chordTemplates.js';

const { Midi } = midiPkg;
const { WaveFile } = wavefilePkg;

const SF2 = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
const HOLD = 1.6;
const GAP = 0.4;
const TYPES: ChordType[] = ['maj', 'min', '7'];
const PROGRAMS: Record<number, string> = {
  0: 'piano', 4: 'e-piano', 16: 'organ', 19: 'church organ', 24: 'nylon guitar', 25: 'steel guitar',
  48: 'strings', 52: 'choir', 61: 'brass', 89: 'warm pad',
};

const { values: opts } = parseArgs({
  options: {
    rate: { type: 'string', default: '48000' },
    voicing: { type: 'string', default: 'close' },
    params: { type: 'string', default: '{}' },
    programs: { type: 'string', default: Object.keys(PROGRAMS).join(',') },
    at: { type: 'string', default: '1.0' },
    dry: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

interface Chord { root: number; type: ChordType; onset: number; notes: number[] }

function voicing(root: number, type: ChordType, kind: string): number[] {
  const iv = chordIntervals[type].map((i) => root + i);
  if (kind === 'inv1') return [...iv.slice(1), iv[0] + 12];
  if (kind === 'open') return [iv[0], iv[2], iv[1] + 12, ...(iv[3] !== undefined ? [iv[3] + 12] : [])];
  return iv;
}

function chords(kind: string): Chord[] {
  const out: Chord[] = [];
  let t = 0.2;
  for (let root = 36; root <= 83; root++) {
    for (const type of TYPES) {
      out.push({ root, type, onset: t, notes: voicing(root, type, kind) });
      t += HOLD + GAP;
    }
  }
  return out;
}

function render(program: number, rate: number, kind: string, list: Chord[], dry: boolean): Float32Array {
  const dir = join(tmpdir(), 'chroma-tune');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `p${program}-${rate}-${kind}${dry ? '-dry' : ''}`);
  if (!existsSync(`${base}.wav`)) {
    const midi = new Midi();
    const track = midi.addTrack();
    track.instrument.number = program;
    track.channel = 0;
    for (const c of list) for (const n of c.notes) track.addNote({ midi: n, time: c.onset, duration: HOLD, velocity: 0.8 });
    writeFileSync(`${base}.mid`, Buffer.from(midi.toArray()));
    const fx = dry ? ['-R', '0', '-C', '0'] : [];
    execFileSync('fluidsynth', ['-ni', ...fx, '-g', '0.5', '-r', String(rate), '-F', `${base}.wav`, SF2, `${base}.mid`], { stdio: 'ignore' });
  }
  const wav = new WaveFile(readFileSync(`${base}.wav`));
  wav.toBitDepth('32f');
  const samples = wav.getSamples(false, Float64Array) as unknown as Float64Array[] | Float64Array;
  const chans = Array.isArray(samples) ? samples : [samples];
  const mono = new Float32Array(chans[0].length);
  for (const ch of chans) for (let i = 0; i < mono.length; i++) mono[i] += ch[i] / chans.length;
  return mono;
}

function evaluate(audio: Float32Array, rate: number, list: Chord[], params: ChromaParams, at: number, verbose: boolean) {
  const hopFrames = Math.round(0.00533 * rate);
  const state = createChromaState(rate, hopFrames, params);
  const hop = new Float32Array(hopFrames);
  let ci = 0;
  let pointRight = 0;
  let framesRight = 0;
  let frames = 0;
  const confusions = new Map<string, number>();
  let pointDone = false;
  for (let h = 0; (h + 1) * hopFrames <= audio.length && ci < list.length; h++) {
    hop.set(audio.subarray(h * hopFrames, (h + 1) * hopFrames));
    chromaStep(hop, state, params);
    const t = ((h + 1) * hopFrames) / rate;
    const c = list[ci];
    if (t >= c.onset + HOLD) {
      ci++;
      pointDone = false;
      continue;
    }
    if (t < c.onset + 0.5) continue;
    const got = classifyChord(state.chroma);
    const ok = got.root === c.root % 12 && got.type === c.type;
    frames++;
    if (ok) framesRight++;
    if (!pointDone && t >= c.onset + at) {
      pointDone = true;
      if (ok) pointRight++;
      else {
        const key = `${c.type}->${got.type}${got.root === c.root % 12 ? '' : ` (root ${(got.root - c.root + 120) % 12})`}`;
        confusions.set(key, (confusions.get(key) ?? 0) + 1);
        if (verbose) {
          console.log(`  miss ${chordName({ root: c.root % 12, type: c.type })}@${c.root} -> ${chordName(got)} [${Array.from(state.chroma, (v) => v.toFixed(2)).join(' ')}]`);
        }
      }
    }
  }
  return { point: pointRight / list.length, frames: framesRight / Math.max(1, frames), confusions };
}

const rate = Number(opts.rate);
const params: ChromaParams = { ...defaultChromaParams, ...JSON.parse(opts.params) };
const list = chords(opts.voicing);
const programs = opts.programs.split(',').map(Number);
let sumPoint = 0;
let sumFrames = 0;
for (const program of programs) {
  const audio = render(program, rate, opts.voicing, list, opts.dry);
  const r = evaluate(audio, rate, list, params, Number(opts.at), opts.verbose);
  sumPoint += r.point;
  sumFrames += r.frames;
  const conf = [...r.confusions.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k}:${v}`).join(', ');
  console.log(`${(PROGRAMS[program] ?? `program ${program}`).padEnd(13)} at ${opts.at}s ${(100 * r.point).toFixed(1).padStart(5)} %   frames ${(100 * r.frames).toFixed(1).padStart(5)} %   ${conf}`);
}
console.log(`${'mean'.padEnd(13)} at ${opts.at}s ${(100 * sumPoint / programs.length).toFixed(1).padStart(5)} %   frames ${(100 * sumFrames / programs.length).toFixed(1).padStart(5)} %`);
