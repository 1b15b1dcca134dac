import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chord, clickTrack, floatToInt16, interleaveInt16, quantize16, silence, sine, whiteNoise } from '../../engine/audio/testSignals.js';

test('clickTrack: exact onsets, each click starting at its peak, silence between', () => {
  const c = clickTrack({ sampleRate: 48000, bpm: 120, seconds: 4 });
  assert.equal(c.samples.length, 192000);
  assert.deepEqual(c.onsetFrames, [0, 24000, 48000, 72000, 96000, 120000, 144000, 168000]);
  assert.deepEqual(c.onsets, [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
  for (const f of c.onsetFrames) {
    assert.equal(c.samples[f], Math.fround(0.8));
    assert.equal(c.samples[f - 1] ?? 0, 0);
    assert.equal(c.samples[f + 480], 0, 'click lasts 0.01 s');
  }
  const odd = clickTrack({ sampleRate: 44100, bpm: 97, seconds: 2, amplitude: 0.5 });
  assert.deepEqual(odd.onsetFrames, [0, 1, 2, 3].map((k) => Math.round((k * 60 * 44100) / 97)));
});

test('whiteNoise is seeded and bounded; sine, chord and silence are what they say', () => {
  const a = whiteNoise({ sampleRate: 48000, seconds: 0.1, seed: 42, amplitude: 0.3 });
  assert.deepEqual(a, whiteNoise({ sampleRate: 48000, seconds: 0.1, seed: 42, amplitude: 0.3 }));
  assert.notDeepEqual(a, whiteNoise({ sampleRate: 48000, seconds: 0.1, seed: 43, amplitude: 0.3 }));
  assert.ok(a.every((x) => Math.abs(x) <= 0.3));
  assert.ok(Math.abs(a.reduce((s, x) => s + x, 0) / a.length) < 0.01, 'zero mean');
  const s = sine({ sampleRate: 48000, frequency: 1000, seconds: 0.01 });
  assert.equal(s.length, 480);
  assert.equal(s[12], Math.fround(0.5));
  assert.ok(Math.abs(s[24]) < 1e-7);
  const c = chord({ sampleRate: 48000, frequencies: [440, 550, 660], seconds: 0.1, amplitude: 0.9 });
  assert.ok(c.every((x) => Math.abs(x) <= 0.9 + 1e-6));
  assert.deepEqual(silence(48000, 0.001), new Float32Array(48));
});

test('16-bit helpers: round, clamp, no negative zero, interleave', () => {
  assert.deepEqual([1, -1, 0.5, -0.00001, 2, 32767 / 32768].map(floatToInt16), [32767, -32768, 16384, 0, 32767, 32767]);
  assert.ok(Object.is(quantize16(Float32Array.of(-0.00001))[0], 0));
  assert.deepEqual(Array.from(interleaveInt16([Float32Array.of(0.5, -0.5), Float32Array.of(0.25, 1)])), [16384, 8192, -16384, 32767]);
});
