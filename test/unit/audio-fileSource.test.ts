import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import wavefile from 'wavefile';
import type { AudioBlock } from '../../engine/audio/AudioBlock.js';
import { createArraySource, decodeAudioFile, openFileSource, type FileSourceOptions } from '../../engine/audio/fileSource.js';
import { chord, quantize16, sine, whiteNoise, writeWav } from '../../engine/audio/testSignals.js';

const dir = mkdtempSync(join(tmpdir(), 'vj-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SR = 48000;

interface Got {
  startFrame: number;
  frames: number;
  captureTime: number;
  wallTimeMs: number;
  atMs: number;
  channels: Float32Array[];
}

/** Runs a source to its end, copying every block. */
async function collect(path: string, opts: FileSourceOptions): Promise<{ blocks: Got[]; ms: number }> {
  const src = await openFileSource(path, opts);
  const blocks: Got[] = [];
  const t0 = performance.now();
  await src.start((b: AudioBlock) =>
    blocks.push({ ...b, atMs: performance.now(), channels: b.channels.map((c) => Float32Array.from(c)) }),
  );
  await src.ended;
  const ms = performance.now() - t0;
  await src.stop();
  return { blocks, ms };
}

function concat(blocks: Got[], ch: number): Float32Array {
  const out = new Float32Array(blocks.reduce((n, b) => n + b.frames, 0));
  let p = 0;
  for (const b of blocks) {
    out.set(b.channels[ch], p);
    p += b.frames;
  }
  return out;
}

test('16-bit and float WAV written by writeWav decode to exactly the samples', async () => {
  const l = quantize16(sine({ sampleRate: SR, frequency: 440, seconds: 0.1 }));
  const r = quantize16(whiteNoise({ sampleRate: SR, seconds: 0.1, seed: 7 }));
  await writeWav(join(dir, 's16.wav'), SR, [l, r], 16);
  const d = await decodeAudioFile(join(dir, 's16.wav'));
  assert.equal(d.sampleRate, SR);
  assert.deepEqual(d.channels, [l, r]);

  const c = chord({ sampleRate: 44100, frequencies: [261.63, 329.63, 392], seconds: 0.05 });
  await writeWav(join(dir, 'f32.wav'), 44100, [c], '32f');
  const f = await decodeAudioFile(join(dir, 'f32.wav'));
  assert.equal(f.sampleRate, 44100);
  assert.deepEqual(f.channels, [c]);
});

test('PCM 8/24/32-bit and float64 WAV scale by 2^(bits-1) (8-bit unsigned around 128)', async () => {
  const cases: [string, number[], number[]][] = [
    ['8', [0, 128, 255, 64], [-1, 0, 127 / 128, -0.5]],
    ['24', [-8388608, 0, 8388607, 4194304], [-1, 0, 8388607 / 8388608, 0.5]],
    ['32', [-2147483648, 0, 1073741824, -1], [-1, 0, 0.5, -1 / 2147483648]],
    ['64', [-1, 0.25, 0.1, 1], [-1, 0.25, Math.fround(0.1), 1]],
  ];
  for (const [depth, raw, want] of cases) {
    const wav = new wavefile.WaveFile();
    wav.fromScratch(2, 22050, depth, [raw, raw.map((x) => x)]);
    const p = join(dir, `pcm${depth}.wav`);
    writeFileSync(p, wav.toBuffer());
    const d = await decodeAudioFile(p);
    assert.equal(d.sampleRate, 22050, depth);
    assert.deepEqual(Array.from(d.channels[0]), want.map(Math.fround), depth);
    assert.deepEqual(d.channels[1], d.channels[0]);
  }
});

test('WAVE_FORMAT_EXTENSIBLE float, 3 channels (made by ffmpeg) decodes exactly', async () => {
  const chans = [0, 1, 2].map((s) => whiteNoise({ sampleRate: SR, seconds: 0.05, seed: s + 10 }));
  const inter = new Float32Array(chans[0].length * 3);
  chans.forEach((c, ch) => c.forEach((x, i) => (inter[i * 3 + ch] = x)));
  writeFileSync(join(dir, 'in.f32'), new Uint8Array(inter.buffer));
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'f32le', '-ar', '48000', '-ac', '3', '-i', join(dir, 'in.f32'), '-c:a', 'pcm_f32le', join(dir, 'ext.wav')]);
  const d = await decodeAudioFile(join(dir, 'ext.wav'));
  assert.equal(d.channels.length, 3);
  assert.deepEqual(d.channels, chans);
});

