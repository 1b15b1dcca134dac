import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { UiEvent, UiState } from '../../controllers/ui/controlProtocol.js';
import { BUILTIN_CHOICES } from '../../engine/generator/modelCatalog.js';
import { createLogger } from '../../engine/log.js';
import { startServer } from '../../engine/server/httpServer.js';
import { decodeFrame, type FrameHeader } from '../../engine/server/protocol.js';
import { startControlShow, type ControlShow } from '../helpers/controlShow.js';
import { styleganModel } from '../helpers/syntheticModels.js';

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A UI client: the events it got, and a way to send requests. */
async function ui(base: string): Promise<{ ws: WebSocket; events: UiEvent[]; state(): UiState; send(req: unknown): void }> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}control/ws`);
  const events: UiEvent[] = [];
  ws.on('message', (d) => events.push(JSON.parse(d.toString()) as UiEvent));
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  await until(() => events.some((e) => e.type === 'state'));
  return {
    ws, events,
    state: () => (events.filter((e) => e.type === 'state').at(-1) as { state: UiState }).state,
    send: (req) => ws.send(JSON.stringify(req)),
  };
}

describe('operator window channel (/control/ws)', () => {
  let cs: ControlShow;
  const modelDir = mkdtempSync(join(tmpdir(), 'vj-models-'));
  before(async () => {
    const m = styleganModel(16);
    writeFileSync(join(modelDir, 'faces.onnx'), m.onnx);
    writeFileSync(join(modelDir, 'faces.json'), JSON.stringify(m.manifest));
    cs = await startControlShow({ modelDir });
  });
  after(async () => {
    await cs.stop();
    rmSync(modelDir, { recursive: true, force: true });
  });

  it('serves the control page and its script from this machine', async () => {
    const html = await fetch(`${cs.url}control`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    const js = await fetch(`${cs.url}control.js`);
    assert.equal(js.status, 200);
  });

  it('a change from one UI reaches /api/state and both UIs; a bad request changes nothing and says why', async () => {
    const a = await ui(cs.url);
    const b = await ui(cs.url);
    assert.equal(a.state().params.pulse_react, 0.5);
    assert.deepEqual(a.state().chain, ['zoom', 'kaleido', 'rgbsplit', 'contrast', 'flash', 'hue', 'vignette', 'grain', 'feedback']);
    a.send({ type: 'command', commands: [{ type: 'set', id: 'pulse_react', value: 1.25 }] });
    await until(() => b.state().params.pulse_react === 1.25);
    assert.equal((await cs.state()).params.pulse_react, 1.25);
    a.send({ type: 'command', commands: [{ type: 'set', id: 'pulse_react', value: 9 }, { type: 'set', id: 'grain', value: 0.1 }] });
    a.send({ type: 'chain', order: ['zoom', 'nope'] });
    a.send({ hello: 1 });
    await until(() => a.events.filter((e) => e.type === 'error').length === 3);
    const errors = a.events.filter((e): e is Extract<UiEvent, { type: 'error' }> => e.type === 'error').map((e) => e.message);
    for (const want of [/pulse_react: 9 is outside 0–2/, /unknown effect "nope"/, /^bad request: type/]) assert.ok(errors.some((e) => want.test(e)), `${want} in ${errors.join(' | ')}`);
    const s = await cs.state();
    assert.equal(s.params.grain, 0);
    // Effect order, from one UI to the other and to the output's chain.
    a.send({ type: 'chain', order: ['feedback', 'zoom'] });
    await until(() => b.state().chain[0] === 'feedback');
    assert.deepEqual(b.state().chain, ['feedback', 'zoom', 'kaleido', 'rgbsplit', 'contrast', 'flash', 'hue', 'vignette', 'grain']);
    a.ws.close();
    b.ws.close();
  });

  it('a preset load and a save show in the state; the saved file is in the library', async () => {
    const a = await ui(cs.url);
    a.send({ type: 'command', commands: [{ type: 'preset', name: 'glitch', morph: { seconds: 0 } }] });
    await until(() => a.state().preset === 'glitch' && a.state().params.kaleido_segments === 6);
    a.send({ type: 'command', commands: [{ type: 'set', id: 'kaleido_segments', value: 8 }] });
    a.send({ type: 'savePreset', name: 'my-look', description: 'eight' });
    await until(() => a.state().preset === 'my-look');
    assert.equal(cs.library.get('my-look')?.params.kaleido_segments, 8);
    assert.equal(cs.library.get('my-look')?.description, 'eight');
    assert.ok(a.state().presets.some((p) => p.name === 'my-look' && p.description === 'eight'));
    a.send({ type: 'savePreset', name: '../escape' });
    await until(() => a.events.some((e) => e.type === 'error'));
    a.ws.close();
  });

  it('the preset on stage edited on disk: its new values at once; a broken edit changes nothing and the file stays as written', async () => {
    const a = await ui(cs.url);
    await cs.library.save('stage', { params: { kaleido_segments: 3, grain: 0.2 } });
    a.send({ type: 'command', commands: [{ type: 'preset', name: 'stage', morph: { seconds: 0 } }] });
    await until(() => a.state().preset === 'stage' && a.state().params.kaleido_segments === 3);
    const file = join(cs.userDir, 'stage.json');
    writeFileSync(file, JSON.stringify({ version: 1, params: { kaleido_segments: 7, grain: 0.2 } }));
    await until(() => a.state().params.kaleido_segments === 7);
    assert.equal((await cs.state()).params.kaleido_segments, 7);
    const broken = JSON.stringify({ version: 1, params: { kaleido_segments: 'many' } });
    writeFileSync(file, broken);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(a.state().params.kaleido_segments, 7);
    assert.equal(cs.library.get('stage')?.params.kaleido_segments, 7, 'the library keeps the last good version');
    assert.equal(readFileSync(file, 'utf8'), broken, 'the broken file is not overwritten');
    // Another preset edited on disk is re-read but not applied: it is not on stage.
    await cs.library.save('other', { params: { kaleido_segments: 4 } });
    writeFileSync(join(cs.userDir, 'other.json'), JSON.stringify({ version: 1, params: { kaleido_segments: 5 } }));
    await until(() => cs.library.get('other')?.params.kaleido_segments === 5);
    assert.equal(a.state().params.kaleido_segments, 7);
    a.ws.close();
  });

  it('MIDI learn from a UI binds the next control moved; the mapping shows in every UI', async () => {
    const a = await ui(cs.url);
    a.send({ type: 'learn', target: 'zoom_pulse' });
    await until(() => a.state().midi?.learning === 'zoom_pulse');
    cs.midi.inject('Test Knobs', { type: 'cc', channel: 1, controller: 20, value: 0 });
    await until(() => a.events.some((e) => e.type === 'learned'));
    await until(() => a.state().midi?.learning === null);
    assert.ok(a.state().midi!.mappings.some((m) => m.kind === 'cc' && m.controller === 20 && m.param === 'zoom_pulse'));
    cs.midi.inject('Test Knobs', { type: 'cc', channel: 1, controller: 20, value: 127 });
    await until(() => a.state().params.zoom_pulse === 0.5);
    a.send({ type: 'mappings', mappings: [] });
    await until(() => a.state().midi!.mappings.length === 0);
    a.ws.close();
  });

  it('meters stream at about 20 Hz; blackout reaches the outputs', async () => {
    const a = await ui(cs.url);
    await until(() => a.events.filter((e) => e.type === 'meters').length >= 5);
    const m = (a.events.find((e) => e.type === 'meters') as Extract<UiEvent, { type: 'meters' }>).meters;
    assert.equal(m.levelsDb.length, 1);
    assert.equal(m.chroma.length, 12);
    assert.equal(m.bands.length, 3);
    assert.equal(typeof m.stats.inferenceFps, 'number');
    // The click track's hits are a few ms long; meters hold the peak between messages.
    await until(() => a.events.filter((e) => e.type === 'meters').length >= 30);
    const all = a.events.filter((e): e is Extract<UiEvent, { type: 'meters' }> => e.type === 'meters').map((e) => e.meters);
    assert.ok(all.some((x) => x.levelsDb[0] > -30), `levels ${all.map((x) => x.levelsDb[0]).join(' ')}`);
    assert.ok(all.some((x) => x.onset), 'an onset blink within 1.5 s of 120 BPM clicks');
    const out = new WebSocket(`${cs.url.replace('http', 'ws')}ws`);
    const told: unknown[] = [];
    out.on('message', (d, binary) => !binary && told.push(JSON.parse(d.toString())));
    await until(() => told.length > 0);
    assert.deepEqual(told[0], { type: 'output', blackout: false, freeze: false, aspect: 'fit', upscale: 'bicubic' });
    a.send({ type: 'command', commands: [{ type: 'set', id: 'blackout', value: true }] });
    await until(() => told.some((t) => (t as { blackout?: boolean }).blackout === true));
    a.send({ type: 'command', commands: [{ type: 'preset', name: 'club', morph: { seconds: 0 } }] });
    await until(() => a.state().preset === 'club');
    assert.equal(a.state().params.blackout, true, 'a preset load leaves the panic keys alone');
    a.send({ type: 'command', commands: [{ type: 'set', id: 'blackout', value: false }] });
    await until(() => told.some((t) => (t as { blackout?: boolean }).blackout === false && told.indexOf(t) > 0));
    out.close();
    a.ws.close();
  });

  it("MIDI clock: the show's tempo and beats follow it over the music (150 BPM clock, 120 BPM clicks); after Stop the music's tempo returns", async (t) => {
    const frames: FrameHeader[] = [];
    const out = new WebSocket(`${cs.url.replace('http', 'ws')}ws`);
    out.on('message', (d, binary) => binary && frames.push(decodeFrame(d as Buffer).header));
    await until(() => Math.abs((cs.show.tempo() ?? 0) - 120) <= 1, 10000);
    const PULSE_MS = 60000 / (150 * 24);
    const t0 = performance.now() + 20;
    cs.midi.inject('Test Knobs', { type: 'start' }, t0 - 1);
    let sent = 0;
    const timer = setInterval(() => {
      for (const now = performance.now(); t0 + sent * PULSE_MS <= now; sent++) cs.midi.inject('Test Knobs', { type: 'clock' }, t0 + sent * PULSE_MS);
    }, 4);
    try {
      await until(() => sent >= 24 * 12, 10000); // 12 beats: 4.8 s
      assert.equal(cs.show.tempo(), 150);
      // Frames (30 fps) from the 4th clock beat on: every beat flag within a frame of a clock
      // beat, and most clock beats flagged (a frame the generator skipped carries none).
      const beats = Array.from({ length: 9 }, (_, k) => t0 + (k + 3) * 24 * PULSE_MS);
      const from = beats[0] - 100;
      const flagged = frames.filter((f) => f.features.beat && f.capturedAt - performance.timeOrigin >= from).map((f) => f.capturedAt - performance.timeOrigin);
      const errors = flagged.map((at) => at - beats.reduce((near, b) => (Math.abs(at - b) < Math.abs(at - near) ? b : near)));
      for (const e of errors) assert.ok(e > -15 && e < 80, `a beat flag ${e.toFixed(1)} ms from the nearest clock beat (${errors.map((x) => x.toFixed(0)).join(', ')})`);
      assert.ok(flagged.length >= 6 && flagged.length <= 9, `${flagged.length} beat frames for 9 clock beats`);
      t.diagnostic(`beat frames after the clock's beats (ms): ${errors.map((x) => x.toFixed(1)).join(', ')}`);
    } finally {
      clearInterval(timer);
      out.close();
    }
    cs.midi.inject('Test Knobs', { type: 'stop' }, performance.now());
    await until(() => Math.abs((cs.show.tempo() ?? 0) - 120) <= 1, 15000);
  });

  it('switches the input and the model from a UI; every UI sees it; a bad switch says why and changes nothing', async () => {
    const a = await ui(cs.url);
    const b = await ui(cs.url);
    const faces = join(modelDir, 'faces.json');
    assert.deepEqual(a.state().choices.models, [...BUILTIN_CHOICES, faces]);
    assert.ok(a.state().choices.inputs.some((i) => i.name === 'demo'), 'the demo clip is always offered');
    assert.equal(a.state().model.spec, 'builtin');
    a.send({ type: 'model', model: faces });
    await until(() => b.state().model.spec === faces);
    assert.deepEqual([b.state().model.width, b.state().model.height], [16, 16]);
    assert.equal((await cs.state()).model.name, 'synthetic-stylegan');
    a.send({ type: 'model', model: join(modelDir, 'gone.json') });
    await until(() => a.events.some((e) => e.type === 'error'));
    a.send({ type: 'input', name: 'demo', routes: 'main=1+2' });
    a.send({ type: 'input', name: 'demo', routes: 'drums=' });
    await until(() => a.events.filter((e) => e.type === 'error').length === 3);
    const errors = a.events.filter((e): e is Extract<UiEvent, { type: 'error' }> => e.type === 'error').map((e) => e.message);
    for (const want of [/gone\.json: not found/, /input "main" uses channel 2 but the source has only 1 channel/, /input "drums" has no channels/]) {
      assert.ok(errors.some((e) => want.test(e)), `${want} in ${errors.join(' | ')}`);
    }
    assert.equal(b.state().model.spec, faces);
    assert.equal(b.state().input.name, 'test signal');
    // The bundled demo clip (44.1 kHz mono), through the same opener as `vj start --input demo`.
    a.send({ type: 'input', name: 'demo', routes: null });
    await until(() => b.state().input.name === 'demo', 15000);
    assert.equal(b.state().input.sampleRate, 44100);
    assert.deepEqual(b.state().input.routes, [{ name: 'main', channels: [0] }]);
    // A preset made on another model brings it along; saving records the running model.
    await cs.library.save('on-two', { params: { kaleido_segments: 5 }, model: 'builtin:2' });
    a.send({ type: 'command', commands: [{ type: 'preset', name: 'on-two', morph: { seconds: 0 } }] });
    await until(() => b.state().model.spec === 'builtin:2' && b.state().params.kaleido_segments === 5);
    a.send({ type: 'savePreset', name: 'saved-on-two' });
    await until(() => a.state().preset === 'saved-on-two');
    assert.equal(cs.library.get('saved-on-two')?.model, 'builtin:2');
    a.ws.close();
    b.ws.close();
  });
});

