/**
 * THE real capture tests: PulseAudio null sink → ALSA pulse PCM "test_in" → PortAudio
 * (naudiodon2) → openPortAudioSource, in a child process that gets ALSA_CONFIG_PATH before
 * PortAudio initialises. Under CI=true a missing prerequisite fails; elsewhere it skips.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadBinding } from '../../engine/audio/portaudio.js';
import { clickTrack, interleaveInt16, whiteNoise } from '../../engine/audio/testSignals.js';
import { pulseMissing, requireOrSkip, startPulse, type PulseEnv } from '../helpers/pulse.js';
import type { CaptureMessage, CaptureRequest } from '../helpers/captureChild.js';

const SR = 48000;
const CHILD = fileURLToPath(new URL('../helpers/captureChild.ts', import.meta.url));

function prerequisite(): string | undefined {
  const pulse = pulseMissing();
  if (pulse) return pulse;
  try {
    loadBinding();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A child message and the epoch ms at which the parent received it. */
type Received = CaptureMessage & { receivedEpochMs: number };

interface Child {
  proc: ChildProcess;
  stderr: () => string;
  next: (type: CaptureMessage['type'], timeoutMs: number) => Promise<Received>;
}

/** Spawns the capture child and lets the test await its messages in order of type. */
function spawnCapture(pulse: Pick<PulseEnv, 'env'>, req: CaptureRequest): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(req)], {
    env: pulse.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let err = '';
  proc.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  proc.stdout?.resume();
  const seen: Received[] = [];
  const waiters: { type: string; resolve: (m: Received) => void }[] = [];
  proc.on('message', (msg: CaptureMessage) => {
    const m = { ...msg, receivedEpochMs: performance.timeOrigin + performance.now() };
    const w = waiters.findIndex((x) => x.type === m.type || m.type === 'error');
    if (w >= 0) waiters.splice(w, 1)[0].resolve(m);
    else seen.push(m);
  });
  return {
    proc,
    stderr: () => err,
    next(type, timeoutMs) {
      const i = seen.findIndex((m) => m.type === type || m.type === 'error');
      const got = i >= 0 ? Promise.resolve(seen.splice(i, 1)[0]) : new Promise<Received>((resolve) => waiters.push({ type, resolve }));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no "${type}" from the capture child within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
      });
      return Promise.race([got, timeout]).then((m) => {
        clearTimeout(timer);
        if (m.type === 'error') throw new Error(`capture child failed: ${m.message}\n${err}`);
        return m;
      });
    },
  };
}

async function setUp(t: TestContext): Promise<{ pulse: PulseEnv; dir: string } | undefined> {
  if (!requireOrSkip(t, prerequisite())) return undefined;
  const pulse = await startPulse();
  const dir = mkdtempSync(join(tmpdir(), 'vj-capture-'));
  t.after(async () => {
    await pulse.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { pulse, dir };
}

/** Onsets: samples where |x| reaches `threshold` after more than `gap` frames below it. */
function crossings(x: ArrayLike<number>, threshold: number, gap: number): number[] {
  const out: number[] = [];
  let lastAbove = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]) < threshold) continue;
    if (i - lastAbove > gap) out.push(i);
    lastAbove = i;
  }
  return out;
}

