/**
 * PortAudio source: device selection, and the fault path driven by a scripted fake of the
 * native binding (errors, hangs, unexpected ends, overflows, a throwing consumer).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AudioBlock } from '../../engine/audio/AudioBlock.js';
import type { Logger } from '../../engine/log.js';
import {
  listDevices, loadBinding, openPortAudioSource, resolveDevice,
  type PortAudioBinding, type RawDevice, type RawRead, type RawStream,
} from '../../engine/audio/portaudio.js';

const SR = 48000;
const FPB = 256;
const BLOCK_MS = (FPB / SR) * 1000;
const TIMING = { watchdog: 0.1, startupTimeout: 0.4, backoffMin: 0.02, backoffMax: 0.08, closeTimeout: 0.2, logInterval: 1 };

/** What one read does; after a session's last step it delivers blocks forever. */
type Step = { blocks: number } | { overflow: number } | 'error' | 'reject' | 'hang' | 'finish';
interface ScriptedSession {
  createError?: string;
  steps?: Step[];
}

const DEVICE: RawDevice = { id: 3, name: 'Fake In', maxInputChannels: 2, defaultSampleRate: 48000, hostAPIName: 'Fake' };

/**
 * A fake naudiodon2 addon. Each `create` plays the next scripted session; data blocks are
 * interleaved int16 with left = a running frame counter (mod 30000) and right = −left, one
 * block every block duration.
 */
class FakeBinding implements PortAudioBinding {
  creates = 0;
  quits = 0;
  devicesCalls = 0;
  counter = 0;
  constructor(
    private readonly sessions: ScriptedSession[],
    /** Presence of the device for each `getDevices` call (true past the end). */
    private readonly presence: boolean[] = [],
    private readonly devices: RawDevice[] = [DEVICE],
  ) {}
  getDevices(): RawDevice[] {
    return (this.presence[this.devicesCalls++] ?? true) ? this.devices : [];
  }
  getHostAPIs() {
    return { defaultHostAPI: 0, HostAPIs: [{ defaultInput: this.devices[this.devices.length - 1].id }] };
  }
  create(): RawStream {
    const s = this.sessions[this.creates++] ?? { steps: [] };
    if (s.createError) throw new Error(s.createError);
    const steps = (s.steps ?? []).map((x) => (typeof x === 'object' ? { ...x } : x));
    let closed = false;
    let pending: ((r: RawRead) => void) | undefined;
    const self = this;
    return {
      start() {},
      read(bytes: number) {
        return new Promise<RawRead>((resolve, reject) => {
          if (closed) return resolve({ finished: true });
          const step = steps[0];
          if (step === 'hang') return (pending = resolve);
          setTimeout(() => {
            if (closed) return resolve({ finished: true });
            if (step === 'error') return steps.shift(), resolve({ err: 'Unanticipated host error' });
            if (step === 'reject') return steps.shift(), reject(new Error('napi failure'));
            if (step === 'finish') return steps.shift(), resolve({ finished: true });
            if (step && 'overflow' in step) {
              if (--step.overflow <= 0) steps.shift();
              return resolve({ err: 'portAudio status - input overflow ' });
            }
            if (step && --step.blocks <= 0) steps.shift();
            const buf = Buffer.alloc(bytes);
            for (let i = 0; i < bytes / 4; i++) {
              const v = self.counter++ % 30000;
              buf.writeInt16LE(v, 4 * i);
              buf.writeInt16LE(-v, 4 * i + 2);
            }
            resolve({ buf });
          }, BLOCK_MS);
        });
      },
      async quit() {
        closed = true;
        self.quits++;
        pending?.({ finished: true });
      },
    };
  }
}

interface Got {
  startFrame: number;
  frames: number;
  silent: boolean;
  left: number[];
  right: number[];
}

