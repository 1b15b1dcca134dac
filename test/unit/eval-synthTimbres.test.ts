import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dice } from '../../bench/eval/prng.js';
import { SAMPLE_RATE } from '../../bench/eval/render.js';
import { createRealFft } from '../../engine/analysis/realFft.js';
import { SYNTH_FAMILIES, synthesizeFamily } from '../../bench/eval/synthTimbres.js';

/** The frequency of the strongest bin of `x` (Hann window, 65536-point transform: 0.73 Hz bins) between `lo` and `hi` Hz. */
function strongest(x: Float32Array, lo: number, hi: number): number {
  const fft = createRealFft(65536, false);
  for (let i = 0; i < x.length; i++) fft.input[i] = x[i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / x.length));
  fft.transform(1);
  const bin = SAMPLE_RATE / 65536;
  let best = Math.ceil(lo / bin);
  for (let k = best; k <= hi / bin; k++) if (fft.magnitude[k] > fft.magnitude[best]) best = k;
  return best * bin;
}

test('synthTimbres: every family sounds the note it is given (its strongest partials are harmonics of A3), seeded, peak ≤ 0.9', () => {
  const note = [{ time: 0, midi: 57, duration: 1.5, velocity: 0.8 }];
  for (const family of SYNTH_FAMILIES) {
    for (let seed = 1; seed <= 4; seed++) {
      const x = synthesizeFamily(dice(seed), family, note, 2);
      assert.deepEqual(x, synthesizeFamily(dice(seed), family, note, 2), `${family}: the same seed, the same samples`);
      let peak = 0;
      for (const v of x) peak = Math.max(peak, Math.abs(v));
      assert.ok(peak > 0.05 && peak <= 0.9 + 1e-6, `${family} ${seed}: peak ${peak}`);
      const held = x.subarray(SAMPLE_RATE * 0.5, SAMPLE_RATE * 1.5);
      // The strongest partial in each band is a harmonic of A3 (the organ's 16' rank: of A2), within a sixth of a semitone.
      for (const [lo, hi] of [[100, 500], [500, 2000]]) {
        const hz = strongest(held, lo, hi);
        const n = Math.max(1, Math.round(hz / 110));
        assert.ok(Math.abs(Math.log2(hz / (110 * n))) * 12 < 1 / 6, `${family} ${seed}: strongest ${hz.toFixed(1)} Hz in ${lo}-${hi} Hz`);
      }
    }
  }
});
