/**
 * The WebAssembly SIMD kernels (engine/analysis/kernels.wat) against the JavaScript they stand in
 * for: the real FFT against a direct DFT and to the bit against its JavaScript twin, the learned
 * net and the note fit to the bit, the whole analyzer's features to the bit, and the assembled
 * module against its source.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { chromaStep, createChromaState, defaultChromaParams } from '../../engine/analysis/chroma.js';
import { chromaNetForward, chromaNetOf, denseLayer, sharedPositions } from '../../engine/analysis/chromaNet.js';
import { createRealFft } from '../../engine/analysis/realFft.js';
import { createSpectrumState, spectrumStep } from '../../engine/analysis/spectrum.js';
import { addHarmonicTone, addNoiseBurst, analyzeAll, midiHz } from '../helpers/signals.js';

describe('real FFT (realFft.ts)', () => {
  it('gives the magnitudes of a direct DFT, and the kernel and the JavaScript twin give the same bits', () => {
    for (const size of [4, 8, 64, 512, 1024, 8192]) {
      const x = Float64Array.from({ length: size }, (_, i) => Math.sin(0.37 * i) + ((i * 7919) % 13) / 13 - 0.5);
      const simd = createRealFft(size, true);
      const js = createRealFft(size, false);
      assert.equal(simd.simd, true, 'WebAssembly SIMD runs on Node 20: the kernel must be used');
      assert.equal(js.simd, false);
      simd.input.set(x);
      js.input.set(x);
      simd.transform(0.5);
      js.transform(0.5);
      assert.deepEqual(Array.from(simd.magnitude), Array.from(js.magnitude), `size ${size}`);
      assert.equal(simd.magnitude.length, size / 2 + 1);
      const bins = size <= 1024 ? Array.from({ length: size / 2 + 1 }, (_, k) => k) : [0, 1, 2, 100, 1234, size / 4, size / 2 - 1, size / 2];
      for (const k of bins) {
        let re = 0;
        let im = 0;
        for (let n = 0; n < size; n++) {
          re += x[n] * Math.cos((2 * Math.PI * k * n) / size);
          im -= x[n] * Math.sin((2 * Math.PI * k * n) / size);
        }
        const want = 0.5 * Math.hypot(re, im);
        assert.ok(Math.abs(simd.magnitude[k] - want) < 1e-9 * Math.sqrt(size), `size ${size} bin ${k}: ${simd.magnitude[k]} vs ${want}`);
      }
    }
    assert.throws(() => createRealFft(12), /power of two/);
  });

  it('the spectrum\'s framing and filterbank in the kernels give the JavaScript\'s bits (odd window length, hops that wrap the ring anywhere)', () => {
    for (const sr of [44100, 48000]) {
      const simd = createSpectrumState(sr, undefined, true);
      const js = createSpectrumState(sr, undefined, false);
      assert.notEqual(simd.kernel, null, 'WebAssembly SIMD runs on Node 20: the kernels must be used');
      assert.equal(js.kernel, null);
      if (sr === 44100) assert.equal(simd.windowLength % 2, 1, 'an odd window: the kernel\'s single-lane tail runs');
      let seed = 5;
      for (const hopLength of [256, 301, 77, 2000, 129]) {
        const hop = Float32Array.from({ length: hopLength }, () => { seed = (seed * 69069 + 1) % 4294967296; return seed / 4294967296 - 0.5; });
        spectrumStep(hop, simd);
        spectrumStep(hop, js);
        assert.equal(simd.framePos, js.framePos);
        assert.deepEqual(Array.from(simd.fft.input), Array.from(js.fft.input), `${sr} Hz, hop ${hopLength}: frame`);
        assert.deepEqual(Array.from(simd.bandMag), Array.from(js.bandMag), `${sr} Hz, hop ${hopLength}: bands`);
        assert.ok(simd.bandMag.some((v) => v > 0));
      }
    }
  });

  it('the whole analyzer gives the same features to the bit with and without the kernels (48 kHz, and 44.1 kHz: odd window lengths)', () => {
    for (const sr of [48000, 44100]) {
      const x = new Float32Array(4 * sr);
      for (let b = 0; b < 8; b++) addNoiseBurst(x, Math.round((0.25 + 0.5 * b) * sr), sr, { seconds: 0.05, amplitude: 0.4, seed: b + 1 });
      for (const m of [45, 57, 60, 64]) addHarmonicTone(x, Math.round(0.5 * sr), sr, { f0: midiHz(m), amplitude: 0.06, partials: 8, decaySeconds: 3, seconds: 3 });
      const a = analyzeAll(sr, x, { simd: true });
      const b = analyzeAll(sr, x, { simd: false });
      assert.equal(a.length, b.length);
      assert.ok(a.some((f) => f.onset) && a.some((f) => f.chroma.some((v) => v > 0)), 'onsets and a chroma are there to compare');
      assert.deepEqual(a, b, `${sr} Hz`);
    }
  });
});

const wat2wasm = spawnSync('wat2wasm', ['--version']).status === 0;

describe('chroma SIMD kernels (kernels.wat)', () => {
  let seed = 11;
  const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5; };
  const fill = (n: number): Float32Array => Float32Array.from({ length: n }, rand);

  it('the net forward pass gives the JavaScript path\'s outputs to the bit (f32: a 32-wide block, 4-wide blocks and single outputs)', () => {
    // Hidden widths 37 (one block of 32, one of 4, one single output) and 16 (four of 4), on the shared window of the shipped layout.
    const layout = { bins: 252, notes: 83, context: true };
    const span = layout.notes + 12;
    const width = 5 * span;
    const layers = [denseLayer(width, 37, fill(37 * width), fill(37)), denseLayer(37, 16, fill(37 * 16), fill(16)), denseLayer(16, 1, fill(16), fill(1))];
    const positions = sharedPositions(layout, span, 12);
    const simd = chromaNetOf(layers, positions, true);
    const js = chromaNetOf(layers, positions, false);
    assert.notEqual(simd.kernel, null, 'WebAssembly SIMD runs on Node 20: the kernels must be used');
    assert.equal(js.kernel, null);
    for (let trial = 0; trial < 5; trial++) {
      const x = new Float32Array(252 + 2 * 83);
      for (let i = 0; i < x.length; i++) if (rand() > 0.1) x[i] = rand() + 0.5; // 40 % zeros, the rest in (0, 1)
      const a = new Float64Array(12);
      const b = new Float64Array(12);
      chromaNetForward(simd, x, a);
      chromaNetForward(js, x, b);
      assert.ok(Math.max(...b) - Math.min(...b) > 1e-3, 'the classes differ');
      assert.deepEqual(Array.from(a), Array.from(b), `trial ${trial}`);
    }
    // A dense net (no window: one identity row), 12 outputs.
    const dense = [denseLayer(20, 18, fill(360), fill(18)), denseLayer(18, 12, fill(216), fill(12))];
    const x = Float32Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? 0 : rand()));
    const a = new Float64Array(12);
    const b = new Float64Array(12);
    chromaNetForward(chromaNetOf(dense, null, true), x, a);
    chromaNetForward(chromaNetOf(dense, null, false), x, b);
    assert.deepEqual(Array.from(a), Array.from(b));
  });

  it('the note fit and the shipped net give the JavaScript path\'s activations, notes and chroma to the bit', () => {
    const sr = 48000;
    const hop = 256;
    const x = new Float32Array(3 * sr);
    // C major then A minor 7, organ-like (strong harmonics), the second over a low A.
    for (const m of [48, 52, 55, 60]) addHarmonicTone(x, Math.round(0.2 * sr), sr, { f0: midiHz(m), amplitude: 0.08, partials: 10, decaySeconds: 5, seconds: 1.3 });
    for (const m of [33, 57, 60, 64, 67]) addHarmonicTone(x, Math.round(1.5 * sr), sr, { f0: midiHz(m), amplitude: 0.08, partials: 10, decaySeconds: 5, seconds: 1.3 });
    const simd = createChromaState(sr, hop, {}, true);
    const js = createChromaState(sr, hop, {}, false);
    assert.notEqual(simd.fitKernel, null);
    for (const net of simd.nets ?? []) assert.notEqual(net.kernel, null);
    assert.notEqual(simd.nets, null);
    assert.equal(js.fitKernel, null);
    assert.notEqual(js.nets, null);
    for (const net of js.nets ?? []) assert.equal(net.kernel, null);
    let updates = 0;
    let sounding = false;
    for (let i = 0; i + hop <= x.length; i += hop) {
      const h = x.subarray(i, i + hop);
      chromaStep(h, simd, defaultChromaParams);
      chromaStep(h, js, defaultChromaParams);
      if (!js.updated || js.silent) continue;
      updates++;
      sounding ||= js.activations.some((v) => v > 0);
      const t = ((i + hop) / sr).toFixed(3);
      assert.deepEqual(Array.from(simd.activations), Array.from(js.activations), `activations at ${t} s`);
      assert.deepEqual(Array.from(simd.netOutput), Array.from(js.netOutput), `net output at ${t} s`);
      assert.deepEqual(Array.from(simd.chroma), Array.from(js.chroma), `chroma at ${t} s`);
    }
    assert.ok(updates > 50, `${updates} updates`);
    assert.ok(sounding, 'no note found');
  });

  it('kernelsWasm.ts is what kernels.wat assembles to', { skip: wat2wasm || process.env.CI === 'true' ? false : 'wabt (wat2wasm) not installed: scripts/setup-system.sh' }, () => {
    const res = spawnSync(process.execPath, ['scripts/build-kernels.mjs', '--check'], { encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
  });
});
