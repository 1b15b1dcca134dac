/**
 * Hop framing is independent of the audio buffer size: the same samples fed in buffers of any
 * length give the same hops and therefore exactly the same features, field for field. And the
 * same parameters at 44.1 and 48 kHz give onsets at the same times, within one hop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAnalyzer, feed, type AnalysisOverrides } from '../../engine/analysis/analyzer.js';
import { mulberry32, whiteNoise } from '../../engine/audio/testSignals.js';
import { addHarmonicTone, addNoiseBurst, analyzeAll, FIXED_ONSET, midiHz, onsetTimes, snapshot, type FeatureSnapshot } from '../helpers/signals.js';


const BUFFER_SIZES = [64, 256, 441, 1000, 4096] as const;


const CONFIGS: { name: string; overrides: AnalysisOverrides }[] = [
  { name: 'default parameters', overrides: {} },
  { name: 'explicit onset parameters, 10 ms hops', overrides: { onset: FIXED_ONSET, hopSeconds: 0.01 } },
];

/** Onset times in seconds of the test music: a beat at 120 bpm with a few off-beat hits. */
function musicOnsets(seconds: number): number[] {
  const out: number[] = [];
  for (let t = 0.3; t < seconds - 0.2; t += 0.5) out.push(t);
  for (let t = 1.05; t < seconds - 0.2; t += 2) out.push(t);
  return out.sort((a, b) => a - b);
}

/**
 * 6 s of "music": clicks at musicOnsets (noise bursts), a chord progression of piano-like tones
 * every other beat, a soft noise floor, and 0.5 s of silence at the end.
 */
function music(sr: number, seconds = 6): Float32Array {
  const x = new Float32Array(Math.round(seconds * sr));
  musicOnsets(seconds).forEach((t, i) => addNoiseBurst(x, Math.round(t * sr), sr, { amplitude: i % 2 ? 0.3 : 0.6, seed: i + 1 }));
  const chords = [[48, 52, 55], [45, 48, 52], [41, 45, 48], [43, 47, 50, 53]];
  for (let bar = 0; bar * 2 < seconds - 0.5; bar++) {
    for (const m of chords[bar % 4]) {
      addHarmonicTone(x, Math.round((0.3 + 2 * bar) * sr), sr, { f0: midiHz(m), amplitude: 0.1, partials: 6, decaySeconds: 0.8, seconds: 2 });
    }
  }
  // The noise floor starts with the first click (so it adds no onset of its own).
  const floor = whiteNoise({ sampleRate: sr, seconds, amplitude: 0.003, seed: 9 });
  const end = x.length - Math.round(0.5 * sr);
  for (let i = Math.round(0.3 * sr); i < end; i++) x[i] += floor[i];
  return x;
}

/** Features fed in buffers whose lengths come from `sizes` (cycled); zero-length buffers included. */
function analyzeWithSizes(sr: number, x: Float32Array, overrides: AnalysisOverrides, sizes: () => number): FeatureSnapshot[] {
  const a = createAnalyzer(sr, overrides);
  const out: FeatureSnapshot[] = [];
  let i = 0;
  while (i < x.length) {
    const n = sizes();
    feed(a, x.subarray(i, Math.min(x.length, i + n)), (f) => out.push(snapshot(f)));
    i += n;
  }
  return out;
}

