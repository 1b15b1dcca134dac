import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { writeWav } from '../../engine/audio/testSignals.js';
import { createAnalyzer, feed } from '../../engine/analysis/analyzer.js';
import { createLatentInput, createLatentState, latentInputFromFeatures, latentStep } from '../../engine/latent/index.js';
import { defaultValues, type ParamValues } from '../../engine/params/registry.js';
import { renderSong, type RenderOptions } from '../../engine/render/renderSong.js';
import { createLogger } from '../../engine/log.js';
import { addHarmonicTone, addNoiseBurst, midiHz } from '../helpers/signals.js';

const SR = 44100;
const FPS = 30;
const quiet = createLogger('test', 'silent');
const dir = mkdtempSync(join(tmpdir(), 'vj-render-'));
const BURSTS = [1.0, 1.8, 2.6, 3.4];
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Only what the test looks at moves: no keyframe drift, no class change, no effects. */
function params(over: Partial<ParamValues>): ParamValues {
  return { ...defaultValues(), speed_fpm: 0, contrast_strength: 0, flash_strength: 0, class_pitch_react: 0, class_shuffle_strength: 0, ...over };
}

/** Renders to memory: the mean absolute difference of each frame from the one before (RGB). */
async function frameDiffs(audio: string, p: ParamValues, extra: Partial<RenderOptions> = {}): Promise<{ diffs: number[]; hashes: string[] }> {
  let prev: Uint8Array | null = null;
  const diffs: number[] = [];
  const hashes: string[] = [];
  await renderSong({
    audio, framesDir: join(dir, `mem-${Math.random()}`), fps: FPS, size: 48, seed: 1, params: p, progress: false, log: quiet, ...extra,
    onFrame: (_k, rgba) => {
      hashes.push(sha(rgba));
      if (prev) {
        let s = 0;
        for (let i = 0; i < rgba.length; i++) if ((i & 3) !== 3) s += Math.abs(rgba[i] - prev[i]);
        diffs.push(s / (rgba.length * 0.75));
      } else diffs.push(0);
      prev = Uint8Array.from(rgba);
    },
  });
  return { diffs, hashes };
}

let drums = '';
let dynamics = '';
before(async () => {
  const d = new Float32Array(4 * SR);
  for (const t of BURSTS) addNoiseBurst(d, Math.round(t * SR), SR, { amplitude: 0.8, seconds: 0.05 });
  drums = join(dir, 'drums.wav');
  await writeWav(drums, SR, [d], 16);
  // A sustained tone, loud for 3 s then 30 dB quieter for 3 s.
  const m = new Float32Array(6 * SR);
  addHarmonicTone(m, 0, SR, { f0: 220, amplitude: 0.5, seconds: 3 });
  addHarmonicTone(m, 3 * SR, SR, { f0: 220, amplitude: 0.5 * 10 ** (-30 / 20), seconds: 3 });
  dynamics = join(dir, 'dynamics.wav');
  await writeWav(dynamics, SR, [m], 16);
});