test('FLAC (via sox) and MP3 go through ffmpeg at their native rate', async () => {
  const x = quantize16(sine({ sampleRate: 44100, frequency: 1000, seconds: 0.2, amplitude: 0.7 }));
  await writeWav(join(dir, 'mono.wav'), 44100, [x], 16);
  execFileSync('sox', [join(dir, 'mono.wav'), join(dir, 'mono.flac')]);
  const f = await decodeAudioFile(join(dir, 'mono.flac'));
  assert.equal(f.sampleRate, 44100);
  assert.deepEqual(f.channels, [x], 'lossless FLAC decodes bit-exact');

  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(dir, 'mono.wav'), '-ar', '22050', '-ac', '2', join(dir, 'st.mp3')]);
  const m = await decodeAudioFile(join(dir, 'st.mp3'));
  assert.equal(m.sampleRate, 22050);
  assert.equal(m.channels.length, 2);
  assert.ok(Math.abs(m.channels[0].length - 4410) < 2000, `mp3 length ${m.channels[0].length}`);
  execFileSync('sox', [join(dir, 'mono.wav'), '-e', 'a-law', join(dir, 'alaw.wav')]);
  const a = await decodeAudioFile(join(dir, 'alaw.wav'));
  assert.equal(a.sampleRate, 44100);
  assert.equal(a.channels[0].length, x.length);
  assert.ok(a.channels[0].every((v, i) => Math.abs(v - x[i]) < 0.02), 'an a-law WAV (not PCM) decodes through ffmpeg');
  const src = await openFileSource(join(dir, 'mono.flac'), { pace: 'fast', channels: 2 });
  assert.equal(src.channelCount, 2);
});

test('blocks of exactly framesPerBuffer (last shorter), continuous startFrame and captureTime', async () => {
  const x = quantize16(whiteNoise({ sampleRate: SR, seconds: 1000 / SR, seed: 3 }));
  await writeWav(join(dir, 'k.wav'), SR, [x, x.map((v) => -v)], 16);
  const { blocks } = await collect(join(dir, 'k.wav'), { pace: 'fast', framesPerBuffer: 256 });
  assert.deepEqual(blocks.map((b) => b.frames), [256, 256, 256, 232]);
  assert.deepEqual(blocks.map((b) => b.startFrame), [0, 256, 512, 768]);
  assert.deepEqual(blocks.map((b) => b.captureTime), [0, 256 / SR, 512 / SR, 768 / SR]);
  assert.deepEqual(blocks.map((b) => b.wallTimeMs), blocks.map((b) => b.captureTime * 1000), 'offline wall time = engine time');
  assert.deepEqual(concat(blocks, 0), x);
  assert.deepEqual(concat(blocks, 1), x.map((v) => -v));
});