test('real library, no PulseAudio: an ALSA null PCM streams through naudiodon2 start/read/stop', { timeout: 60_000 }, async (t) => {
  let missing: string | undefined;
  try {
    loadBinding();
  } catch (e) {
    missing = (e as Error).message;
  }
  if (!requireOrSkip(t, missing)) return;
  const dir = mkdtempSync(join(tmpdir(), 'vj-null-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'asound.conf'), 'pcm.vj_null_in { type null }\n');
  const env: Pick<PulseEnv, 'env'> = { env: { ...process.env, ALSA_CONFIG_PATH: join(dir, 'asound.conf') } };
  const child = spawnCapture(env, { device: 'vj_null_in', maxSeconds: 2, out: join(dir, 'cap.raw') });
  t.after(() => void child.proc.kill('SIGKILL'));
  const devices = await child.next('devices', 15_000);
  assert.ok(devices.type === 'devices' && devices.devices.some((d) => d.name === 'vj_null_in'));
  const first = await child.next('first', 15_000);
  const done = await child.next('done', 30_000);
  assert.ok(done.type === 'done' && first.type === 'first');
  assert.equal(done.frames, 2 * SR);
  assert.equal(done.discontinuities, 0);
  assert.equal(done.stats.faults + done.stats.silentBlocks + done.stats.overflows, 0);
  // (ALSA's null PCM leaves capture buffers unfilled, so the samples themselves are not checked.)
  assert.equal(readFileSync(join(dir, 'cap.raw')).length, 2 * SR * 2 * 2);
  const exited = new Promise((r) => child.proc.once('exit', r));
  assert.equal(await Promise.race([exited, new Promise((r) => setTimeout(() => r('hung'), 5000))]) === 'hung', false, 'child exits after stop()');
  const secs = (done.receivedEpochMs - first.receivedEpochMs) / 1000;
  t.diagnostic(`null PCM: ${done.starts.length} blocks in ${secs.toFixed(3)} s (${(done.starts.length / secs).toFixed(0)} blocks/s through the read loop)`);
});

test('real capture: a click track played into PulseAudio comes back bit-exact through PortAudio', { timeout: 60_000 }, async (t) => {
  const env = await setUp(t);
  if (!env) return;
  const { pulse, dir } = env;

  const preroll = Math.round(0.5 * SR);
  const click = clickTrack({ sampleRate: SR, bpm: 120, seconds: 4 });
  const left = new Float32Array(preroll + click.samples.length);
  const right = new Float32Array(left.length);
  const nl = whiteNoise({ sampleRate: SR, seconds: 4, amplitude: 0.01, seed: 1 });
  const nr = whiteNoise({ sampleRate: SR, seconds: 4, amplitude: 0.01, seed: 2 });
  for (let i = 0; i < click.samples.length; i++) {
    left[preroll + i] = click.samples[i] + nl[i];
    right[preroll + i] = -0.5 * click.samples[i] + nr[i];
  }
  const played = interleaveInt16([left, right]);

  const child = spawnCapture(pulse, { device: 'test_in', maxSeconds: 6, out: join(dir, 'cap.raw') });
  t.after(() => void child.proc.kill('SIGKILL'));
  const devices = await child.next('devices', 15_000);
  assert.ok(devices.type === 'devices' && devices.devices.some((d) => d.name === 'test_in'), 'listDevices() shows test_in');
  const first = await child.next('first', 15_000);
  assert.equal(first.type, 'first');
  const playEpoch = performance.timeOrigin + performance.now();
  const playing = pulse.play(played);
  const done = await child.next('done', 30_000);
  await playing;
  assert.equal(done.type, 'done');
  if (done.type !== 'done' || first.type !== 'first') return;

  assert.equal(done.discontinuities, 0, 'startFrame continuous');
  assert.equal(done.silent.filter(Boolean).length, 0, 'no silent blocks');
  assert.equal(done.stats.faults, 0);
  const cap = new Int16Array(new Uint8Array(readFileSync(join(dir, 'cap.raw'))).buffer);
  const frames = cap.length / 2;
  assert.equal(frames, 6 * SR);

  // Align on the first click (the first sample over half the click peak), then compare every sample.
  const capL = (i: number) => cap[2 * i];
  let onsetCap = -1;
  for (let i = 0; i < frames; i++) if (Math.abs(capL(i)) >= 0.4 * 32768) { onsetCap = i; break; }
  assert.ok(onsetCap >= 0, 'the click track was captured');
  const offset = onsetCap - (preroll + click.onsetFrames[0]);
  const from = Math.max(0, -offset);
  const to = Math.min(played.length / 2, frames - offset);
  assert.ok(to - from >= click.samples.length, `aligned region covers the whole track (${(to - from) / SR} s)`);
  let mismatches = 0;
  let firstBad = -1;
  for (let k = from; k < to; k++) {
    for (let c = 0; c < 2; c++) {
      if (cap[2 * (k + offset) + c] !== played[2 * k + c]) {
        mismatches++;
        if (firstBad < 0) firstBad = k;
      }
    }
  }
  assert.equal(mismatches, 0, `bit-exact over ${to - from} frames (first mismatch at played frame ${firstBad})`);

  // Onsets found by a plain threshold on the captured samples, after alignment.
  const start = offset + preroll;
  const capLeft = Float64Array.from({ length: click.samples.length }, (_, i) => capL(start + i) / 32768);
  const onsets = crossings(capLeft, 0.4, Math.round(0.05 * SR));
  assert.equal(onsets.length, click.onsetFrames.length);
  onsets.forEach((f, i) => assert.ok(Math.abs(f - click.onsetFrames[i]) <= 1, `onset ${i}: ${f} vs ${click.onsetFrames[i]}`));

  // Path latency: wall time at which the first click was captured minus when it was sent to pacat.
  let b = 0;
  while (b + 1 < done.starts.length && done.starts[b + 1] <= onsetCap) b++;
  const capturedEpoch = done.epochMs[b] + ((onsetCap - done.starts[b]) / SR) * 1000;
  const latencyMs = capturedEpoch - (playEpoch + (preroll / SR) * 1000);
  t.diagnostic(`first-buffer delay ${(first.firstDataDelay ?? NaN).toFixed(3)} s; path latency ≈ ${latencyMs.toFixed(1)} ms (incl. pacat start); aligned ${(to - from) / SR} s bit-exact; ${onsets.length} onsets within 1 sample`);
  assert.ok(latencyMs > 0 && latencyMs < 1000, `plausible latency ${latencyMs} ms`);
});

test('real fault: PulseAudio killed mid-capture → silence, reopen once it is back, live audio again', { timeout: 90_000 }, async (t) => {
  const env = await setUp(t);
  if (!env) return;
  const { pulse, dir } = env;
  const child = spawnCapture(pulse, { device: 'test_in', maxSeconds: 60, out: join(dir, 'cap.raw') });
  t.after(() => void child.proc.kill('SIGKILL'));
  await child.next('devices', 15_000);
  await child.next('first', 15_000);
  await new Promise((r) => setTimeout(r, 1000));
  const killEpoch = performance.timeOrigin + performance.now();
  await pulse.kill();
  const toSilent = await child.next('transition', 5_000);
  assert.ok(toSilent.type === 'transition' && toSilent.silent, 'silence after the daemon died');
  await new Promise((r) => setTimeout(r, 2000));
  const restartEpoch = performance.timeOrigin + performance.now();
  await pulse.restart();
  const back = await child.next('transition', 20_000);
  assert.ok(back.type === 'transition' && !back.silent, 'live blocks after the daemon is back');
  const noise = whiteNoise({ sampleRate: SR, seconds: 0.5, amplitude: 0.5, seed: 3 });
  await pulse.play(interleaveInt16([noise, noise]));
  await new Promise((r) => setTimeout(r, 500));
  child.proc.send({ type: 'stop' });
  const done = await child.next('done', 10_000);
  if (done.type !== 'done' || back.type !== 'transition' || toSilent.type !== 'transition') return;

  assert.equal(done.discontinuities, 0, 'startFrame continuous through the fault');
  assert.equal(done.stats.faults, 1);
  assert.ok(done.stats.silentBlocks > 0);
  const cap = new Int16Array(new Uint8Array(readFileSync(join(dir, 'cap.raw'))).buffer);
  let peakAfter = 0;
  for (let i = 2 * back.startFrame; i < cap.length; i++) peakAfter = Math.max(peakAfter, Math.abs(cap[i]));
  assert.ok(peakAfter > 10_000, `audio played after recovery is captured (peak ${peakAfter})`);
  const silentAll = done.silent.every((s, i) => !s || cap.subarray(2 * done.starts[i], 2 * done.starts[i] + 512).every((v) => v === 0));
  assert.ok(silentAll, 'silent blocks are zeros');
  // Silence was paced in real time: engine time tracks wall time across the fault.
  const n = done.starts.length - 1;
  const engineS = done.starts[n] / SR;
  const wallS = (done.epochMs[n] - done.epochMs[0]) / 1000;
  assert.ok(Math.abs(engineS - wallS) < 0.5, `engine time ${engineS.toFixed(2)} s vs wall ${wallS.toFixed(2)} s`);

  const log = child.stderr();
  t.diagnostic(log.split('\n').filter((l) => l.startsWith('[vj audio]')).join(' | '));
  assert.equal(log.match(/\[vj audio\] error: audio input "test_in" lost/g)?.length, 1, log);
  assert.match(log, /reopen attempt \d+: device not present/);
  assert.match(log, /audio input "test_in" is back after/);
  t.diagnostic(
    `fault seen ${((toSilent.receivedEpochMs - killEpoch) / 1000).toFixed(2)} s after kill; ` +
      `back ${((back.receivedEpochMs - restartEpoch) / 1000).toFixed(2)} s after restart, gap ${done.stats.lastRecovery?.toFixed(2)} s, ` +
      `${done.stats.reopenAttempts} reopen attempts, ${done.stats.silentBlocks} silent blocks`,
  );
});
