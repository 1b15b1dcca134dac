import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Client } from 'node-osc';
import { startControls, type Controls } from '../../controllers/startControls.js';
import type { Preset } from '../../controllers/presets/Preset.js';
import { createLogger } from '../../engine/log.js';
import { createParamStore } from '../../engine/params/ParamStore.js';
import { defaultValues } from '../../engine/params/registry.js';
import type { Show } from '../../engine/show/liveShow.js';
import { createFakeMidi } from '../helpers/fakeMidi.js';
import { startTestShow } from '../helpers/show.js';

const run = promisify(execFile);
const glitch: Preset = { name: 'glitch', version: 1, morph: { seconds: 0 }, params: { kaleido_segments: 6 }, chain: ['rgbsplit', 'kaleido'] };

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a live show under control (OSC, MIDI, presets) as `vj start` composes it', () => {
  let show: Show;
  let controls: Controls;
  let client: Client;
  let percussive = 0;
  const midi = createFakeMidi({ inputs: ['Test Knobs'], outputs: ['Test Knobs'] });
  const state = async () => (await (await fetch(`${show.server.url}api/state`)).json()) as Record<string, any>;
  before(async () => {
    const store = createParamStore({ ...defaultValues(), speed_fpm: 0 });
    controls = await startControls({
      store, presets: { get: (n) => (n === 'glitch' ? glitch : undefined), names: () => ['glitch'], save: () => Promise.reject(new Error('read-only')) },
      tempo: () => show?.tempo() ?? null, osc: { port: 0, bind: '127.0.0.1' }, oscOut: [],
      midi: { devices: ['knobs'], backend: midi }, log: createLogger('test', 'silent'),
    });
    controls.midi!.setMappings([{ kind: 'cc', controller: 7, param: 'vignette', curve: 'linear', invert: false }]);
    show = await startTestShow({
      params: store.current(), store, size: 32, fps: 30,
      audio: { sampleRate: 48000, channels: [new Float32Array(48000)] }, // silence: no hits of its own
      extras: {
        effectOrder: () => controls.hub.presetState().chain, stateExtras: controls.state, api: controls.api,
        onFrame: (f) => (percussive = Math.max(percussive, f.percussiveNorm)),
      },
    });
    client = new Client('127.0.0.1', controls.osc!.port);
  });
  after(async () => {
    await client.close();
    await show.stop();
    await controls.close();
  });

  it('OSC from node-osc and from oscsend shows in GET /api/state; GET /api/osc lists the addresses', async () => {
    await client.send('/vj/param/pulse_react', 1.75);
    await run('oscsend', ['localhost', String(controls.osc!.port), '/vj/param/hue_speed', 'f', '45']);
    await until(async () => (await state()).params.hue_speed === 45);
    assert.equal((await state()).params.pulse_react, 1.75);
    const list = (await (await fetch(`${show.server.url}api/osc`)).json()) as { address: string; value?: unknown }[];
    assert.deepEqual(list.find((a) => a.address === '/vj/param/pulse_react')?.value, 1.75);
  });

  it('MIDI CC moves a parameter through the same layer (seen in /api/state)', async () => {
    // The knob starts far from the value (soft takeover): first it has to pass the current 0.35.
    for (const v of [10, 30, 44, 45, 127]) midi.inject('Test Knobs', { type: 'cc', channel: 1, controller: 7, value: v });
    await until(async () => (await state()).params.vignette === 1);
  });

  it('a preset over OSC changes the look and the effect order, shown in the state', async () => {
    await client.send('/vj/preset', 'glitch');
    await until(async () => (await state()).preset === 'glitch');
    const s = await state();
    assert.equal(s.params.kaleido_segments, 6);
    assert.equal(s.params.pulse_react, 0.5, 'what the preset leaves out goes back to the default');
    assert.deepEqual(s.chain, ['rgbsplit', 'kaleido']);
  });

  it('the flash trigger hits the effects in silence; taps set the tempo', async () => {
    percussive = 0;
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(percussive < 0.05, `silence drives nothing (${percussive})`);
    await client.send('/vj/trigger/flash');
    await until(() => percussive > 0.5);
    assert.equal(percussive, 1, 'the first frame after a flash gets it at full strength');
    // Taps on an absolute 600 ms grid (node-osc: no process start between them; oscsend is tested above).
    const start = Date.now();
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, start + i * 600 - Date.now()));
      await client.send('/vj/trigger/tap');
    }
    await until(() => show.tempo() !== null);
    assert.ok(Math.abs(show.tempo()! - 100) < 6, `tapped 100 BPM, got ${show.tempo()}`);
  });
});
