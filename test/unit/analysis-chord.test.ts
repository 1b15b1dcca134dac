/**
 * The note-activation chroma on tones rich in harmonics, the bass chroma, and the causal chord
 * estimate (root, quality, confidence; null in silence) on synthesized chords of harmonic tones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAnalyzer, feed } from '../../engine/analysis/analyzer.js';
import { QUALITY_INTERVALS, type ChordQuality } from '../../engine/analysis/chord.js';
import type { Features } from '../../engine/analysis/Features.js';
import { addHarmonicTone, midiHz } from '../helpers/signals.js';

const SR = 48000;
const NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

interface Hop { t: number; chroma: number[]; bass: number[]; chord: Features['chord'] }

/** Notes as organ-like tones (`partials` equal partials unless `rolloff` says otherwise). */
function play(notes: readonly { midi: number; start?: number; seconds?: number }[], seconds: number, tone: { partials?: number; rolloff?: number } = {}): Hop[] {
  const x = new Float32Array(Math.round(seconds * SR));
  for (const n of notes) {
    addHarmonicTone(x, Math.round((n.start ?? 0) * SR), SR, { f0: midiHz(n.midi), amplitude: 0.08, partials: tone.partials ?? 10, rolloff: tone.rolloff ?? 0, seconds: n.seconds });
  }
  const a = createAnalyzer(SR);
  const hops: Hop[] = [];
  feed(a, x, (f) => hops.push({ t: f.t, chroma: Array.from(f.chroma), bass: Array.from(f.bass), chord: f.chord ? { ...f.chord } : null }));
  return hops;
}

const fmt = (c: number[]): string => c.map((v) => v.toFixed(2)).join(' ');

describe('note-activation chroma', () => {
  it('an organ-like tone (10 equal partials) on every note C2–B4 gives one pitch class: 1 there, every other ≤ 0.5', () => {
    for (let midi = 36; midi <= 71; midi++) {
      for (const h of play([{ midi }], 0.8).filter((q) => q.t >= 0.5)) {
        const pc = midi % 12;
        assert.equal(h.chroma[pc], 1, `${NAMES[pc]}${Math.floor(midi / 12) - 1}: ${fmt(h.chroma)}`);
        for (let k = 0; k < 12; k++) if (k !== pc) assert.ok(h.chroma[k] <= 0.5, `${NAMES[pc]}${Math.floor(midi / 12) - 1}: ${NAMES[k]} reads ${h.chroma[k].toFixed(2)} (${fmt(h.chroma)})`);
      }
    }
  });

  it('seventh chords of harmonic tones (6 partials at 1/h): their four pitch classes are the four strongest', () => {
    for (const [root, q] of [[48, '7'], [50, 'm7'], [53, 'maj7'], [57, 'm7'], [43, '7']] as const) {
      const pcs = new Set(QUALITY_INTERVALS[q].map((i) => (root + i) % 12));
      for (const h of play(QUALITY_INTERVALS[q].map((i) => ({ midi: root + i })), 1, { partials: 6, rolloff: 1 }).filter((x) => x.t >= 0.5)) {
        const top = h.chroma.map((v, pc) => ({ v, pc })).sort((a, b) => b.v - a.v).slice(0, 4).map((e) => e.pc);
        assert.deepEqual(new Set(top), pcs, `${NAMES[root % 12]}${q}: ${fmt(h.chroma)}`);
      }
    }
  });

  it('bass: the lowest note, also under a chord whose other tones are louder', () => {
    // E2 under a C major triad in octave 4 (first inversion, bass E).
    const hops = play([{ midi: 40 }, { midi: 60 }, { midi: 64 }, { midi: 67 }, { midi: 72 }], 1);
    for (const h of hops.filter((x) => x.t >= 0.5)) {
      assert.equal(h.bass[4], 1, `bass ${fmt(h.bass)}`);
      assert.ok(h.bass.every((v, k) => k === 4 || v < 1), `bass ${fmt(h.bass)}`);
    }
  });
});

describe('chord estimate', () => {
  const cases: [number, ChordQuality][] = [[48, 'maj'], [45, 'min'], [43, '7'], [50, 'm7'], [53, 'maj7'], [47, 'dim'], [55, 'sus4'], [62, 'min'], [38, 'maj7']];
  for (const [root, quality] of cases) {
    it(`${NAMES[root % 12]} ${quality} (harmonic tones, 1/h partials): root and quality from 0.9 s, confidence > 0.5`, () => {
      const hops = play(QUALITY_INTERVALS[quality].map((i) => ({ midi: root + i })), 1.2, { partials: 6, rolloff: 1 });
      for (const h of hops.filter((x) => x.t >= 0.9)) {
        assert.ok(h.chord, `no chord at ${h.t.toFixed(3)}`);
        assert.deepEqual([h.chord.root, h.chord.quality], [root % 12, quality], `at ${h.t.toFixed(3)}: ${NAMES[h.chord.root]} ${h.chord.quality} (${fmt(h.chroma)})`);
        assert.ok(h.chord.confidence > 0.5 && h.chord.confidence <= 1, `confidence ${h.chord.confidence}`);
      }
    });
  }

  it('silence: null; a chord after silence is found; silence again: null', () => {
    const hops = play([{ midi: 48, start: 0.5, seconds: 1 }, { midi: 52, start: 0.5, seconds: 1 }, { midi: 55, start: 0.5, seconds: 1 }], 2.5, { partials: 6, rolloff: 1 });
    const at = (h: Hop): string => `${h.t.toFixed(3)}: ${h.chord ? `${NAMES[h.chord.root]} ${h.chord.quality}` : 'null'}`;
    for (const h of hops.filter((x) => x.t < 0.45)) assert.equal(h.chord, null, at(h));
    for (const h of hops.filter((x) => x.t > 1.2 && x.t < 1.5)) assert.deepEqual([h.chord?.root, h.chord?.quality], [0, 'maj'], at(h));
    for (const h of hops.filter((x) => x.t > 2.2)) assert.equal(h.chord, null, `after the release, ${at(h)}`);
  });

  it('a progression C – Am7 – Fmaj7 – G7 (1 s each): each chord in the last 0.3 s before the next change, and the estimate only moves forward', () => {
    const prog: [number, ChordQuality][] = [[48, 'maj'], [57, 'm7'], [53, 'maj7'], [55, '7']];
    const notes = prog.flatMap(([r, q], i) => QUALITY_INTERVALS[q].map((iv) => ({ midi: r + iv, start: i, seconds: 1 })));
    const hops = play(notes, 4, { partials: 6, rolloff: 1 });
    prog.forEach(([r, q], i) => {
      for (const h of hops.filter((x) => x.t >= i + 0.7 && x.t < i + 1)) {
        assert.deepEqual([h.chord?.root, h.chord?.quality], [r % 12, q], `chord ${i} at ${h.t.toFixed(3)}`);
      }
    });
    // Forward only: between chroma updates the estimate does not change, and the changes come in order.
    const changes = hops.filter((h, i) => i > 0 && h.chord && (h.chord.root !== hops[i - 1].chord?.root || h.chord.quality !== hops[i - 1].chord?.quality));
    assert.ok(changes.length >= 3 && changes.length <= 8, `${changes.length} changes`);
  });
});
