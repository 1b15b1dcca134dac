import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Client, decode, encode } from 'node-osc';
import { createControlHub, type ControlHub } from '../../controllers/ControlHub.js';
import { commandFromMessage, oscAddresses, oscMarkdownTable } from '../../controllers/osc/oscAddresses.js';
import { createOscOut, featureMessages, parseOscTarget } from '../../controllers/osc/oscOut.js';
import { startOscServer, type OscInput } from '../../controllers/osc/oscServer.js';
import type { Preset } from '../../controllers/presets/Preset.js';
import { createFeatures } from '../../engine/analysis/Features.js';
import { createLogger } from '../../engine/log.js';
import { mulberry32 } from '../../engine/random.js';
import { createParamStore, type ParamStore } from '../../engine/params/ParamStore.js';
import { defaultValues, PARAM_IDS } from '../../engine/params/registry.js';
import { TRIGGERS } from '../../controllers/commands.js';

const run = promisify(execFile);
const quiet = createLogger('test', 'silent');
const club: Preset = { name: 'club', version: 1, morph: { seconds: 0 }, params: { pulse_react: 1.5 } };

/** Polls `cond` every 5 ms for up to `ms`. */
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** A UDP socket that collects decoded OSC messages (bundles flattened). */
async function listener(port = 0): Promise<{ sock: Socket; port: number; got: unknown[][] }> {
  const sock = createSocket('udp4');
  const got: unknown[][] = [];
  const take = (d: { oscType: string; address?: string; args?: { value: unknown }[]; elements?: unknown[] }): void => {
    if (d.oscType === 'bundle') for (const e of d.elements ?? []) take(e as typeof d);
    else got.push([d.address, ...(d.args ?? []).map((a) => a.value)]);
  };
  sock.on('message', (buf) => take(decode(buf) as never));
  await new Promise<void>((r) => sock.bind(port, '127.0.0.1', () => r()));
  return { sock, port: sock.address().port, got };
}

describe('OSC address space', () => {
  it('is derived from the registry: two addresses per parameter, the triggers, preset, input, model, query and ping', () => {
    const list = oscAddresses(defaultValues());
    assert.equal(list.length, PARAM_IDS.length * 2 + TRIGGERS.length + 5);
    assert.deepEqual(list.find((a) => a.address === '/vj/param/pulse_react'), {
      address: '/vj/param/pulse_react', types: 'f', min: 0, max: 2, value: 0.5, unit: 'x', doc: 'Transient kick of the latent on onsets',
    });
    assert.ok(oscMarkdownTable(defaultValues()).includes('| `/vj/trigger/tap` | – |  |  | Tap tempo |'));
  });

  it('docs/control.md holds the current address table', () => {
    const doc = readFileSync(new URL('../../docs/control.md', import.meta.url), 'utf8');
    assert.ok(doc.includes(oscMarkdownTable(defaultValues())), 'docs/control.md OSC table is stale: run node --import tsx scripts/params-table.ts --osc');
  });

  it('maps messages to commands and refuses what does not fit', () => {
    assert.deepEqual(commandFromMessage('/vj/param/grain', [0.1]), { ok: true, command: { type: 'set', id: 'grain', value: 0.1 } });
    assert.deepEqual(commandFromMessage('/vj/param/grain/norm', [0.5]), { ok: true, command: { type: 'setNorm', id: 'grain', norm: 0.5 } });
    assert.deepEqual(commandFromMessage('/vj/trigger/tap', []), { ok: true, command: { type: 'trigger', name: 'tap' } });
    assert.deepEqual(commandFromMessage('/vj/preset', ['club', 4]), { ok: true, command: { type: 'preset', name: 'club', morph: { seconds: 4 } } });
    assert.deepEqual(commandFromMessage('/vj/input', ['demo']), { ok: true, switch: { type: 'input', name: 'demo', routes: null } });
    assert.deepEqual(commandFromMessage('/vj/input', ['Scarlett', 'drums=1-2,keys=3']), { ok: true, switch: { type: 'input', name: 'Scarlett', routes: 'drums=1-2,keys=3' } });
    assert.deepEqual(commandFromMessage('/vj/model', ['builtin:3']), { ok: true, switch: { type: 'model', model: 'builtin:3' } });
    for (const [a, args] of [['/vj/param/nope', [1]], ['/vj/param/grain', []], ['/vj/param/grain', [1, 2]], ['/vj/param/grain/norm', ['x']],
      ['/vj/trigger/boom', []], ['/vj/preset', [3]], ['/vj/preset', ['club', -1]], ['/other', [1]], ['/vj/param/grain/extra/x', [1]],
      ['/vj/input', []], ['/vj/input', [3]], ['/vj/input', ['demo', 1]], ['/vj/input', ['']], ['/vj/model', []], ['/vj/model', ['a', 'b']], ['/vj/model', [1]]] as const) {
      assert.equal(commandFromMessage(a, args as never).ok, false, a);
    }
  });

  it('parses --osc-out targets', () => {
    assert.deepEqual(parseOscTarget('7000'), { host: '127.0.0.1', port: 7000 });
    assert.deepEqual(parseOscTarget('192.168.1.20:9001'), { host: '192.168.1.20', port: 9001 });
    assert.throws(() => parseOscTarget('host:99999'), /--osc-out host:99999/);
  });
});