describe('offline render', () => {
  it('pulse: the image kicks on each onset and is still between them', async () => {
    const { diffs } = await frameDiffs(drums, params({ motion_react: 0, pulse_react: 1 }));
    assert.equal(diffs.length, 4 * FPS);
    for (const t of BURSTS) {
      const k = Math.ceil(t * FPS);
      const peak = Math.max(...diffs.slice(k, k + 2));
      assert.ok(peak > 8, `onset at ${t} s: frame difference peaks at ${peak.toFixed(2)}`);
      assert.ok(peak > 10 * diffs[k - 1], `onset at ${t} s: ${peak.toFixed(2)} vs ${diffs[k - 1].toFixed(2)} the frame before`);
      // 0.4 s later (≈ 5 time constants of the pulse decay) the kick has died away.
      const after = diffs[Math.round((t + 0.4) * FPS)];
      assert.ok(after < peak / 20, `0.4 s after ${t} s: difference ${after.toFixed(3)}`);
    }
  });

  it('motion: the image travels further in the loud passage than in the quiet one', async () => {
    const { diffs } = await frameDiffs(dynamics, params({ pulse_react: 0 }));
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    const loud = mean(diffs.slice(1 * FPS, 3 * FPS));
    const soft = mean(diffs.slice(4 * FPS, 6 * FPS));
    assert.ok(loud > 0.5, `loud passage moves ${loud.toFixed(3)} per frame`);
    assert.ok(loud > 4 * soft, `loud ${loud.toFixed(3)} vs quiet ${soft.toFixed(3)} per frame`);
  });

  it('is deterministic: same inputs and seed, same frames; another seed, other frames', async () => {
    const p = params({ pulse_react: 1, speed_fpm: 12, contrast_strength: 0.5, flash_strength: 0.5 });
    const a = await frameDiffs(drums, p);
    const b = await frameDiffs(drums, p);
    const c = await frameDiffs(drums, p, { seed: 2 });
    assert.deepEqual(b.hashes, a.hashes);
    assert.notEqual(c.hashes[0], a.hashes[0]);
  });

  it('writes PNG frames and an mp4 with the audio muxed in, identical across runs', async () => {
    const frames = join(dir, 'frames');
    const r = await renderSong({ audio: drums, framesDir: frames, fps: FPS, size: 32, seed: 1, params: params({}), progress: false, log: quiet });
    assert.equal(r.frames, 120);
    const names = readdirSync(frames).sort();
    assert.equal(names.length, 120);
    assert.equal(names[0], 'frame_000001.png');
    const md5 = (f: string) => execFileSync('ffmpeg', ['-v', 'error', '-i', f, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8' }).split('\n').filter((l) => !l.startsWith('#'));
    const videos = [join(dir, 'a.mp4'), join(dir, 'b.mp4')];
    for (const out of videos) await renderSong({ audio: drums, out, fps: FPS, size: 32, seed: 1, params: params({}), progress: false, log: quiet });
    assert.deepEqual(md5(videos[1]), md5(videos[0]));
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', videos[0]], { encoding: 'utf8' })) as { streams: Record<string, string | number>[] };
    const v = probe.streams.find((s) => s.codec_type === 'video')!;
    const a = probe.streams.find((s) => s.codec_type === 'audio')!;
    assert.deepEqual([v.codec_name, v.width, v.height, v.r_frame_rate, v.nb_read_frames], ['h264', 32, 32, '30/1', '120']);
    assert.equal(a.codec_name, 'aac');
    // The first PNG is the first video frame (luma, within H.264's loss).
    const png = execFileSync('ffmpeg', ['-v', 'error', '-i', join(frames, names[0]), '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
    const vid = execFileSync('ffmpeg', ['-v', 'error', '-i', videos[0], '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
    let err = 0;
    for (let i = 0; i < png.length; i++) err += Math.abs(png[i] - vid[i]);
    assert.ok(err / png.length < 6, `mean error ${err / png.length}`);
  });
});

describe('class follows the dominant pitch class', () => {
  it('A then E: the class vector peaks on class 9, then on class 4', () => {
    const x = new Float32Array(8 * SR);
    addHarmonicTone(x, 0, SR, { f0: midiHz(57), amplitude: 0.3, seconds: 4 });
    addHarmonicTone(x, 4 * SR, SR, { f0: midiHz(64), amplitude: 0.3, seconds: 4 });
    const analyzer = createAnalyzer(SR);
    const state = createLatentState({ dim: 16, classCount: 12, seed: 1 });
    const p = { ...defaultValues(), class_shuffle_strength: 0 };
    const input = createLatentInput();
    let last = 0;
    const peaks: number[] = [];
    const checks = [3.9, 7.9];
    feed(analyzer, x, (f) => {
      latentStep(state, latentInputFromFeatures(f, p, input), p, f.t - last);
      last = f.t;
      if (f.t >= checks[peaks.length]) peaks.push(state.classVec.indexOf(Math.max(...state.classVec)));
    });
    assert.deepEqual(peaks, [9, 4]);
  });
});

describe('vj render (CLI)', () => {
  const vj = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.VJ_LOG;
      const child = spawn(process.execPath, ['bin/vj.js', 'render', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  it('reports bad input and output clearly, with a non-zero exit', async () => {
    const cases: [string[], RegExp][] = [
      [[join(dir, 'missing.wav'), '--out', join(dir, 'x.mp4')], /cannot read audio .*missing\.wav/],
      [[drums, '--out', join(dir, 'x.mp4'), '--ffmpeg', '/nonexistent/ffmpeg'], /ffmpeg not found/],
      [[drums, '--out', join(dir, 'no', 'such', 'dir', 'x.mp4')], /no[/\\]such[/\\]dir/],
      [[drums, '--out', join(dir, 'x.mp4'), '--set', 'pulse_react=loud'], /--set: pulse_react: expected a finite number, got "loud"/],
      [[drums, '--out', join(dir, 'x.mp4'), '--set', 'nonsense=1'], /--set nonsense=1: expected id=value/],
      [[drums, '--out', join(dir, 'x.mp4'), '--fps', '0'], /--fps must be/],
      [[drums], /give one of an output video \(--out\) or a frames folder \(--frames\)/],
    ];
    writeFileSync(join(dir, 'bad-preset.json'), JSON.stringify({ params: { truncation: 'high', speed_fpm: 3 } }));
    cases.push([[drums, '--out', join(dir, 'x.mp4'), '--preset', join(dir, 'bad-preset.json')], /bad-preset\.json: params\.truncation: expected a finite number, got "high"/]);
    for (const [args, message] of cases) {
      const r = await vj(args);
      assert.equal(r.code, 1, `${args.join(' ')}\n${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  it('renders with a preset; a bad model falls back to the built-in generator', async () => {
    writeFileSync(join(dir, 'preset.json'), JSON.stringify({ params: { pulse_react: 1.5, speed_fpm: 6 } }));
    const out = join(dir, 'cli.mp4');
    const r = await vj([drums, '--out', out, '--size', '32', '--fps', '10', '--preset', join(dir, 'preset.json'), '--model', join(dir, 'nope.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /nope\.json: not found[^]*using the built-in generator instead/);
    assert.match(r.stderr, /rendered 40 frames \(4\.0 s\)/);
    assert.ok(readFileSync(out).length > 1000);
  });
});
