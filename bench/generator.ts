/**
 * Bench sections for the image side: the built-in generator's frame rate at 256² and 512² (on
 * the engine thread and through the worker, as the show runs it), and the offline render's
 * speed as a multiple of real time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DEMO_CLIP } from '../engine/audio/openInput.js';
import type { Generator } from '../engine/generator/Generator.js';
import { createBuiltinGenerator } from '../engine/generator/loadGenerator.js';
import { openWorkerGenerator } from '../engine/generator/workerGenerator.js';
import { createLatentState } from '../engine/latent/index.js';
import { createLogger } from '../engine/log.js';
import { defaultValues } from '../engine/params/registry.js';
import { renderSong } from '../engine/render/renderSong.js';
import { line, median, note, type BenchSection } from './lines.js';

const quiet = createLogger('bench', 'silent');

/** Median milliseconds per frame over `runs` frames of a slowly moving latent (after 5 warm-up frames). */
async function msPerFrame(g: Generator, runs: number): Promise<number> {
  const z = Float32Array.from(createLatentState({ dim: g.info.latentDim, seed: 1 }).z);
  const cls = new Float32Array(g.info.classCount);
  const out = new Uint8Array(g.info.width * g.info.height * 4);
  const times: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    z[i % z.length] += 0.01;
    cls[i % 12] = 1;
    const t0 = performance.now();
    await g.generate(z, cls, 1, out);
    if (i >= 5) times.push(performance.now() - t0);
  }
  return median(times);
}

export const generatorSection: BenchSection = {
  name: 'generator',
  async run() {
    const out: Record<string, number> = {};
    for (const size of [256, 512]) {
      const local = await createBuiltinGenerator(size, 1, {}, quiet);
      const ms = await msPerFrame(local, size === 256 ? 60 : 20);
      await local.dispose();
      out[`generator.fps${size}`] = 1000 / ms;
      line(`generator.fps${size}`, out[`generator.fps${size}`], 'fps', `built-in CPPN, ${local.info.provider}, engine thread, median`);
      const { generator: remote } = await openWorkerGenerator({ size });
      const msw = await msPerFrame(remote, size === 256 ? 60 : 20);
      await remote.dispose();
      out[`generator.fps${size}Worker`] = 1000 / msw;
      line(`generator.fps${size}Worker`, out[`generator.fps${size}Worker`], 'fps', 'the same through the worker (the show and render path)');
    }
    return out;
  },
};

export const renderSection: BenchSection = {
  name: 'render',
  async run() {
    const out: Record<string, number> = {};
    const dir = mkdtempSync(join(tmpdir(), 'vj-bench-render-'));
    try {
      for (const size of [256, 512]) {
        const r = await renderSong({ audio: DEMO_CLIP, out: join(dir, `demo${size}.mp4`), fps: 30, size, seed: 1, params: defaultValues(), progress: false, log: quiet });
        out[`render.realtimeFactor${size}`] = r.realtimeFactor;
        line(`render.realtimeFactor${size}`, r.realtimeFactor, '× rt', `demo clip ${r.duration.toFixed(0)} s → ${size}² 30 fps mp4 in ${r.elapsed.toFixed(1)} s, start-up included`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return out;
  },
};

/**
 * A StyleGAN-architecture model (`VJ_BENCH_MODEL`: its manifest, e.g. NVlabs StyleGAN2-ADA at
 * 256² exported by scripts/export_model.py, see docs/models.md) through the worker: CPU fps,
 * load time and memory. Omitted, with the command to make one, when unset.
 */
export const modelSection: BenchSection = {
  name: 'model',
  async run() {
    const out: Record<string, number> = {};
    const model = process.env.VJ_BENCH_MODEL;
    if (!model) {
      note('VJ_BENCH_MODEL unset: StyleGAN figures omitted (python3 scripts/export_model.py stylegan2 --repo PATH --random 256 --out models/sg2-256, then VJ_BENCH_MODEL=models/sg2-256.json)');
      return out;
    }
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('./model-fps.mjs', import.meta.url)), model, '--providers', 'cpu', '--frames', '10'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`model-fps ${model}: ${r.stderr.slice(-400)}`);
    const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { model: string; size: number; fps: number; loadSeconds: number; rssMB: number };
    out['model.fps'] = m.fps;
    out['model.loadSeconds'] = m.loadSeconds;
    out['model.rssMB'] = m.rssMB;
    line('model.fps', m.fps, 'fps', `${m.model} ${m.size}², CPU, through the worker, median of 10`);
    line('model.loadSeconds', m.loadSeconds, 's', 'worker start + session creation');
    line('model.rssMB', m.rssMB, 'MB', 'resident memory added by the load');
    return out;
  },
};
