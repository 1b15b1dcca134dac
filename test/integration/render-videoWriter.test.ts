/**
 * ffmpeg video writer end to end: frames of known flat colours plus a sine WAV into an MP4,
 * checked with ffprobe and by decoding frames back; then every early and mid-stream failure.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sine, writeWav } from '../../engine/audio/testSignals.js';
import { openVideoWriter, probeFfmpeg, videoWriterArgs } from '../../engine/render/videoWriter.js';

const dir = mkdtempSync(join(tmpdir(), 'vj-video-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const W = 64;
const H = 48;
const FPS = 30;
const WAV = join(dir, 'tone.wav');
const isRoot = process.getuid?.() === 0;

type Rgb = readonly [number, number, number];
/** Frame 0's quadrants: top-left, top-right, bottom-left, bottom-right. */
const QUADS: readonly Rgb[] = [[220, 30, 40], [30, 200, 60], [40, 60, 210], [235, 235, 235]];
/** The flat colour of frame k ≥ 1. */
const flat = (k: number): Rgb => [(k * 8) % 256, 255 - ((k * 8) % 256), 128];
/** Worst channel error allowed after RGB → yuv420p H.264 (crf 18) → RGB on flat areas. */
const TOL = 10;

function frame(k: number, into: Uint8Array): Uint8Array {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const c = k === 0 ? QUADS[(y < H / 2 ? 0 : 2) + (x < W / 2 ? 0 : 1)] : flat(k);
      into.set([c[0], c[1], c[2], 255], (y * W + x) * 4);
    }
  }
  return into;
}

/** Decodes frame `n` of a video to RGBA. */
function decodeFrame(path: string, n: number): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', path, '-vf', `select=eq(n\\,${n})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-']);
}

function assertColour(rgba: Buffer, x: number, y: number, want: Rgb, what: string): void {
  const i = (y * W + x) * 4;
  const got = [rgba[i], rgba[i + 1], rgba[i + 2]];
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(got[c] - want[c]) <= TOL, `${what}: got rgb(${got}) want rgb(${want}) ±${TOL}`);
}

interface Stream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  r_frame_rate: string;
  nb_read_frames: string;
}

before(async () => {
  await writeWav(WAV, 44100, [sine({ sampleRate: 44100, frequency: 440, seconds: 1, amplitude: 0.5 })], 16);
});

describe('openVideoWriter', () => {
  test('probeFfmpeg returns the version line', async () => {
    assert.match(await probeFfmpeg(), /^ffmpeg version \S+/);
  });

  test('30 frames of 64×48 at 30 fps with a 1 s WAV: h264 + aac, frames decode back', async () => {
    const out = join(dir, 'clip.mp4');
    const w = await openVideoWriter({ out, width: W, height: H, fps: FPS, audio: WAV });
    const buf = new Uint8Array(W * H * 4);
    for (let k = 0; k < 30; k++) await w.write(frame(k, buf));
    await w.finish();

    const probe = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries',
      'stream=codec_type,codec_name,width,height,r_frame_rate,nb_read_frames', '-of', 'json', out]).toString();
    const streams = (JSON.parse(probe) as { streams: Stream[] }).streams;
    const video = streams.filter((s) => s.codec_type === 'video');
    const audio = streams.filter((s) => s.codec_type === 'audio');
    assert.equal(video.length, 1);
    assert.equal(audio.length, 1);
    assert.equal(video[0].codec_name, 'h264');
    assert.equal(video[0].width, W);
    assert.equal(video[0].height, H);
    assert.equal(video[0].r_frame_rate, '30/1');
    assert.equal(video[0].nb_read_frames, '30');
    assert.equal(audio[0].codec_name, 'aac');

    const f0 = decodeFrame(out, 0);
    assert.equal(f0.length, W * H * 4);
    QUADS.forEach((c, q) => assertColour(f0, q % 2 === 0 ? W / 4 : (3 * W) / 4, q < 2 ? H / 4 : (3 * H) / 4, c, `frame 0 quadrant ${q}`));
    assertColour(decodeFrame(out, 29), W / 2, H / 2, flat(29), 'frame 29');
  });

  test('without audio: video only, no faststart for .mkv', async () => {
    const opts = { out: join(dir, 'silent.mkv'), width: W, height: H, fps: 24 };
    assert.ok(!videoWriterArgs(opts).includes('+faststart'));
    assert.ok(videoWriterArgs({ ...opts, out: 'x.MP4' }).includes('+faststart'));
    const w = await openVideoWriter(opts);
    const buf = new Uint8Array(W * H * 4);
    for (let k = 1; k <= 5; k++) await w.write(frame(k, buf));
    await w.finish();
    const types = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', opts.out]).toString().trim();
    assert.equal(types, 'video');
  });

  test('frames past the end of the audio are dropped without error (-shortest)', async () => {
    const w = await openVideoWriter({ out: join(dir, 'long.mp4'), width: W, height: H, fps: FPS, audio: WAV });
    const buf = new Uint8Array(W * H * 4);
    for (let k = 0; k < 300; k++) await w.write(frame(1 + (k % 20), buf));
    await w.finish();
  });
});

