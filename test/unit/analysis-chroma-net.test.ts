/**
 * The learned chroma's net: the forward pass on hand-set weights, a shared net's equivariance, and the shipped weights
 * used only where their input size fits the front end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chromaStep, createChromaState, defaultChromaParams } from '../../engine/analysis/chroma.js';
import { chromaNetContextFloor, chromaNetContextSeconds, chromaNets } from '../../engine/analysis/chromaNetWeights.js';
import { addHarmonicTone, midiHz } from '../helpers/signals.js';
import { chromaNetForward, chromaNetOf, chromaNetsForward, createChromaNet, createChromaNets, denseLayer, sharedPositions } from '../../engine/analysis/chromaNet.js';

describe('chroma net', () => {
  it('forward: ReLU hidden layers, sigmoid outputs', () => {
    // 2 inputs → 2 hidden (h0 = x0 − x1, h1 = −x0) → 12 outputs (o_k = h0 + k·h1 − 1).
    const hidden = denseLayer(2, 2, Float32Array.from([1, -1, -1, 0]), Float32Array.from([0, 0]));
    const w = new Float32Array(24);
    for (let k = 0; k < 12; k++) { w[2 * k] = 1; w[2 * k + 1] = k; }
    const net = chromaNetOf([hidden, denseLayer(2, 12, w, new Float32Array(12).fill(-1))]);
    const y = new Float64Array(12);
    chromaNetForward(net, [3, 1], y); // h = [2, 0 (ReLU of −3)] → o_k = 1
    for (let k = 0; k < 12; k++) assert.ok(Math.abs(y[k] - 1 / (1 + Math.exp(-1))) < 1e-12, `${k}: ${y[k]}`);
    chromaNetForward(net, [-1, 1], y); // h = [0, 1] → o_k = k − 1
    for (let k = 0; k < 12; k++) assert.ok(Math.abs(y[k] - 1 / (1 + Math.exp(-(k - 1)))) < 1e-12, `${k}: ${y[k]}`);
  });

  it('an ensemble gives the mean of its nets\' probabilities, and one net alone its own output to the bit', () => {
    // One input → 12 outputs, o_k = a·k·x + b: sigmoid(b) at x = 0.
    const net = (a: number, b: number) => chromaNetOf([denseLayer(1, 12, Float32Array.from({ length: 12 }, (_, k) => a * k), new Float32Array(12).fill(b))]);
    const one = net(0.5, -1);
    const two = net(-0.25, 2);
    const scratch = new Float64Array(12);
    const mean = new Float64Array(12);
    const alone = new Float64Array(12);
    chromaNetsForward([one, two], [0], scratch, mean);
    const s = (v: number): number => 1 / (1 + Math.exp(-v));
    for (let k = 0; k < 12; k++) assert.ok(Math.abs(mean[k] - (s(-1) + s(2)) / 2) < 1e-12, `${k}: ${mean[k]}`);
    chromaNetsForward([one, two], [2], scratch, mean);
    for (let k = 0; k < 12; k++) assert.ok(Math.abs(mean[k] - (s(k - 1) + s(2 - k / 2)) / 2) < 1e-7, `${k}: ${mean[k]}`);
    chromaNetsForward([one], [2], scratch, mean);
    chromaNetForward(one, [2], alone);
    assert.deepEqual(Array.from(mean), Array.from(alone));
  });

  it('a shared net is transposition-equivariant: the input a semitone up gives the output rotated by one class', () => {
    // Random weights; input: spectrum 252 bins (84 semitones), 83 notes, 83 context entries.
    const layout = { bins: 252, notes: 83, context: true };
    const span = layout.notes + 12;
    let seed = 7;
    const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5; };
    const fill = (n: number): Float32Array => Float32Array.from({ length: n }, rand);
    const width = 5 * span;
    const net = chromaNetOf([denseLayer(width, 8, fill(8 * width), fill(8)), denseLayer(8, 4, fill(32), fill(4)), denseLayer(4, 1, fill(4), fill(1))], sharedPositions(layout, span, 12));
    // Notes 20..50 sounding (away from both ends), their lines and context.
    const x = new Float32Array(252 + 2 * 83);
    for (let n = 20; n <= 50; n++) { x[3 * (n + 1)] = Math.abs(rand()); x[252 + n] = Math.abs(rand()); x[252 + 83 + n] = Math.abs(rand()); }
    const up = new Float32Array(x.length);
    for (let i = 0; i < 252 - 3; i++) up[i + 3] = x[i];
    for (let n = 0; n < 82; n++) { up[252 + n + 1] = x[252 + n]; up[252 + 83 + n + 1] = x[252 + 83 + n]; }
    const y = new Float64Array(12);
    const yUp = new Float64Array(12);
    chromaNetForward(net, x, y);
    chromaNetForward(net, up, yUp);
    assert.ok(Math.max(...y) - Math.min(...y) > 1e-3, 'the classes differ');
    // Exact from B to C too would need the window to wrap by an octave: class 0 reads one octave lower than a "class 12" would.
    for (let k = 0; k < 11; k++) assert.ok(Math.abs(yUp[k + 1] - y[k]) < 1e-9, `${k}: ${yUp[k + 1]} vs ${y[k]}`);
  });

  it("the shipped net takes the front end's inputs at the default range and none other", () => {
    const s = createChromaState(48000, 256);
    assert.equal(s.netInput.length, s.logSpec.length + s.notes.length * (chromaNetContextSeconds > 0 ? 2 : 1));
    assert.notEqual(s.nets, null);
    const layout = { bins: s.logSpec.length, notes: s.notes.length, context: chromaNetContextSeconds > 0 };
    assert.notEqual(createChromaNet(layout, true, chromaNets[0]), null);
    assert.equal(createChromaNet({ ...layout, notes: layout.notes + 1 }, true, chromaNets[0]), null);
    assert.ok((createChromaNets(layout)?.length ?? 0) >= 1);
    assert.equal(createChromaNets({ ...layout, notes: layout.notes + 1 }), null);
    assert.equal(createChromaState(48000, 256, { maxHz: 3000 }).nets, null);
  });

  it('the context starts at the note block after silence, then is its leaky average over chromaNetContextSeconds; the net sees it from chromaNetContextFloor up', { skip: chromaNetContextSeconds > 0 ? false : 'the shipped net has no context block' }, () => {
    const sr = 48000;
    const hop = 256;
    const x = new Float32Array(3 * sr);
    addHarmonicTone(x, Math.round(0.5 * sr), sr, { f0: midiHz(57), amplitude: 0.2, partials: 6, decaySeconds: 10, seconds: 1 });
    addHarmonicTone(x, Math.round(1.5 * sr), sr, { f0: midiHz(64), amplitude: 0.2, partials: 6, decaySeconds: 10, seconds: 1 });
    const s = createChromaState(sr, hop);
    const from = s.logSpec.length;
    const n = s.notes.length;
    const notes = () => Array.from(s.netInput.subarray(from, from + n));
    const context = () => Array.from(s.context);
    const seenByNet = () => Array.from(s.netInput.subarray(from + n, from + 2 * n));
    let updates = 0;
    let last = -1;
    let prev: number[] = [];
    const seen: number[] = [];
    for (let i = 0; i + hop <= x.length; i += hop) {
      chromaStep(x.subarray(i, i + hop), s, defaultChromaParams);
      if (!s.updated) continue;
      const t = (i + hop) / sr;
      assert.deepEqual(seenByNet(), context().map((v) => (v >= chromaNetContextFloor ? v : 0)), `the net's context block at ${t} s`);
      if (s.silent) {
        assert.ok(context().every((v) => v === 0), `context not cleared in silence at ${t} s`);
        updates = 0;
        continue;
      }
      if (updates === 0) assert.deepEqual(context(), notes(), 'the first update after silence');
      else {
        // ctx − prev = a · (notes − prev), one a for every note, a = 1 − e^(−dt / τ).
        const a = 1 - Math.exp(-(t - last) / chromaNetContextSeconds);
        const want = prev.map((p, k) => p + a * (notes()[k] - p));
        context().forEach((v, k) => assert.ok(Math.abs(v - want[k]) < 1e-6, `note ${k} at ${t} s: ${v} vs ${want[k]}`));
        seen.push(t);
      }
      prev = context();
      last = t;
      updates++;
    }
    assert.ok(seen.length > 30, `only ${seen.length} updates checked`);
  });
});