describe('buffer-size independence', () => {
  for (const sr of [48000, 44100]) {
    for (const { name, overrides } of CONFIGS) {
      it(`${name} at ${sr} Hz: buffers of ${BUFFER_SIZES.join(', ')} and random sizes give identical features`, () => {
        const x = music(sr);
        // Reference: the whole signal in one call.
        const ref = analyzeAll(sr, x, overrides, x.length);
        const hopFrames = createAnalyzer(sr, overrides).hopFrames;
        assert.equal(ref.length, Math.floor(x.length / hopFrames));
        // The comparison is not vacuous: onsets fire, the chroma and the levels move.
        assert.ok(ref.filter((f) => f.onset).length >= 8, 'too few onsets in the test music');
        assert.ok(ref.some((f) => f.chroma.some((v) => v > 0)));
        assert.ok(ref.some((f) => f.bpm > 0), 'the tempo never got an estimate');
        for (const size of BUFFER_SIZES) {
          const got = analyzeAll(sr, x, overrides, size);
          assert.deepStrictEqual(got, ref, `buffer size ${size}`);
        }
        const rand = mulberry32(42);
        const random = analyzeWithSizes(sr, x, overrides, () => Math.floor(rand() * 3000)); // 0–2999, 0 included
        assert.deepStrictEqual(random, ref, 'random buffer sizes');
        let flip = 0;
        const ones = analyzeWithSizes(sr, x.subarray(0, 2 * hopFrames + 7), overrides, () => (flip++ % 2 ? 1 : 0));
        assert.deepStrictEqual(ones, ref.slice(0, 2), 'one sample at a time');
      });

      it(`${name} at ${sr} Hz: identical onset lists for every buffer size`, () => {
        const x = music(sr);
        const ref = onsetTimes(sr, x, overrides, x.length);
        assert.ok(ref.length >= 8);
        for (const size of [...BUFFER_SIZES, 1, 3, 17, 235, 480, 12345]) {
          assert.deepEqual(onsetTimes(sr, x, overrides, size), ref, `buffer size ${size}`);
        }
      });
    }
  }

  it('hops are whole multiples of hopFrames = round(hopSeconds·sr); a partial hop waits for its samples', () => {
    for (const [sr, hopSeconds, hopFrames] of [[48000, 256 / 48000, 256], [44100, 256 / 48000, 235], [44100, 0.01, 441], [48000, 0.01, 480], [16000, 0.0031, 50]] as const) {
      const a = createAnalyzer(sr, { hopSeconds });
      assert.equal(a.hopFrames, hopFrames);
      const ts: number[] = [];
      feed(a, new Float32Array(3 * hopFrames - 1), (f) => ts.push(f.t));
      assert.deepEqual(ts, [hopFrames / sr, (2 * hopFrames) / sr]);
      feed(a, new Float32Array(1), (f) => ts.push(f.t));
      assert.deepEqual(ts, [hopFrames / sr, (2 * hopFrames) / sr, (3 * hopFrames) / sr]);
    }
  });
});

describe('sample-rate independence', () => {
  const hopSeconds48 = 256 / 48000;
  for (const { name, overrides } of [...CONFIGS, { name: 'explicit onset parameters, default hop', overrides: { onset: FIXED_ONSET } }]) {
    it(`${name}: clicks and tones give onsets at the same times at 44.1 and 48 kHz, within one hop`, () => {
      const t48 = onsetTimes(48000, music(48000), overrides);
      const t44 = onsetTimes(44100, music(44100), overrides);
      const hop = Math.max(createAnalyzer(48000, overrides).hopFrames / 48000, createAnalyzer(44100, overrides).hopFrames / 44100);
      assert.ok(hop >= hopSeconds48 - 1e-12);
      assert.equal(t44.length, t48.length, `48 kHz: ${t48.join(', ')}\n44.1 kHz: ${t44.join(', ')}`);
      t48.forEach((t, i) => assert.ok(Math.abs(t - t44[i]) <= hop + 1e-12, `onset ${i}: ${t} s at 48 kHz, ${t44[i]} s at 44.1 kHz`));
      // And every true onset is found once, reported 0–2 hops after it.
      const truth = musicOnsets(6);
      assert.equal(t48.length, truth.length);
      for (const [sr, ts] of [[48000, t48], [44100, t44]] as const) {
        for (const t of ts) {
          assert.ok(truth.some((u) => t >= Math.round(u * sr) / sr && t - u <= 2 * hop + 1e-9), `${sr} Hz: onset at ${t} s matches no true onset`);
        }
      }
    });
  }
});
