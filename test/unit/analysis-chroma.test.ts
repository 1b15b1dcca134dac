/**
 * Chroma and chord classification on chords of harmonic tones (5 partials at amplitude 1/h),
 * sustained or piano-like decaying, across roots from C2 to B5, at 48 and 44.1 kHz.
 *
 * Settle time: the chroma window is `windowSeconds` (0.36 s by default) and is smoothed with
 * `smoothSeconds` (0.08 s), so from 0.5 s after a chord starts every hop must classify it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAnalyzer, feed, type Analyzer } from '../../engine/analysis/analyzer.js';
import { chromaStep, createChromaState, defaultChromaParams } from '../../engine/analysis/chroma.js';
import { chordIntervals, chordName, classifyChord, pitchClassNames, type ChordType } from '../../engine/analysis/chordTemplates.js';
import { cosineClassifyChord } from '../../bench/eval/score.js';
import { addHarmonicTone, midiHz } from '../helpers/signals.js';

const TYPES: readonly ChordType[] = ['maj', 'min', '7'];
const SETTLE = 0.5;

/** One root per pitch class, spread over octaves 2–5: C2, C#3, D4, D#5, E2, …, B5. */
const rootsFrom = (octaveShift: number): number[] => Array.from({ length: 12 }, (_, pc) => 36 + pc + 12 * ((pc + octaveShift) % 4));

const noteName = (midi: number): string => `${pitchClassNames[((midi % 12) + 12) % 12]}${Math.floor(midi / 12) - 1}`;

interface Played {
  /** Chroma of each hop (copied), with its time. */
  hops: { t: number; chroma: number[] }[];
  analyzer: Analyzer;
}

/** Notes (fractional MIDI, A4 = a4) as harmonic tones from `start` for `seconds`; analysed in 512-frame buffers. */
function play(sr: number, notes: readonly { midi: number; start?: number; seconds?: number }[], totalSeconds: number, opts: { a4?: number; decaySeconds?: number; amplitude?: number } = {}): Played {
  const x = new Float32Array(Math.round(totalSeconds * sr));
  for (const n of notes) {
    addHarmonicTone(x, Math.round((n.start ?? 0) * sr), sr, {
      f0: midiHz(n.midi, opts.a4 ?? 440),
      amplitude: opts.amplitude ?? 0.15,
      partials: 5,
      decaySeconds: opts.decaySeconds,
      seconds: n.seconds,
    });
  }
  const analyzer = createAnalyzer(sr);
  const hops: Played['hops'] = [];
  for (let i = 0; i < x.length; i += 512) feed(analyzer, x.subarray(i, i + 512), (f) => hops.push({ t: f.t, chroma: Array.from(f.chroma) }));
  return { hops, analyzer };
}

function chordNotes(root: number, type: ChordType, detuneCents = 0): { midi: number }[] {
  return chordIntervals[type].map((iv) => ({ midi: root + iv + detuneCents / 100 }));
}

/** Asserts every hop in [from, to) classifies as root/type, and the top pitch classes are the chord's. */
function assertChord(p: Played, root: number, type: ChordType, from: number, to = Infinity, label = ''): void {
  const want = chordName({ root: root % 12, type });
  const pcs = new Set(chordIntervals[type].map((iv) => (root + iv) % 12));
  let checked = 0;
  for (const h of p.hops) {
    if (h.t < from || h.t >= to) continue;
    checked++;
    const got = classifyChord(h.chroma);
    assert.equal(chordName(got), want, `${label} at t = ${h.t.toFixed(3)} s: chroma ${h.chroma.map((v) => v.toFixed(2)).join(' ')}`);
    const top = h.chroma.map((v, pc) => ({ v, pc })).sort((a, b) => b.v - a.v).slice(0, pcs.size);
    assert.ok(top.every(({ pc }) => pcs.has(pc)), `${label} at t = ${h.t.toFixed(3)} s: top pitch classes ${top.map(({ pc }) => pitchClassNames[pc]).join(' ')}`);
    assert.equal(top[0].v, 1, 'the strongest pitch class reads 1');
  }
  assert.ok(checked > 0, 'no hop checked');
}

