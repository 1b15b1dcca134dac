import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createControlHub, type PresetSource } from '../../controllers/ControlHub.js';
import type { Preset } from '../../controllers/presets/Preset.js';
import { createParamStore, normFromValue, valueFromNorm, type ParamChange } from '../../engine/params/ParamStore.js';
import { defaultValues, fromNorm, PARAM_IDS, PARAMS } from '../../engine/params/registry.js';

const preset = (name: string, params: Preset['params'], morph: Preset['morph'] = { seconds: 0 }): Preset => ({ name, version: 1, morph, params });
function setup(presets: Preset[] = [], tempo: number | null = null) {
  let now = 0;
  const store = createParamStore(defaultValues(), () => now);
  const source: PresetSource = { get: (n) => presets.find((p) => p.name === n), names: () => presets.map((p) => p.name) };
  const hub = createControlHub({ store, presets: source, tempo: () => tempo });
  const changes: ParamChange[] = [];
  store.subscribe((c) => changes.push(c));
  return { store, hub, changes, at: (ms: number) => { now = ms; return store.tick(); } };
}

describe('parameter store', () => {
  it('snapshots are immutable and replaced on change; an unchanged value is no change', () => {
    const { store, changes } = setup();
    const a = store.current();
    assert.ok(Object.isFrozen(a));
    assert.deepEqual(store.apply({ pulse_react: a.pulse_react }, 'api'), []);
    assert.equal(store.current(), a);
    assert.deepEqual(store.apply({ pulse_react: 1.5, grain: 0.1 }, 'osc'), ['pulse_react', 'grain']);
    assert.notEqual(store.current(), a);
    assert.equal(a.pulse_react, 0.5);
    assert.deepEqual(changes.map((c) => [c.ids, c.source]), [[['pulse_react', 'grain'], 'osc']]);
  });

  it('triggers queue until taken, oldest first, and the queue is bounded', () => {
    const { store } = setup();
    store.trigger('flash', 1);
    store.trigger('tap', 2);
    assert.deepEqual(store.takeTriggers(), [{ name: 'flash', at: 1 }, { name: 'tap', at: 2 }]);
    assert.deepEqual(store.takeTriggers(), []);
    for (let i = 0; i < 1000; i++) store.trigger('flash', i);
    assert.equal(store.takeTriggers().length, 64);
  });

  it('normalised values round-trip for every parameter kind', () => {
    for (const id of PARAM_IDS) {
      const v = defaultValues()[id];
      const back = valueFromNorm(id, normFromValue(id, v));
      if (typeof v === 'number') assert.ok(Math.abs((back as number) - v) < 1e-9, id);
      else assert.equal(back, v, id);
    }
    assert.equal(valueFromNorm('interpolation', 0.49), 'linear');
    assert.equal(valueFromNorm('interpolation', 0.5), 'spherical');
    assert.equal(valueFromNorm('motion_harmonic', 0.49), false);
  });
});