describe('OSC in over real UDP', () => {
  let store: ParamStore;
  let hub: ControlHub;
  let osc: OscInput;
  let client: Client;
  before(async () => {
    store = createParamStore(defaultValues());
    hub = createControlHub({ store, presets: { get: (n) => (n === 'club' ? club : undefined), names: () => ['club'] } });
    osc = await startOscServer({ hub, port: 0, bind: '127.0.0.1', log: quiet });
    client = new Client('127.0.0.1', osc.port);
  });
  after(async () => {
    await client.close();
    await osc.close();
  });

  it('node-osc messages set parameters in own units and normalised, fire triggers and load presets', async () => {
    await client.send('/vj/preset', 'club', 0);
    await until(() => store.current().pulse_react === 1.5);
    await client.send('/vj/param/speed_fpm', 30);
    await client.send('/vj/param/truncation', 1.25);
    await client.send('/vj/param/interpolation', 'spherical');
    await client.send('/vj/param/motion_percussive', true);
    await client.send('/vj/param/pulse_react/norm', 0.25);
    await client.send('/vj/trigger/keyframe');
    await until(() => store.current().pulse_react === 0.25 * 2);
    const v = store.current();
    assert.deepEqual([v.speed_fpm, v.truncation, v.interpolation, v.motion_percussive], [30, 1.25, 'spherical', true]);
    assert.deepEqual(store.takeTriggers().map((t) => t.name), ['keyframe']);
  });

  it("liblo's oscsend sets a parameter (f and i) and fires a trigger", async () => {
    await run('oscsend', ['localhost', String(osc.port), '/vj/param/grain', 'f', '0.125']);
    await run('oscsend', ['localhost', String(osc.port), '/vj/param/kaleido_segments', 'i', '6']);
    await run('oscsend', ['localhost', String(osc.port), '/vj/trigger/tap']);
    await until(() => store.current().kaleido_segments === 6);
    assert.equal(store.current().grain, 0.125);
    await until(() => store.takeTriggers().some((t) => t.name === 'tap'));
  });

  it('/vj/input and /vj/model switch the show through the hub (oscsend); a refused switch or one in a bundle changes nothing', async () => {
    const calls: unknown[][] = [];
    hub.attachShow({
      setInput: async (name, routes) => void calls.push(['input', name, routes]),
      setModel: async (spec) => {
        if (spec === 'broken.json') throw new Error('broken.json: not found');
        calls.push(['model', spec]);
      },
    });
    const before = osc.stats();
    await run('oscsend', ['localhost', String(osc.port), '/vj/model', 's', 'builtin:3']);
    await run('oscsend', ['localhost', String(osc.port), '/vj/input', 'ss', 'demo', 'a=1,b=2']);
    await run('oscsend', ['localhost', String(osc.port), '/vj/model', 's', 'broken.json']);
    await run('oscsend', ['localhost', String(osc.port), '/vj/input', 'ss', 'demo', 'a=0']);
    const sock = createSocket('udp4');
    sock.send(encode({ oscType: 'bundle', timetag: 0, elements: [
      { oscType: 'message', address: '/vj/model', args: [{ type: 's', value: 'builtin:2' }] },
      { oscType: 'message', address: '/vj/param/vignette', args: [{ type: 'f', value: 0.5 }] },
    ] } as never), osc.port, '127.0.0.1');
    await until(() => osc.stats().rejected === before.rejected + 3);
    sock.close();
    assert.deepEqual(calls, [['model', 'builtin:3'], ['input', 'demo', [{ name: 'a', channels: [0] }, { name: 'b', channels: [1] }]]]);
    assert.equal(osc.stats().applied, before.applied + 2);
    assert.notEqual(store.current().vignette, 0.5);
  });

  it('a bundle applies atomically: one bad message and none of it applies', async () => {
    const before = osc.stats();
    const good = { oscType: 'bundle', timetag: 0, elements: [
      { oscType: 'message', address: '/vj/param/vignette', args: [{ type: 'f', value: 0.75 }] },
      { oscType: 'message', address: '/vj/param/hue_speed', args: [{ type: 'f', value: 20 }] },
    ] };
    const bad = { ...good, elements: [...good.elements.map((e) => ({ ...e, args: [{ type: 'f', value: 0.5 }] })), { oscType: 'message', address: '/vj/param/hue_speed', args: [{ type: 'f', value: 999 }] }] };
    const changes: string[][] = [];
    const off = store.subscribe((c) => changes.push([...c.ids]));
    const sock = createSocket('udp4');
    sock.send(encode(bad), osc.port, '127.0.0.1');
    sock.send(encode(good), osc.port, '127.0.0.1');
    await until(() => osc.stats().packets === before.packets + 2);
    sock.close();
    off();
    assert.equal(store.current().vignette, 0.75);
    assert.equal(store.current().hue_speed, 20);
    assert.deepEqual(changes, [['vignette', 'hue_speed']], 'the good bundle is one change; the bad one none');
    assert.equal(osc.stats().rejected, before.rejected + 1);
  });

  it('/vj/query answers the sender with every address, range and value; /vj/ping answers /vj/pong', async () => {
    const me = await listener();
    me.sock.send(encode({ oscType: 'message', address: '/vj/query', args: [] }), osc.port, '127.0.0.1');
    await until(() => me.got.some((m) => m[0] === '/vj/info/end'));
    const infos = me.got.filter((m) => m[0] === '/vj/info');
    assert.equal(infos.length, oscAddresses(store.current()).length);
    const g = infos.find((m) => m[1] === '/vj/param/grain')!;
    assert.deepEqual([g[2], g[3], Math.round((g[4] as number) * 1e6) / 1e6, g[5]], ['f', 0, 0.3, 0.125]);
    // A /norm address gives the normalised value through the curve (grain is linear over 0–0.3).
    const n = infos.find((m) => m[1] === '/vj/param/grain/norm')!;
    assert.deepEqual([n[2], n[3], n[4], Math.round((n[5] as number) * 1e6) / 1e6], ['f', 0, 1, Math.round((0.125 / 0.3) * 1e6) / 1e6]);
    assert.deepEqual(me.got.at(-1), ['/vj/info/end', infos.length]);
    me.sock.send(encode({ oscType: 'message', address: '/vj/ping', args: [] }), osc.port, '127.0.0.1');
    await until(() => me.got.some((m) => m[0] === '/vj/pong'));
    me.sock.close();
  });

  it('with a reply port, answers go to that port of the sender', async () => {
    const replies = await listener();
    const other = await startOscServer({ hub, port: 0, bind: '127.0.0.1', replyPort: replies.port, log: quiet });
    const c = new Client('127.0.0.1', other.port);
    await c.send('/vj/ping');
    await until(() => replies.got.some((m) => m[0] === '/vj/pong'));
    await c.close();
    await other.close();
    replies.sock.close();
  });

  it('100,000 random and malformed packets: no crash, it still answers, and only the valid messages among them change state', async () => {
    const rnd = mulberry32(7);
    const sock = createSocket('udp4');
    const start = osc.stats();
    const valid = encode({ oscType: 'message', address: '/vj/param/vignette', args: [{ type: 'f', value: 0.5 }] });
    const expected = { ...store.current() };
    const forms: (() => Buffer)[] = [
      () => Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256))),
      () => valid.subarray(0, Math.floor(rnd() * valid.length)), // truncated
      () => Buffer.concat([Buffer.from('#bundle\0'), Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)))]),
      () => encode({ oscType: 'message', address: '/vj/param/vignette', args: [{ type: 's', value: 'dark' }] }),
      () => encode({ oscType: 'message', address: '/vj/param/vignette', args: [{ type: 'f', value: 1 + rnd() * 100 }] }),
      () => encode({ oscType: 'message', address: '/vj/param/vignette', args: [{ type: 'f', value: Number.NaN }] }),
      () => encode({ oscType: 'message', address: `/vj/param/x${Math.floor(rnd() * 1e6)}`, args: [{ type: 'f', value: 0.1 }] }),
      () => encode({ oscType: 'message', address: '/vj/trigger/nope', args: [] }),
      () => encode({ oscType: 'message', address: '/vj/preset', args: [{ type: 'i', value: 3 }] }),
      () => encode({ oscType: 'bundle', timetag: 0, elements: [{ oscType: 'message', address: '/vj/param/grain', args: [{ type: 'f', value: 0.2 }] }, { oscType: 'message', address: '/vj/param/grain', args: [] }] }),
    ];
    const TOTAL = 100_000;
    let validSent = 0;
    for (let i = 0; i < TOTAL; i++) {
      // One in a thousand is a valid message: the grain value it carries is the expected state.
      let buf: Buffer;
      if (i % 1000 === 999) {
        const value = Math.round(rnd() * 300) / 1000;
        expected.grain = Math.fround(value);
        buf = encode({ oscType: 'message', address: '/vj/param/grain', args: [{ type: 'f', value }] });
        validSent++;
      } else buf = forms[Math.floor(rnd() * forms.length)]();
      sock.send(buf, osc.port, '127.0.0.1');
      // UDP drops what the receive buffer cannot hold (about 270 small datagrams at Linux's
      // default 208 KiB): send in batches of 100 and let the server take each.
      if (i % 100 === 99) await until(() => osc.stats().packets - start.packets >= i + 1, 5000);
    }
    await until(() => osc.stats().packets - start.packets >= TOTAL, 20_000);
    sock.close();
    const s = osc.stats();
    assert.equal(s.packets - start.packets, TOTAL, 'every packet was received and handled');
    assert.equal(s.applied - start.applied, validSent);
    assert.equal(s.rejected - start.rejected, TOTAL - validSent);
    assert.deepEqual(store.current(), expected);
    // Still answering.
    const me = await listener();
    me.sock.send(encode({ oscType: 'message', address: '/vj/ping', args: [] }), osc.port, '127.0.0.1');
    await until(() => me.got.some((m) => m[0] === '/vj/pong'));
    me.sock.close();
  });
});