describe('chords of harmonic tones', () => {
  for (const [sr, roots] of [[48000, rootsFrom(0)], [44100, rootsFrom(2)]] as const) {
    for (const type of TYPES) {
      it(`${type} chords on 12 roots (${noteName(Math.min(...roots))}–${noteName(Math.max(...roots))}) at ${sr} Hz: right root and quality from ${SETTLE} s on`, () => {
        for (const root of roots) {
          const p = play(sr, chordNotes(root, type), 1.2);
          assertChord(p, root, type, SETTLE, Infinity, `${noteName(root)} ${type}`);
        }
      });
    }
  }

  it('the extremes: C2 and B5 major, minor and seventh, sustained and piano-like decaying (τ = 1.5 s)', () => {
    for (const root of [36, 83]) {
      for (const type of TYPES) {
        for (const decaySeconds of [undefined, 1.5]) {
          const p = play(48000, chordNotes(root, type), 1.5, { decaySeconds });
          assertChord(p, root, type, SETTLE, Infinity, `${noteName(root)} ${type} decay ${decaySeconds ?? '∞'}`);
        }
      }
    }
  });

  it('a progression C – Am – F – G7 (1 s each, across octaves 3–4): each chord from 0.5 s after it starts', () => {
    const prog: { root: number; type: ChordType }[] = [
      { root: 48, type: 'maj' }, // C3
      { root: 57, type: 'min' }, // A3
      { root: 53, type: 'maj' }, // F3
      { root: 55, type: '7' }, // G3
    ];
    const notes = prog.flatMap((c, i) => chordIntervals[c.type].map((iv) => ({ midi: c.root + iv, start: i, seconds: 1 })));
    const p = play(48000, notes, prog.length);
    prog.forEach((c, i) => assertChord(p, c.root, c.type, i + SETTLE, i + 1, `chord ${i}`));
  });
});

describe('single notes', () => {
  for (const sr of [48000, 44100]) {
    it(`every note C2–B5 at ${sr} Hz: the chroma peaks (= 1) at its pitch class`, () => {
      for (let midi = 36; midi <= 83; midi++) {
        const p = play(sr, [{ midi }], 0.8);
        for (const h of p.hops.filter((q) => q.t >= SETTLE)) {
          const pc = midi % 12;
          assert.equal(h.chroma[pc], 1, `${noteName(midi)} at ${h.t.toFixed(3)} s: chroma ${h.chroma.map((v) => v.toFixed(2)).join(' ')}`);
          for (let k = 0; k < 12; k++) if (k !== pc) assert.ok(h.chroma[k] < 1, `${noteName(midi)}: pitch class ${pitchClassNames[k]} ties the note`);
        }
      }
    });
  }
});

describe('the lowest notes (the long window, on its own decimated ring)', () => {
  it('A2 and A#2 together (fundamentals 6.5 Hz apart, below splitHz): the note fit finds both, its two strongest notes', () => {
    const sr = 48000;
    const x = new Float32Array(Math.round(1.2 * sr));
    for (const midi of [45, 46]) addHarmonicTone(x, 0, sr, { f0: midiHz(midi), amplitude: 0.15, partials: 5 });
    const s = createChromaState(sr, 256);
    let checked = 0;
    for (let i = 0; i + 256 <= x.length; i += 256) {
      chromaStep(x.subarray(i, i + 256), s, defaultChromaParams);
      if (!s.updated || (i + 256) / sr < 0.7) continue;
      const top = Array.from(s.notes, (v, k) => ({ v, midi: s.noteLo + k })).sort((a, b) => b.v - a.v).slice(0, 2).map((n) => n.midi).sort((a, b) => a - b);
      assert.deepEqual(top, [45, 46], `at ${((i + 256) / sr).toFixed(3)} s`);
      checked++;
    }
    assert.ok(checked > 5, `${checked} updates checked`);
  });

  for (const sr of [48000, 44100]) {
    it(`every note E1–B1 at ${sr} Hz (fundamentals 2.4–3.6 Hz apart): the chroma peaks (= 1) at its pitch class`, () => {
      for (let midi = 28; midi <= 35; midi++) {
        const p = play(sr, [{ midi }], 1);
        for (const h of p.hops.filter((q) => q.t >= 0.6)) {
          assert.equal(h.chroma[midi % 12], 1, `${noteName(midi)} at ${h.t.toFixed(3)} s: chroma ${h.chroma.map((v) => v.toFixed(2)).join(' ')}`);
        }
      }
    });
  }
});