describe('control hub (the mapping layer)', () => {
  it('sets in own units and normalised through the registry curve', () => {
    const { hub, store } = setup();
    assert.deepEqual(hub.dispatch({ type: 'set', id: 'speed_fpm', value: 30 }, 'osc'), { ok: true, changed: ['speed_fpm'] });
    assert.equal(store.current().speed_fpm, 30);
    hub.dispatch({ type: 'setNorm', id: 'speed_fpm', norm: 0.5 }, 'osc');
    assert.equal(store.current().speed_fpm, fromNorm(PARAMS.speed_fpm, 0.5));
    assert.ok(Math.abs(store.current().speed_fpm - 60 * Math.expm1(2) / Math.expm1(4)) < 1e-9);
    hub.dispatch({ type: 'set', id: 'interpolation', value: 'spherical' }, 'ui');
    assert.equal(store.current().interpolation, 'spherical');
  });

  it('rejects unknown ids, wrong types, out-of-range values and bad norms, changing nothing', () => {
    const { hub, store } = setup();
    const before = store.current();
    const bad = [
      { type: 'set', id: 'nope', value: 1 },
      { type: 'set', id: 'pulse_react', value: 'loud' },
      { type: 'set', id: 'pulse_react', value: 2.5 },
      { type: 'set', id: 'pulse_react', value: Number.NaN },
      { type: 'setNorm', id: 'pulse_react', norm: 1.2 },
      { type: 'set', id: 'interpolation', value: 'cubic' },
      { type: 'trigger', name: 'explode' },
      { type: 'preset', name: 'missing' },
    ] as const;
    for (const c of bad) {
      const r = hub.dispatch(c as never, 'osc');
      assert.equal(r.ok, false, JSON.stringify(c));
    }
    assert.equal(store.current(), before);
    // float32 of the range end is inside (0.97 arrives as 0.9700000286).
    assert.equal(hub.dispatch({ type: 'set', id: 'feedback_amount', value: Math.fround(0.97) }, 'osc').ok, true);
    assert.equal(store.current().feedback_amount, 0.97);
    // A MIDI range beyond the parameter's is clamped when asked.
    assert.equal(hub.dispatch({ type: 'set', id: 'pulse_react', value: 5, clamp: true }, 'midi').ok, true);
    assert.equal(store.current().pulse_react, 2);
  });

  it('a batch is atomic: one bad command and none applies; all good, one change', () => {
    const { hub, store, changes } = setup();
    const r = hub.dispatch([{ type: 'set', id: 'grain', value: 0.2 }, { type: 'set', id: 'vignette', value: 7 }], 'osc');
    assert.equal(r.ok, false);
    assert.equal(store.current().grain, 0);
    assert.equal(changes.length, 0);
    hub.dispatch([{ type: 'set', id: 'grain', value: 0.2 }, { type: 'set', id: 'vignette', value: 0.9 }, { type: 'trigger', name: 'flash' }], 'osc');
    assert.deepEqual(changes.map((c) => c.ids), [['grain', 'vignette']]);
    assert.deepEqual(store.takeTriggers().map((t) => t.name), ['flash']);
  });

  it('a preset is a whole look: it morphs linearly in normalised space over its time; what it leaves out goes to the default', () => {
    const club = preset('club', { pulse_react: 1.5, speed_fpm: 60, interpolation: 'spherical' }, { seconds: 2 });
    const { hub, store, at } = setup([club]);
    hub.dispatch({ type: 'set', id: 'grain', value: 0.3 }, 'osc');
    at(1000);
    assert.deepEqual(hub.dispatch({ type: 'preset', name: 'club' }, 'osc'), { ok: true, changed: [] });
    assert.equal(hub.presetState().name, 'club');
    assert.ok(store.morphing());
    let v = at(1500); // a quarter of the way
    assert.ok(Math.abs(v.pulse_react - (0.5 + 0.25 * 1.0)) < 1e-9, String(v.pulse_react));
    assert.ok(Math.abs(v.grain - 0.3 * 0.75) < 1e-9);
    const n0 = normFromValue('speed_fpm', 12);
    assert.ok(Math.abs(v.speed_fpm - fromNorm(PARAMS.speed_fpm, n0 + 0.25 * (1 - n0))) < 1e-9);
    assert.equal(v.interpolation, 'linear');
    v = at(2000);
    assert.equal(v.interpolation, 'spherical');
    v = at(3000);
    assert.equal(v.pulse_react, 1.5);
    assert.equal(v.speed_fpm, 60);
    assert.equal(v.grain, 0);
    assert.equal(store.morphing(), false);
  });

  it('a value set during a morph stops the morph of that parameter only; morph in beats follows the tempo', () => {
    const p = preset('slow', { pulse_react: 2, grain: 0.3 });
    const { hub, at } = setup([p, preset('still', { pulse_react: 0 })], 90);
    at(0);
    hub.dispatch({ type: 'preset', name: 'slow', morph: { beats: 3 } }, 'midi'); // 3 beats at 90 BPM = 2 s
    at(1000);
    hub.dispatch({ type: 'set', id: 'grain', value: 0.05 }, 'osc');
    let v = at(1500);
    assert.equal(v.grain, 0.05);
    assert.ok(Math.abs(v.pulse_react - (0.5 + 0.75 * 1.5)) < 1e-9);
    v = at(2000);
    assert.equal(v.pulse_react, 2);
    hub.setClock(120);
    assert.equal(hub.tempo(), 120);
    hub.dispatch({ type: 'preset', name: 'still', morph: { beats: 4 } }, 'midi'); // 2 s at the clock's 120
    assert.ok(Math.abs(at(3000).pulse_react - 1) < 1e-9);
    assert.equal(at(4000).pulse_react, 0);
  });
});
