/**
 * The learned chroma's dense net: the forward pass on hand-set weights, and the shipped weights
 * used only where their input size fits the front end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createChromaState } from '../../engine/analysis/chroma.js';
import { chromaNetForward, chromaNetOf, createChromaNet, denseLayer } from '../../engine/analysis/chromaNet.js';

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

  it("the shipped net takes the front end's inputs at the default range and none other", () => {
    const s = createChromaState(48000, 256);
    assert.equal(s.netInput.length, s.logSpec.length + s.notes.length);
    assert.notEqual(s.net, null);
    assert.equal(createChromaNet(s.netInput.length + 1), null);
    assert.equal(createChromaState(48000, 256, { maxHz: 3000 }).net, null);
  });
});