/** The analyzer's running tuning estimate (cents from A4 = 440 Hz). */
function tuningOf(p: Played): number {
  const chroma = p.analyzer.chroma;
  assert.ok(chroma, 'the analyzer has its chroma state');
  return chroma.tuningCents;
}

describe('tuning estimate', () => {
  for (const cents of [30, -30, 45, -45]) {
    it(`a chord detuned by ${cents > 0 ? '+' : ''}${cents} cents: classified right, tuningCents ≈ ${cents}`, () => {
      for (const [root, type] of [[36, 'maj'], [50, 'min'], [64, '7'], [79, 'maj'], [83, 'min']] as const) {
        const p = play(48000, chordNotes(root, type, cents), 1.2);
        assertChord(p, root, type, SETTLE, Infinity, `${noteName(root)} ${type} ${cents} cents`);
        const est = tuningOf(p);
        assert.ok(Math.abs(est - cents) < 2, `${noteName(root)} ${type}: tuning estimate ${est} cents, played ${cents}`);
      }
    });
  }

  it('in tune: tuningCents ≈ 0', () => {
    const p = play(44100, chordNotes(60, 'maj'), 1.2);
    assert.ok(Math.abs(tuningOf(p)) < 2, `${tuningOf(p)}`);
  });

  it('A4 = 452 Hz (documented: about +47 cents): classified right, tuningCents ≈ 1200·log2(452/440)', () => {
    const expected = 1200 * Math.log2(452 / 440);
    for (const [root, type] of [[45, 'min'], [62, '7'], [67, 'maj']] as const) {
      const p = play(48000, chordNotes(root, type), 1.2, { a4: 452 });
      assertChord(p, root, type, SETTLE, Infinity, `${noteName(root)} ${type} at A4 = 452 Hz`);
      assert.ok(Math.abs(tuningOf(p) - expected) < 2, `${tuningOf(p)} vs ${expected}`);
    }
  });
});

describe('chroma gate', () => {
  it('silence: the chroma is all 0', () => {
    const p = play(48000, [], 1);
    for (const h of p.hops) assert.deepEqual(h.chroma, new Array(12).fill(0));
  });

  it('a chord that stops: the gate weighs the long window, so the chroma holds for a while, then reads 0 once the window has left it', () => {
    const p = play(48000, chordNotes(48, 'maj').map((n) => ({ ...n, seconds: 1 })), 2);
    const { windowSeconds, updateSeconds } = defaultChromaParams;
    for (const h of p.hops) {
      if (h.t > 1 && h.t < 1 + 0.6 * windowSeconds) assert.ok(h.chroma.some((v) => v > 0), `gated early, at ${h.t.toFixed(3)} s`);
      if (h.t >= 1 + windowSeconds + updateSeconds + 0.011) assert.deepEqual(h.chroma, new Array(12).fill(0), `not gated at ${h.t.toFixed(3)} s`);
    }
  });

  it('a chord far below silenceDb reads all 0; the same chord above it does not', () => {
    // Fundamentals at amplitude 1e-5: about −96 dBFS RMS, far below the default −60 dB gate.
    const quiet = play(48000, chordNotes(60, 'maj'), 1, { amplitude: 1e-5 });
    for (const h of quiet.hops) assert.deepEqual(h.chroma, new Array(12).fill(0));
    const sr = 48000;
    const x = new Float32Array(sr);
    for (const n of chordNotes(60, 'maj')) addHarmonicTone(x, 0, sr, { f0: midiHz(n.midi), amplitude: 1e-5, partials: 5 });
    const a = createAnalyzer(sr, { chroma: { silenceDb: -140 } });
    let last: number[] = [];
    feed(a, x, (f) => { last = Array.from(f.chroma); });
    assert.equal(chordName(classifyChord(last)), 'C');
  });
});