describe('the engine beyond this machine', () => {
  const lan = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  it('needs the token for everything but the scripts; the operator window also --control-remote', { skip: lan ? false : 'no non-loopback IPv4 interface' }, async () => {
    const log = createLogger('test', 'silent');
    const page = async () => ({ type: 'text/html', body: 'ok' });
    const open = (token: string | null, controlRemote: boolean) => startServer({
      port: 0, bind: lan!, log, access: { token, controlRemote }, state: () => ({}), stats: () => ({}), onPresented() {},
      page: async () => ({ html: 'page', js: 'js' }), pages: { '/control': page },
    });
    const locked = await open(null, false);
    const withToken = await open('s3cret', true);
    const outputsOnly = await open('s3cret', false);
    try {
      assert.equal((await fetch(`${locked.url}control?token=s3cret`)).status, 403);
      assert.equal((await fetch(`${locked.url}api/state`)).status, 403);
      assert.equal((await fetch(`${locked.url}`)).status, 403);
      assert.equal((await fetch(`${locked.url}renderer.js`)).status, 200, 'the scripts are public');
      assert.equal((await fetch(`${withToken.url}control`)).status, 403);
      assert.equal((await fetch(`${withToken.url}control?token=wrong`)).status, 403);
      assert.equal((await fetch(`${withToken.url}control?token=s3cret`)).status, 200);
      assert.equal((await fetch(`${withToken.url}api/state?token=s3cret`)).status, 200);
      assert.equal((await fetch(`${withToken.url}api/state`)).status, 403);
      assert.equal((await fetch(`${outputsOnly.url}?token=s3cret`)).status, 200, 'an output on another machine, with the token');
      assert.equal((await fetch(`${outputsOnly.url}control?token=s3cret`)).status, 403, 'no operator window without --control-remote');
      assert.equal((await fetch(`${locked.url}control.js`)).status, 404, 'the script is public (not a control path), here simply not served');
    } finally {
      await outputsOnly.close();
      await locked.close();
      await withToken.close();
    }
  });
});
