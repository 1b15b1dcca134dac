import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFeatures } from '../../engine/analysis/Features.js';
import { createStemTracker, resolveStems } from '../../engine/latent/stems.js';
import { defaultValues } from '../../engine/params/registry.js';

const routes = [{ name: 'keys', channels: [0] }, { name: 'drums', channels: [1] }];

describe('per-stem routing', () => {
  it('resolves input names; unknown names are an error naming the inputs', () => {
    assert.deepEqual(resolveStems(routes), { pulse: 0, motion: 0, class: 0 });
    assert.deepEqual(resolveStems(routes, { pulse: 'drums', class: 'keys' }), { pulse: 1, motion: 0, class: 0 });
    assert.throws(() => resolveStems(routes, { motion: 'bass' }), /--motion bass: no input of that name \(inputs: keys, drums\)/);
  });

  it('pulse from the drums (peak held between frames), motion and class from the keys', () => {
    const p = defaultValues(); // pulse: percussive; motion: harmonic
    const t = createStemTracker(resolveStems(routes, { pulse: 'drums' }), 2, createFeatures, p);
    const keys = createFeatures();
    keys.harmonicNorm = 0.4;
    keys.percussiveNorm = 0.9; // ignored: pulse follows the drums
    keys.chroma[9] = 1;
    const drums = [0.1, 0.8, 0.3].map((v) => ({ ...createFeatures(), percussiveNorm: v, harmonicNorm: 0.7 }));
    t.onHop(0, keys);
    for (const d of drums) t.onHop(1, d);
    const a = t.frameInput(p);
    assert.deepEqual([a.pulse, a.motion, a.chroma[9]], [0.8, 0.4, 1]);
    // The held peak is spent: the next frame sees the newest drum hop only.
    const b = t.frameInput(p);
    assert.equal(b.pulse, 0.3);
    assert.equal(t.latest(1), drums[2]);
  });
});

describe('frame features for the effects', () => {
  it('percussive and onset strength at their peak since the last frame, onset and beat if any hop had one', () => {
    const p = defaultValues();
    const t = createStemTracker(resolveStems(routes, { pulse: 'drums' }), 2, createFeatures, p);
    t.onHop(1, { ...createFeatures(), percussiveNorm: 0.9, onsetStrengthNorm: 1, onset: true, beat: true });
    t.onHop(1, { ...createFeatures(), percussiveNorm: 0.2, onsetStrengthNorm: 0.1, envelope: 0.5 });
    const f = t.frameFeatures(createFeatures());
    assert.deepEqual([f.percussiveNorm, f.onsetStrengthNorm, f.onset, f.beat, f.envelope], [0.9, 1, true, true, 0.5]);
    t.frameInput(p);
    const g = t.frameFeatures(createFeatures());
    assert.deepEqual([g.percussiveNorm, g.onsetStrengthNorm, g.onset, g.beat], [0.2, 0.1, false, false]);
  });
});