describe('instant chroma (what the chord estimate reads)', () => {
  it('follows a chord change at once while the smoothed chroma lags; both scaled to a maximum of 1', () => {
    const sr = 48000;
    const x = new Float32Array(2 * sr);
    for (const iv of chordIntervals.maj) addHarmonicTone(x, 0, sr, { f0: midiHz(48 + iv), amplitude: 0.15, partials: 5, seconds: 1 });
    for (const iv of chordIntervals.min) addHarmonicTone(x, sr, sr, { f0: midiHz(45 + iv), amplitude: 0.15, partials: 5, seconds: 1 });
    const s = createChromaState(sr, 256);
    const params = { ...defaultChromaParams, smoothSeconds: 2, chordToneWeight: 0 };
    let instant = '';
    let smoothed = '';
    for (let i = 0; i + 256 <= 1.5 * sr; i += 256) {
      chromaStep(x.subarray(i, i + 256), s, params);
      if (!s.updated) continue;
      instant = chordName(classifyChord(s.instantChroma));
      smoothed = chordName(classifyChord(s.chroma));
      assert.equal(Math.max(...s.instantChroma), 1);
    }
    assert.equal(instant, chordName({ root: 9, type: 'min' }), 'instant chroma 0.5 s into A minor');
    assert.equal(smoothed, chordName({ root: 0, type: 'maj' }), 'the 2 s leaky average still reads C major');
  });
});

describe('chord-tone filter (chordToneWeight)', () => {
  interface Update { name: string; instantG: number; toneG: number }
  /** Each update from 1.3 to 1.9 s: A minor (A3 C4 E4, decaying over 2 s) under a G5 (the seventh, as a melody's passing tone) from 1.3 to 1.55 s. */
  function withPassingTone(chordToneWeight: number): Update[] {
    const sr = 48000;
    const x = new Float32Array(2 * sr);
    for (const iv of chordIntervals.min) addHarmonicTone(x, 0, sr, { f0: midiHz(57 + iv), amplitude: 0.12, partials: 6, rolloff: 1, decaySeconds: 2, seconds: 2 });
    addHarmonicTone(x, Math.round(1.3 * sr), sr, { f0: midiHz(79), amplitude: 0.08, partials: 6, rolloff: 1, seconds: 0.25 });
    const s = createChromaState(sr, 256);
    const params = { ...defaultChromaParams, chordToneWeight };
    const updates: Update[] = [];
    for (let i = 0; i + 256 <= x.length; i += 256) {
      chromaStep(x.subarray(i, i + 256), s, params);
      const t = (i + 256) / sr;
      if (s.updated && t >= 1.3 && t < 1.9) {
        const c = cosineClassifyChord(s.chroma);
        updates.push({ name: `${pitchClassNames[c.root]}${c.type === 'min' ? 'm' : c.type}`, instantG: s.instantChroma[7], toneG: s.tones[7] });
      }
    }
    return updates;
  }

  it('holds A minor through the start of a passing seventh the net hears, and reads Am again sooner than the leaky average', () => {
    assert.ok(defaultChromaParams.chordToneWeight > 0);
    const on = withPassingTone(defaultChromaParams.chordToneWeight);
    const off = withPassingTone(0);
    const names = (u: Update[]): string => u.map((x) => x.name).join(' ');
    // The net reads the G as a chord tone (its instant chroma) from the first or second update on; the filter does not, for four updates (170 ms).
    const heard = on.findIndex((u) => u.instantG >= 0.5);
    assert.ok(heard >= 0 && heard <= 2, names(on));
    for (const u of on.slice(heard, heard + 4)) assert.ok(u.instantG >= 0.5 && u.toneG <= 0.15, `G: net ${u.instantG}, filter ${u.toneG}`);
    const sevenths = (u: Update[]): number => u.filter((x) => x.name === 'Am7').length;
    const lastSeventh = (u: Update[]): number => u.map((x) => x.name).lastIndexOf('Am7');
    assert.ok(sevenths(off) >= 4, `without the filter: ${names(off)}`);
    assert.ok(sevenths(on) <= sevenths(off), `with it: ${names(on)}; without: ${names(off)}`);
    assert.ok(lastSeventh(on) < lastSeventh(off), `with it: ${names(on)}; without: ${names(off)}`);
    assert.equal(on.at(-1)?.name, 'Am');
    assert.equal(off.at(-1)?.name, 'Am');
    assert.ok(on.every((u) => u.name === 'Am' || u.name === 'Am7'), names(on));
  });
});