test("'fast' runs far ahead of real time; 'realtime' follows the sample clock", async () => {
  const x = sine({ sampleRate: SR, frequency: 100, seconds: 0.5 });
  await writeWav(join(dir, 'half.wav'), SR, [x], '32f');
  const fast = await collect(join(dir, 'half.wav'), { pace: 'fast' });
  assert.ok(fast.ms < 300, `fast took ${fast.ms} ms`);
  const rt = await collect(join(dir, 'half.wav'), { pace: 'realtime', framesPerBuffer: 480 });
  assert.ok(rt.ms > 480 && rt.ms < 900, `realtime took ${rt.ms} ms for 0.5 s`);
  const t0 = rt.blocks[0].wallTimeMs;
  for (const b of rt.blocks) {
    const due = t0 + ((b.startFrame + b.frames) / SR) * 1000;
    assert.ok(b.atMs >= due - 1, `block ${b.startFrame} not early`);
    assert.equal(b.wallTimeMs, t0 + b.captureTime * 1000);
  }
  const late = rt.blocks.map((b) => b.atMs - (t0 + ((b.startFrame + b.frames) / SR) * 1000));
  assert.ok(Math.max(...late.slice(-5)) < 100, `no drift: last blocks late by ${late.slice(-5).map((v) => v.toFixed(1))} ms`);
});

test('loop: full blocks across the wrap until stop; channels option', async () => {
  const x = Float32Array.from({ length: 300 }, (_, i) => i / 512);
  const src = createArraySource({ sampleRate: SR, channels: [x] }, { pace: 'fast', framesPerBuffer: 256, loop: true, channels: 2 });
  const got: Float32Array[] = [];
  await src.start((b) => {
    got.push(Float32Array.from(b.channels[1]));
    assert.equal(b.frames, 256);
    if (got.length === 5) void src.stop();
  });
  await src.ended;
  const all = Float32Array.from(got.flatMap((g) => Array.from(g)));
  all.forEach((v, i) => assert.equal(v, x[i % 300]));
  assert.throws(() => createArraySource({ sampleRate: SR, channels: [x, x] }, { pace: 'fast', channels: 3 }), /cannot deliver 3 channels from a 2-channel file/);
  const first = createArraySource({ sampleRate: SR, channels: [x, x.map((v) => -v)] }, { pace: 'fast', channels: 1 });
  assert.equal(first.channelCount, 1);
});

test('missing, garbage, directory, empty and unsupported files: one-line errors naming the file', async () => {
  writeFileSync(join(dir, 'garbage.wav'), Buffer.from('RIFF\x10\x00\x00\x00WAVEjunkjunkjunk'));
  writeFileSync(join(dir, 'noise.mp3'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  writeFileSync(join(dir, 'notes.txt'), 'not audio at all\n');
  writeFileSync(join(dir, 'empty.wav'), '');
  mkdirSync(join(dir, 'folder.wav'));
  const cases: [string, RegExp][] = [
    ['nope.wav', /no such file$/],
    ['garbage.wav', /not a readable WAV .*; ffmpeg: /],
    ['noise.mp3', /: .+/],
    ['notes.txt', /: .+/],
    ['empty.wav', /file is empty$/],
    ['folder.wav', /is a directory$/],
  ];
  for (const [name, re] of cases) {
    const p = join(dir, name);
    await assert.rejects(decodeAudioFile(p), (e: Error) => {
      assert.ok(e.message.startsWith(`cannot read audio file "${p}": `), e.message);
      assert.match(e.message, re);
      assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
      return true;
    });
  }
  await assert.rejects(openFileSource(join(dir, 'nope.flac'), { pace: 'fast' }), /cannot read audio file ".*nope\.flac": no such file/);
});

test('without ffmpeg on PATH, non-WAV files fail with an install hint', async () => {
  await writeWav(join(dir, 'ok.wav'), SR, [new Float32Array(10)], 16);
  execFileSync('sox', [join(dir, 'ok.wav'), join(dir, 'ok.flac')]);
  const path = process.env.PATH;
  process.env.PATH = join(dir, 'empty-bin');
  try {
    await assert.rejects(decodeAudioFile(join(dir, 'ok.flac')), /^Error: cannot read audio file ".*ok\.flac": ffmpeg not found \(apt-get install ffmpeg\)$/);
    assert.equal((await decodeAudioFile(join(dir, 'ok.wav'))).channels[0].length, 10, 'WAV needs no ffmpeg');
  } finally {
    process.env.PATH = path;
  }
});
