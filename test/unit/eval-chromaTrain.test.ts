import assert from 'node:assert/strict';
import { test } from 'node:test';
import { highChord, randomChord, sparseChord, type Chord } from '../../bench/eval/chromaTrain.js';
import { dice } from '../../bench/eval/prng.js';

const classes = (c: Chord): number[] => [...new Set(c.notes.map((m) => m % 12))].sort((a, b) => a - b);

test('chromaTrain: every training chord sounds exactly the pitch classes it is labelled with, tones above MIDI 96 included', () => {
  for (const [name, pick] of [['random', randomChord], ['high', highChord], ['sparse', sparseChord]] as const) {
    const d = dice(7);
    let top = 0;
    for (let i = 0; i < 2000; i++) {
      const c = pick(d);
      assert.deepEqual(classes(c), [...c.pcs].sort((a, b) => a - b), `${name} ${i}: notes ${c.notes.join(',')} labelled ${c.pcs.join(',')}`);
      top = Math.max(top, ...c.notes);
      if (name === 'high') assert.ok(Math.min(...c.notes) >= 72, `${name} ${i}: ${c.notes.join(',')}`);
    }
    // Roots reach B5 (83): an open or octave-doubled seventh chord's top tone is up to MIDI 106 (none was above 96 once).
    if (name !== 'sparse') assert.ok(top >= 100 && top <= 106, `${name}: top ${top}`);
  }
});
