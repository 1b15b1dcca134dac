/**
 * `vj analyze` end to end: `node bin/vj.js` (and `npm run vj`) as a subprocess on WAV files the
 * tests write, on broken and unsupported files, and on the bundled demo clip.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultAnalysisParams } from '../../engine/analysis/analyzer.js';
import { decodeAudioFile } from '../../engine/audio/fileSource.js';
import { writeWav } from '../../engine/audio/testSignals.js';
import { DEMO_CLIP } from '../../engine/audio/openInput.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'vj.js');
const SR = 48000;

/** Analysis hop in frames at `sampleRate`, as the analyzer rounds it. */
const hopFrames = (sampleRate: number): number => Math.max(1, Math.round(defaultAnalysisParams.hopSeconds * sampleRate));

/** Known click onsets (s): irregular, ≥ 0.3 s apart, on silence. */
const CLICKS = [0.25, 0.61, 1.0, 1.37, 1.9, 2.2, 2.75, 3.1, 3.62];
/** Frames of the click file: not a whole number of hops, so the last partial hop is dropped. */
const CLICK_FRAMES = Math.round(4.1 * SR) + 77;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of every child: no log level or colour from the caller's shell. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', NO_COLOR: '1' };
  delete env.VJ_LOG;
  return env;
}

/** Runs `cmd args` in the repository root; resolves when it exits. */
function run(cmd: string, args: readonly string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: no exit within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `node bin/vj.js ...args`. */
const vj = (...args: string[]): Promise<Run> => run(process.execPath, [BIN, ...args]);

/** One decaying 1 kHz cosine burst (10 ms) starting at its peak, so the onset is at its first sample. */
function addClick(x: Float32Array, start: number, amplitude: number): void {
  const n = Math.round(0.01 * SR);
  for (let i = 0; i < n && start + i < x.length; i++) {
    const t = i / SR;
    x[start + i] += amplitude * Math.cos(2 * Math.PI * 1000 * t) * Math.exp(-t / 0.002);
  }
}

/** Onset times printed by `--onsets`, after checking the output is only numbers, one a line. */
function parseOnsets(r: Run): number[] {
  assert.equal(r.code, 0, `exit code; stderr:\n${r.stderr}`);
  assert.equal(r.stderr, '', 'nothing on stderr');
  if (r.stdout === '') return [];
  assert.ok(r.stdout.endsWith('\n'), 'output ends with a newline');
  const lines = r.stdout.slice(0, -1).split('\n');
  for (const l of lines) assert.match(l, /^\d+(\.\d+)?$/, `one number per line, nothing else: ${JSON.stringify(l)}`);
  const times = lines.map(Number);
  for (let i = 1; i < times.length; i++) assert.ok(times[i] > times[i - 1], `onsets increase: ${times[i - 1]} then ${times[i]}`);
  return times;
}

/** A clear failure: non-zero exit, nothing on stdout, one line on stderr, no stack trace. */
function assertOneLineError(r: Run, re: RegExp, what: string): void {
  assert.notEqual(r.code, 0, `${what}: non-zero exit`);
  assert.equal(r.signal, null, `${what}: exited, not killed`);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
  assert.ok(r.stderr.endsWith('\n'), `${what}: stderr ends with a newline: ${JSON.stringify(r.stderr)}`);
  const lines = r.stderr.slice(0, -1).split('\n');
  assert.equal(lines.length, 1, `${what}: one line on stderr, got:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at |Error:|node:internal|\.ts:\d+/m, `${what}: no stack trace`);
  assert.match(lines[0], re, what);
}

/** The keys of one `--json` line: hopJson in engine/cli/analyzeCommand.ts (`peak` is emitted by design). */
const JSON_KEYS = ['t', 'rms', 'peak', 'envelope', 'bands', 'onset', 'onsetStrength', 'chroma', 'bass', 'chord', 'percussive', 'harmonic', 'bpm', 'beat'];
const QUALITIES = ['maj', 'min', '7', 'm7', 'maj7', 'dim', 'sus4'];

/** Parses and checks every `--json` line; returns the hops. */
function parseJsonLines(r: Run, keys: readonly string[]): Record<string, unknown>[] {
  assert.equal(r.code, 0, `exit code; stderr:\n${r.stderr}`);
  assert.equal(r.stderr, '', 'nothing on stderr');
  assert.ok(r.stdout.endsWith('\n'), 'output ends with a newline');
  const want = [...keys].sort();
  return r.stdout.slice(0, -1).split('\n').map((line, i) => {
    let o: unknown;
    assert.doesNotThrow(() => (o = JSON.parse(line)), `line ${i + 1} is JSON: ${line.slice(0, 200)}`);
    assert.ok(typeof o === 'object' && o !== null && !Array.isArray(o), `line ${i + 1} is an object`);
    const h = o as Record<string, unknown>;
    assert.deepEqual(Object.keys(h).sort(), want, `line ${i + 1}: exactly the keys ${want.join(', ')}`);
    const unit = (k: string, v: unknown): void => {
      assert.ok(typeof v === 'number' && v >= 0 && v <= 1, `line ${i + 1}: ${k} is a number in [0, 1], got ${JSON.stringify(v)}`);
    };
    for (const k of ['t', 'rms', 'peak', 'bpm']) {
      const v = h[k];
      assert.ok(typeof v === 'number' && Number.isFinite(v) && v >= 0, `line ${i + 1}: ${k} is a finite number ≥ 0, got ${JSON.stringify(v)}`);
    }
    for (const k of ['envelope', 'onsetStrength', 'percussive', 'harmonic']) unit(k, h[k]);
    assert.ok(Array.isArray(h.bands) && h.bands.length === 3, `line ${i + 1}: bands is 3 numbers`);
    (h.bands as unknown[]).forEach((v) => unit('bands[]', v));
    assert.ok(Array.isArray(h.chroma) && h.chroma.length === 12, `line ${i + 1}: chroma is 12 numbers`);
    (h.chroma as unknown[]).forEach((v) => unit('chroma[]', v));
    if ('bass' in h) {
      assert.ok(Array.isArray(h.bass) && h.bass.length === 12, `line ${i + 1}: bass is 12 numbers`);
      (h.bass as unknown[]).forEach((v) => unit('bass[]', v));
    }
    if (h.chord !== null && h.chord !== undefined) {
      const c = h.chord as Record<string, unknown>;
      assert.deepEqual(Object.keys(c).sort(), ['confidence', 'quality', 'root'], `line ${i + 1}: chord keys`);
      assert.ok(Number.isInteger(c.root) && (c.root as number) >= 0 && (c.root as number) <= 11, `line ${i + 1}: chord root 0..11`);
      assert.ok(QUALITIES.includes(c.quality as string), `line ${i + 1}: chord quality ${String(c.quality)}`);
      unit('chord.confidence', c.confidence);
    }
    assert.equal(typeof h.onset, 'boolean', `line ${i + 1}: onset is a boolean`);
    assert.equal(typeof h.beat, 'boolean', `line ${i + 1}: beat is a boolean`);
    return h;
  });
}

/** `t` of hop k (0-based) is the end of that hop, (k + 1) hops in; JSON rounds to 1 µs. */
function assertHopTimes(hops: readonly Record<string, unknown>[], sampleRate: number): void {
  const hop = hopFrames(sampleRate);
  hops.forEach((h, k) => {
    const want = ((k + 1) * hop) / sampleRate;
    assert.ok(Math.abs((h.t as number) - want) <= 1e-6, `hop ${k}: t = ${h.t}, want ${want} (one hop of ${hop} frames after the last)`);
  });
}

let dir = '';
let clickWav = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vj-cli-analyze-'));
  const x = new Float32Array(CLICK_FRAMES);
  CLICKS.forEach((t, i) => addClick(x, Math.round(t * SR), i % 2 === 0 ? 0.8 : 0.35));
  clickWav = join(dir, 'clicks.wav');
  await writeWav(clickWav, SR, [x], 16);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('vj analyze FILE --onsets', () => {
  test('one number per line, each within 25 ms after its click and never before, one per click', async () => {
    const got = parseOnsets(await vj('analyze', clickWav, '--onsets'));
    assert.equal(got.length, CLICKS.length, `one onset per click: got ${got.join(', ')}`);
    got.forEach((t, i) => {
      const late = t - CLICKS[i];
      assert.ok(late >= 0, `onset ${t} s is before its click at ${CLICKS[i]} s`);
      assert.ok(late <= 0.025, `onset ${t} s is ${(late * 1000).toFixed(1)} ms after its click at ${CLICKS[i]} s (max 25 ms)`);
    });
  });

  test('the buffer size does not change the onsets', async () => {
    const a = await vj('analyze', clickWav, '--onsets');
    const b = await vj('analyze', clickWav, '--onsets', '--buffer', '1000');
    assert.deepEqual(parseOnsets(b), parseOnsets(a));
  });

  test('--onsets gives the onsets the full analysis gives (the JSON lines with onset true)', async () => {
    const json = await vj('analyze', clickWav, '--json');
    const fromJson = json.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((f) => f.onset).map((f) => f.t);
    assert.deepEqual(parseOnsets(await vj('analyze', clickWav, '--onsets')), fromJson);
  });

  test('runs compiled code and loads no native module, TypeScript loader or bundler (as --help)', async () => {
    const loads = join(dir, 'loads.txt');
    const heavy = /node_modules\/(naudiodon2|onnxruntime-node|easymidi|@julusian|esbuild|tsx|zod|ws)\//;
    for (const args of [['analyze', clickWav, '--onsets'], ['--help']]) {
      rmSync(loads, { force: true });
      const r = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['--import', join(ROOT, 'test/helpers/recordLoads.mjs'), BIN, ...args], { cwd: ROOT, env: { ...childEnv(), VJ_LOADS: loads }, stdio: 'ignore' });
        child.on('close', resolve);
      });
      assert.equal(r, 0);
      const urls = readFileSync(loads, 'utf8').trim().split('\n');
      assert.ok(urls.some((u) => u.includes('/dist/engine/cli/vj.js')), `compiled entry among ${urls.length} loads`);
      assert.deepEqual(urls.filter((u) => heavy.test(u) || u.endsWith('.ts')), [], `vj ${args.join(' ')}`);
    }
  });

  test('silence: no onsets, empty output, exit 0', async () => {
    const p = join(dir, 'silence.wav');
    await writeWav(p, SR, [new Float32Array(SR)], 16);
    assert.deepEqual(parseOnsets(await vj('analyze', p, '--onsets')), []);
  });
});

describe('vj analyze FILE --json', () => {
  test('48 kHz: exactly the hopJson keys, t one hop apart, floor(duration / hop) lines', async () => {
    // Clicks on silence, then an A4 sine (440 Hz) from 1.5 s to 3.5 s.
    const x = new Float32Array(CLICK_FRAMES);
    CLICKS.forEach((t) => addClick(x, Math.round(t * SR), 0.6));
    for (let i = Math.round(1.5 * SR); i < Math.round(3.5 * SR); i++) x[i] += 0.3 * Math.sin((2 * Math.PI * 440 * i) / SR);
    const p = join(dir, 'json48.wav');
    await writeWav(p, SR, [x], 16);
    const hops = parseJsonLines(await vj('analyze', p, '--json'), JSON_KEYS);
    assert.equal(hops.length, Math.floor(CLICK_FRAMES / hopFrames(SR)), 'one line per whole hop');
    assertHopTimes(hops, SR);
    assert.ok(hops.some((h) => h.onset === true), 'some hop has an onset');
    const mid = hops.filter((h) => (h.t as number) > 2.3 && (h.t as number) < 2.7);
    assert.ok(mid.length > 0);
    for (const h of mid) {
      const c = h.chroma as number[];
      assert.equal(c.indexOf(Math.max(...c)), 9, `chroma is C..B: A4 peaks at index 9 at t=${h.t}: ${c.join(',')}`);
    }
  });

  test('44.1 kHz stereo: the hop follows the rate (floor(duration / hop) lines, t one hop apart)', async () => {
    const sr = 44100;
    const n = Math.round(2.5 * sr) + 13;
    const l = new Float32Array(n);
    const r = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      l[i] = 0.2 * Math.sin((2 * Math.PI * 261.63 * i) / sr);
      r[i] = 0.2 * Math.sin((2 * Math.PI * 392 * i) / sr);
    }
    const p = join(dir, 'json44.wav');
    await writeWav(p, sr, [l, r], '32f');
    const hops = parseJsonLines(await vj('analyze', p, '--json'), JSON_KEYS);
    assert.equal(hops.length, Math.floor(n / hopFrames(sr)));
    assertHopTimes(hops, sr);
  });

  test('--channels with two inputs: each line also names its input, each input one hop apart', async () => {
    const n = Math.round(1.2 * SR) + 5;
    const l = new Float32Array(n);
    const r = new Float32Array(n);
    addClick(l, Math.round(0.3 * SR), 0.8);
    addClick(r, Math.round(0.7 * SR), 0.8);
    const p = join(dir, 'stereo.wav');
    await writeWav(p, SR, [l, r], 16);
    const hops = parseJsonLines(await vj('analyze', p, '--json', '--channels', 'left=1,right=2'), [...JSON_KEYS, 'input']);
    const per = Math.floor(n / hopFrames(SR));
    assert.equal(hops.length, 2 * per);
    for (const name of ['left', 'right']) {
      const mine = hops.filter((h) => h.input === name);
      assert.equal(mine.length, per, `${name}: one line per hop`);
      assertHopTimes(mine, SR);
    }
  });
});

describe('vj analyze: files it cannot analyse', () => {
  test('a nonexistent file', async () => {
    const p = join(dir, 'does-not-exist.wav');
    for (const mode of ['--onsets', '--json']) {
      assertOneLineError(await vj('analyze', p, mode), /^vj analyze: cannot read audio file ".*does-not-exist\.wav": no such file$/, `missing ${mode}`);
    }
  });

  test('a text file named x.wav', async () => {
    const p = join(dir, 'x.wav');
    writeFileSync(p, 'this is not audio, just a text file\n'.repeat(20));
    assertOneLineError(await vj('analyze', p, '--onsets'), /^vj analyze: cannot read audio file ".*x\.wav": not a readable WAV/, 'text x.wav');
  });

  test('unsupported formats: a WAV of an unknown codec, a MIDI file, a directory, an empty file', async () => {
    // A well-formed RIFF/WAVE whose fmt chunk names format code 0x7777 (no such codec).
    const data = Buffer.alloc(8000);
    const fmt = Buffer.alloc(16);
    fmt.writeUInt16LE(0x7777, 0);
    fmt.writeUInt16LE(1, 2);
    fmt.writeUInt32LE(44100, 4);
    fmt.writeUInt32LE(88200, 8);
    fmt.writeUInt16LE(2, 12);
    fmt.writeUInt16LE(16, 14);
    const chunk = (id: string, body: Buffer): Buffer => {
      const h = Buffer.alloc(8);
      h.write(id, 0, 'latin1');
      h.writeUInt32LE(body.length, 4);
      return Buffer.concat([h, body]);
    };
    const riffBody = Buffer.concat([Buffer.from('WAVE', 'latin1'), chunk('fmt ', fmt), chunk('data', data)]);
    writeFileSync(join(dir, 'codec.wav'), chunk('RIFF', riffBody));
    // A minimal Standard MIDI File: one track, one note. Music, but not audio.
    const track = Buffer.from([0x00, 0x90, 60, 100, 0x83, 0x60, 0x80, 60, 0, 0x00, 0xff, 0x2f, 0x00]);
    writeFileSync(join(dir, 'song.mid'), Buffer.concat([
      Buffer.from('MThd', 'latin1'), Buffer.from([0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0]),
      chunk('MTrk', track),
    ]));
    writeFileSync(join(dir, 'empty.wav'), '');
    const cases: [string, RegExp][] = [
      ['codec.wav', /not PCM or float/],
      ['song.mid', /: \S/],
      [dir, /is a directory$/],
      ['empty.wav', /file is empty$/],
    ];
    for (const [name, re] of cases) {
      const p = name === dir ? dir : join(dir, name);
      const r = await vj('analyze', p, '--onsets');
      assertOneLineError(r, /^vj analyze: cannot read audio file "/, name);
      assert.match(r.stderr.trim(), re, name);
    }
  });
});

describe('the demo clip', () => {
  test('exists, decodes, is 15–30 s of sound and small', async () => {
    const size = statSync(DEMO_CLIP).size;
    assert.ok(size < 2.5 * 1024 * 1024, `demo clip is ${size} bytes`);
    const audio = await decodeAudioFile(DEMO_CLIP);
    const seconds = audio.channels[0].length / audio.sampleRate;
    assert.ok(seconds >= 15 && seconds <= 30, `duration ${seconds.toFixed(2)} s`);
    let peak = 0;
    for (const ch of audio.channels) for (const v of ch) peak = Math.max(peak, Math.abs(v));
    assert.ok(peak > 0.3 && peak <= 1, `peak ${peak}`);
  });

  test('vj analyze demo-clip.wav --onsets finds more than 20 onsets', async () => {
    const got = parseOnsets(await vj('analyze', DEMO_CLIP, '--onsets'));
    assert.ok(got.length > 20, `${got.length} onsets`);
  });

  test('its chroma follows C – Am – F – G: the three strongest pitch classes of each bar are the triad; the chord estimate names each bar', async () => {
    const hops = parseJsonLines(await vj('analyze', DEMO_CLIP, '--json'), JSON_KEYS);
    const triads = [[0, 4, 7], [9, 0, 4], [5, 9, 0], [7, 11, 2]];
    const chords = [[0, 'maj'], [9, 'min'], [5, 'maj'], [7, 'maj']];
    // 120 BPM: one chord per 2 s bar; the last bar fades out, so it is left out.
    for (let bar = 0; bar < 9; bar++) {
      const sum = new Array<number>(12).fill(0);
      for (const h of hops) {
        const t = h.t as number;
        if (t >= bar * 2 + 0.3 && t < bar * 2 + 1.9) (h.chroma as number[]).forEach((v, i) => (sum[i] += v));
      }
      const top = [...sum.keys()].sort((a, b) => sum[b] - sum[a]).slice(0, 3).sort((a, b) => a - b);
      assert.deepEqual(top, [...triads[bar % 4]].sort((a, b) => a - b), `bar ${bar}: strongest pitch classes`);
      // The estimate over the second half of the bar (the filter takes a few hundred ms to switch).
      const late = hops.filter((h) => (h.t as number) >= bar * 2 + 1 && (h.t as number) < bar * 2 + 1.9);
      const named = late.filter((h) => { const c = h.chord as { root: number; quality: string } | null; return c !== null && c.root === chords[bar % 4][0] && c.quality === chords[bar % 4][1]; });
      assert.ok(named.length >= 0.9 * late.length, `bar ${bar}: the chord estimate names ${chords[bar % 4].join(' ')} on ${named.length} of ${late.length} hops`);
    }
  });
});

describe('vj usage', () => {
  test('vj help, --help, -h and vj analyze --help: usage on stdout, exit 0', async () => {
    for (const args of [['help'], ['--help'], ['-h'], ['analyze', '--help']]) {
      const r = await vj(...args);
      assert.equal(r.code, 0, `vj ${args.join(' ')}`);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /Usage:/);
      assert.match(r.stdout, /vj analyze FILE --onsets/);
      assert.match(r.stdout, /vj analyze FILE --json/);
    }
  });

  test('vj with no command: usage, non-zero exit', async () => {
    const r = await vj();
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /Usage:/);
  });

  test('an unknown command: non-zero exit, the name and a usage hint on stderr, nothing on stdout', async () => {
    const r = await vj('analyse-this', 'x.wav');
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr.split('\n')[0], /^vj: unknown command "analyse-this"$/);
    assert.match(r.stderr, /Usage:/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  });

  test('analyze usage errors: one line each, non-zero exit', async () => {
    const cases: [string[], RegExp][] = [
      [['analyze'], /give a FILE/],
      [['analyze', clickWav, '--onsets', '--json'], /choose one of --onsets and --json/],
      [['analyze', clickWav, clickWav, '--onsets'], /give one FILE, got 2/],
      [['analyze', clickWav, '--bogus'], /--bogus/],
      [['analyze', clickWav, '--onsets', '--buffer', '0'], /--buffer must be a positive integer/],
      [['analyze', '--onsets', '--input', 'default'], /give either a FILE or --input|--onsets and --json analyse a FILE/],
    ];
    for (const [args, re] of cases) {
      const r = await vj(...args);
      assertOneLineError(r, /^vj analyze: /, `vj ${args.join(' ')}`);
      assert.match(r.stderr, re, `vj ${args.join(' ')}`);
    }
  });

  test('a reader that stops early (| head): exit 0, no EPIPE stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'analyze', DEMO_CLIP, '--json'], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(b.toString())));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.match(first, /^\{"t":/);
    assert.equal(stderr, '', 'nothing on stderr');
    assert.equal(code, 0);
  });
});

test('npm run -s vj -- analyze FILE --onsets works from the repository root', async () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const viaNpm = await run(npm, ['run', '-s', 'vj', '--', 'analyze', clickWav, '--onsets'], 120_000);
  assert.equal(viaNpm.code, 0, `npm run vj; stderr:\n${viaNpm.stderr}`);
  const direct = await vj('analyze', clickWav, '--onsets');
  assert.equal(viaNpm.stdout, direct.stdout, 'same output as node bin/vj.js');
  assert.equal(viaNpm.stdout.trim().split('\n').length, CLICKS.length);
  const missing = await run(npm, ['run', '-s', 'vj', '--', 'analyze', join(dir, 'nope.wav'), '--onsets'], 120_000);
  assert.notEqual(missing.code, 0, 'the exit code comes through npm');
  assert.match(missing.stderr, /vj analyze: cannot read audio file ".*nope\.wav": no such file/);
});