function capture() {
  const lines: string[] = [];
  const logger: Logger = {
    debug: (m) => lines.push(`debug: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
  const blocks: Got[] = [];
  const onBlock = (b: AudioBlock) =>
    blocks.push({
      startFrame: b.startFrame, frames: b.frames, silent: b.silent === true,
      left: Array.from(b.channels[0], (x) => x * 32768), right: Array.from(b.channels[1], (x) => x * 32768),
    });
  return { lines, logger, blocks, onBlock };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Runs a scripted fault and returns what the consumer saw once `realAfter` live blocks followed silence. */
async function runFault(sessions: ScriptedSession[], presence: boolean[] = [], realAfter = 20) {
  const fake = new FakeBinding(sessions, presence);
  const c = capture();
  const src = openPortAudioSource({ binding: fake, device: 'fake', logger: c.logger, timing: TIMING });
  await src.start(c.onBlock);
  const liveAfterSilence = () => {
    const i = c.blocks.findIndex((b) => b.silent);
    return i >= 0 ? c.blocks.slice(i).filter((b) => !b.silent).length : 0;
  };
  await until(() => liveAfterSilence() >= realAfter, 5000, 'recovery');
  await src.stop();
  const n = c.blocks.length;
  await sleep(50);
  assert.equal(c.blocks.length, n, 'nothing is delivered after stop()');
  await src.ended;
  return { ...c, fake, src };
}

function assertContinuous(blocks: Got[]): void {
  for (let i = 1; i < blocks.length; i++) {
    assert.equal(blocks[i].startFrame, blocks[i - 1].startFrame + blocks[i - 1].frames, `block ${i} continues block ${i - 1}`);
  }
  assert.equal(blocks[0].startFrame, 0);
}

/** Live runs carry consecutive counter values (no lost or repeated frames) and right = −left. */
function assertLiveData(blocks: Got[]): void {
  let prev: number | undefined;
  for (const b of blocks) {
    if (b.silent) {
      assert.ok(b.left.every((x) => x === 0) && b.right.every((x) => x === 0), 'silent blocks are zeros');
      prev = undefined;
      continue;
    }
    b.left.forEach((v, i) => {
      if (prev !== undefined) assert.equal(v, (prev + 1) % 30000);
      assert.ok(b.right[i] === -v, `right = -left at ${i}`);
      prev = v;
    });
  }
}

/** Pattern of runs, e.g. "live silent live". */
const runs = (blocks: Got[]) => blocks.map((b) => (b.silent ? 'silent' : 'live')).filter((x, i, a) => i === 0 || a[i - 1] !== x).join(' ');

test('a device error mid-stream: silence with continuous time, retries with back-off, then live again', async () => {
  const r = await runFault(
    [{ steps: [{ blocks: 20 }, 'error'] }, { createError: 'Could not open stream: Device unavailable' }, { steps: [] }],
    [true, true, false],
  );
  assert.equal(runs(r.blocks), 'live silent live');
  assert.equal(r.blocks.findIndex((b) => b.silent), 20);
  assertContinuous(r.blocks);
  assertLiveData(r.blocks);
  const errors = r.lines.filter((l) => l.startsWith('error:'));
  assert.deepEqual(errors, ['error: audio input "Fake In" lost: device error: Unanticipated host error; delivering silence and reopening']);
  assert.deepEqual(r.lines.filter((l) => l.startsWith('warn:')), [
    'warn: reopen attempt 1: Could not open stream: Device unavailable; next in 0.04 s',
    'warn: reopen attempt 2: device not present; next in 0.08 s',
  ]);
  assert.match(r.lines.find((l) => l.startsWith('info:')) ?? '', /^info: audio input "Fake In" is back after \d+\.\d\d s \(3 reopen attempts\)$/);
  assert.equal(r.src.stats.faults, 1);
  assert.equal(r.src.stats.reopenAttempts, 3);
  assert.ok(r.fake.quits >= 2, 'the faulted and the last stream were closed');
  // Silence covers the outage in real time: about (gap) × rate frames.
  const silentFrames = r.blocks.filter((b) => b.silent).length * FPB;
  const gap = r.src.stats.lastRecovery ?? 0;
  assert.ok(Math.abs(silentFrames / SR - gap) < 0.05, `silence ${silentFrames / SR} s vs outage ${gap} s`);
});

for (const [step, reason] of [
  ['hang', /lost: no data for 0\.1\d s/],
  ['reject', /lost: read failed: napi failure/],
  ['finish', /lost: the stream ended/],
] as const) {
  test(`fault "${step}" is detected and survived`, async () => {
    const r = await runFault([{ steps: [{ blocks: 10 }, step] }, { steps: [] }]);
    assert.equal(runs(r.blocks), 'live silent live');
    assertContinuous(r.blocks);
    assertLiveData(r.blocks);
    assert.match(r.lines.find((l) => l.startsWith('error:')) ?? '', reason);
    assert.equal(r.lines.filter((l) => l.startsWith('error:')).length, 1);
  });
}

test('no first data within the startup timeout is a fault; a reopened stream that stays mute is retried', async () => {
  const r = await runFault([{ steps: ['hang'] }, { steps: ['hang'] }, { steps: [] }]);
  assert.equal(runs(r.blocks), 'silent live');
  assertContinuous(r.blocks);
  assert.match(r.lines[0], /^error: .*lost: no data within 0\.4 s of opening/);
  assert.ok(r.lines.some((l) => /^warn: reopen attempt 1: no data within 0\.4 s of opening; next in 0\.04 s$/.test(l)), r.lines.join('\n'));
});

test('input overflow: one rate-limited warning, a zero block per lost buffer, no fault', async () => {
  const fake = new FakeBinding([{ steps: [{ blocks: 5 }, { overflow: 3 }, { blocks: 5 }, { overflow: 2 }] }]);
  const c = capture();
  const src = openPortAudioSource({ binding: fake, logger: c.logger, timing: TIMING });
  await src.start(c.onBlock);
  await until(() => c.blocks.length >= 25, 3000, 'blocks');
  await src.stop();
  assert.equal(runs(c.blocks), 'live silent live silent live');
  assertContinuous(c.blocks);
  assert.equal(src.stats.overflows, 5);
  assert.equal(src.stats.faults, 0);
  assert.deepEqual(c.lines, ['warn: audio input "Fake In": input overflow, audio dropped (is the engine keeping up?)']);
});

test('a consumer that throws does not stop the source; errors are logged at a limited rate', async () => {
  const fake = new FakeBinding([{ steps: [] }]);
  const c = capture();
  const src = openPortAudioSource({ binding: fake, logger: c.logger, timing: TIMING });
  let n = 0;
  await src.start(() => {
    n++;
    throw new Error('boom');
  });
  await until(() => n >= 30, 3000, 'blocks');
  await src.stop();
  assert.equal(src.stats.consumerErrors, n);
  assert.deepEqual(c.lines, ['error: block consumer threw: boom']);
});

test('first open failing rejects start() with the device named; bad options throw at open', async () => {
  const src = openPortAudioSource({ binding: new FakeBinding([{ createError: 'Format not supported: Invalid sample rate', steps: [] }]), sampleRate: 12345 });
  await assert.rejects(src.start(() => {}), /^Error: cannot open audio input "Fake In": Format not supported: Invalid sample rate$/);
  assert.throws(() => openPortAudioSource({ binding: new FakeBinding([]), channels: 3 }), /"Fake In" has 2 input channels; 3 requested/);
  assert.throws(() => openPortAudioSource({ binding: new FakeBinding([]), device: 'nope' }), /audio input "nope" not found; inputs are: 3: Fake In/);
  assert.throws(() => openPortAudioSource({ binding: new FakeBinding([], [false]) }), /no audio input device found/);
});

test('resolveDevice: index, exact name before substring, ambiguity, default input, inputs only', async () => {
  const devs: RawDevice[] = [
    { id: 0, name: 'Speakers', maxInputChannels: 0, defaultSampleRate: 48000, hostAPIName: 'ALSA' },
    { id: 1, name: 'USB Mic', maxInputChannels: 1, defaultSampleRate: 44100, hostAPIName: 'ALSA' },
    { id: 2, name: 'USB Mic Pro', maxInputChannels: 8, defaultSampleRate: 96000, hostAPIName: 'ALSA' },
  ];
  const b = new FakeBinding([], [], devs);
  assert.equal(resolveDevice(b, 2).name, 'USB Mic Pro');
  assert.equal(resolveDevice(b, '1').name, 'USB Mic');
  assert.equal(resolveDevice(b, 'usb mic').id, 1);
  assert.equal(resolveDevice(b, 'PRO').id, 2);
  assert.equal(resolveDevice(b).id, 2);
  assert.throws(() => resolveDevice(b, 'usb'), /"usb" is ambiguous: 1: USB Mic, 2: USB Mic Pro/);
  assert.throws(() => resolveDevice(b, 0), /audio input 0 not found/);
  assert.deepEqual(await listDevices(b), [
    { index: 1, name: 'USB Mic', hostApi: 'ALSA', maxInputChannels: 1, defaultSampleRate: 44100 },
    { index: 2, name: 'USB Mic Pro', hostApi: 'ALSA', maxInputChannels: 8, defaultSampleRate: 96000 },
  ]);
  const src = openPortAudioSource({ binding: b, device: 'pro' });
  assert.equal(src.channelCount, 2);
  assert.equal(src.sampleRate, 48000);
  assert.equal(openPortAudioSource({ binding: b, device: 1 }).channelCount, 1);
});

test('a missing naudiodon2 gives a one-line install hint', () => {
  assert.throws(() => loadBinding('naudiodon2-not-here'), (e: Error) => {
    assert.match(e.message, /^naudiodon2-not-here is not installed: .* \(npm rebuild naudiodon2 \/ install build tools\)$/);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
});

test('the real naudiodon2 loads and lists inputs (hermetic ALSA config: one null PCM)', async (t) => {
  // Before PortAudio first initialises in this process: ALSA reads its config then.
  const dir = mkdtempSync(join(tmpdir(), 'vj-alsa-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'asound.conf'), 'pcm.vj_null_in { type null }\n');
  process.env.ALSA_CONFIG_PATH = join(dir, 'asound.conf');
  let b: PortAudioBinding;
  try {
    b = loadBinding();
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    return t.skip((e as Error).message);
  }
  const devices = await listDevices(b);
  const d = devices.find((x) => x.name === 'vj_null_in');
  assert.ok(d, `vj_null_in listed: ${JSON.stringify(devices)}`);
  assert.equal(d.hostApi, 'ALSA');
  assert.ok(d.maxInputChannels >= 2 && d.defaultSampleRate > 0);
});