describe('OSC out', () => {
  it("features at frame rate and parameter echoes reach liblo's oscdump", async () => {
    const probe = await listener();
    const port = probe.port;
    probe.sock.close();
    const dump = spawn('oscdump', ['-L', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    dump.stdout.on('data', (d: Buffer) => (text += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 300));
      const store = createParamStore(defaultValues());
      const out = createOscOut([{ host: '127.0.0.1', port }], store, quiet);
      const f = createFeatures();
      f.rms = 0.25;
      f.onset = true;
      f.onsetStrengthNorm = 0.5;
      f.chroma.set([1, 0, 0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0]);
      f.bandsNorm.set([0.75, 0.5, 0.25]);
      f.bass.set([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
      f.chord = { root: 9, quality: 'm7', confidence: 0.75 };
      f.bpm = 128;
      f.beat = true;
      f.beatPhase = 0;
      await until(() => {
        out.sendFeatures(f);
        return text.includes('/vj/audio/beat');
      });
      store.apply({ grain: 0.25, motion_percussive: true, interpolation: 'spherical' }, 'api');
      await until(() => text.includes('/vj/param/interpolation'));
      await out.close();
      assert.match(text, /\/vj\/audio\/rms f 0\.250*\b/);
      assert.match(text, /\/vj\/audio\/onset ff 1\.0+ 0\.50*\b/);
      assert.match(text, /\/vj\/audio\/chroma f{12} 1\.0+ 0\.0+ 0\.0+ 0\.0+ 0\.0+ 0\.0+ 0\.0+ 0\.50*/);
      assert.match(text, /\/vj\/audio\/bass f{12} 0\.0+ 0\.0+ 0\.0+ 0\.0+ 0\.0+ 0\.0+ 0\.0+ 1\.0+/);
      assert.match(text, /\/vj\/audio\/chord isf 9 "m7" 0\.750*/);
      assert.match(text, /\/vj\/audio\/bands fff 0\.750* 0\.50* 0\.250*/);
      assert.match(text, /\/vj\/audio\/bpm f 128\.0+/);
      assert.match(text, /\/vj\/param\/grain f 0\.250*/);
      assert.match(text, /\/vj\/param\/motion_percussive T/);
      assert.match(text, /\/vj\/param\/interpolation s "spherical"/);
    } finally {
      dump.kill();
    }
    const silent = featureMessages(createFeatures());
    assert.equal(silent.length, 8);
    assert.deepEqual(silent.find((m) => m.address === '/vj/audio/chord')?.args, [{ type: 'i', value: -1 }, { type: 's', value: 'none' }, { type: 'f', value: 0 }]);
  });
});