describe('openVideoWriter errors', () => {
  const base = { width: W, height: H, fps: FPS };

  test('a missing ffmpeg rejects with install advice', async () => {
    const ffmpegPath = join(dir, 'no-such-ffmpeg');
    await assert.rejects(openVideoWriter({ ...base, out: join(dir, 'a.mp4'), ffmpegPath }), /^Error: ffmpeg not found: install it .*--ffmpeg PATH/);
    await assert.rejects(probeFfmpeg(ffmpegPath), /ffmpeg not found/);
  });

  test('an output directory that does not exist is named', async () => {
    const missing = join(dir, 'nope', 'deeper');
    await assert.rejects(openVideoWriter({ ...base, out: join(missing, 'a.mp4') }), (e: Error) => {
      assert.match(e.message, /output directory/);
      assert.ok(e.message.includes(`"${missing}" does not exist`), e.message);
      return true;
    });
  });

  test('an output "directory" that is a file is named', async () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    await assert.rejects(openVideoWriter({ ...base, out: join(file, 'a.mp4') }), new RegExp(`"${file}"`));
  });

  test('a read-only output directory is named', { skip: isRoot && 'root can write anywhere' }, async () => {
    const ro = join(dir, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    await assert.rejects(openVideoWriter({ ...base, out: join(ro, 'a.mp4') }), new RegExp(`"${ro}" is not writable`));
  });

  test('a missing audio file is named', async () => {
    const audio = join(dir, 'missing.wav');
    await assert.rejects(openVideoWriter({ ...base, out: join(dir, 'a.mp4'), audio }), {
      message: `cannot read audio file "${audio}": no such file`,
    });
  });

  test('odd sizes, bad fps and crf are refused before spawning', async () => {
    await assert.rejects(openVideoWriter({ ...base, width: 63, out: join(dir, 'a.mp4') }), /must be even .* 63×48/);
    await assert.rejects(openVideoWriter({ ...base, height: 47, out: join(dir, 'a.mp4') }), RangeError);
    await assert.rejects(openVideoWriter({ ...base, fps: 0, out: join(dir, 'a.mp4') }), /fps/);
    await assert.rejects(openVideoWriter({ ...base, crf: 60, out: join(dir, 'a.mp4') }), /crf/);
  });

  test('a wrong-sized frame rejects with the sizes', async () => {
    const w = await openVideoWriter({ ...base, out: join(dir, 'b.mp4') });
    await assert.rejects(w.write(new Uint8Array(10)), /10 bytes, expected 64×48×4 = 12288/);
    w.abort();
    await assert.rejects(w.finish(), /aborted/);
  });

  test('ffmpeg dying mid-stream rejects the write with its stderr, no EPIPE escapes', async () => {
    const fake = join(dir, 'dying-ffmpeg.sh');
    writeFileSync(fake, '#!/bin/sh\nhead -c 40000 >/dev/null\necho "[libx264 @ 0x1234] No space left on device" >&2\nexit 1\n', { mode: 0o755 });
    const w = await openVideoWriter({ ...base, out: join(dir, 'c.mp4'), ffmpegPath: fake });
    const buf = new Uint8Array(W * H * 4);
    let err: Error | undefined;
    let written = 0;
    try {
      for (; written < 100; written++) await w.write(buf);
    } catch (e) {
      err = e as Error;
    }
    assert.ok(err, 'a write rejected');
    assert.ok(written < 50, `rejected soon after ffmpeg died (after ${written} frames; head and the pipe buffer take ~20)`);
    assert.match(err.message, /^ffmpeg exited with code 1 while writing ".*c\.mp4": No space left on device$/);
    await assert.rejects(w.write(buf), /No space left on device/);
    await assert.rejects(w.finish(), /No space left on device/);
  });

  test('an unreadable audio file fails the first write or finish with ffmpeg\'s reason', async () => {
    const bogus = join(dir, 'bogus.wav');
    writeFileSync(bogus, 'this is not audio');
    const w = await openVideoWriter({ ...base, out: join(dir, 'd.mp4'), audio: bogus });
    const buf = new Uint8Array(W * H * 4);
    const run = async (): Promise<void> => {
      for (let k = 0; k < 100; k++) await w.write(buf);
      await w.finish();
    };
    await assert.rejects(run(), /ffmpeg exited with code 1 .*Invalid data/);
  });
});
