import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Generator } from '../../engine/generator/Generator.js';
import { createInferenceLoop, type FrameMeta } from '../../engine/generator/inferenceLoop.js';
import { createBuiltinGenerator } from '../../engine/generator/loadGenerator.js';
import { openWorkerGenerator } from '../../engine/generator/workerGenerator.js';
import { createLogger } from '../../engine/log.js';

/** A 1×1 generator whose runs finish only when the test says so; pixel R = z[0]. */
function manualGenerator() {
  const runs: { z0: number; finish: (fail?: boolean) => void }[] = [];
  const gen: Generator = {
    info: { name: 'manual', builtin: false, latentDim: 2, classCount: 0, width: 1, height: 1, provider: 'cpu' },
    generate(z, _c, _t, out) {
      return new Promise<void>((resolve, reject) => {
        runs.push({ z0: z[0], finish: (fail) => (fail ? reject(new Error('boom')) : ((out[0] = z[0]), resolve())) });
      });
    },
    dispose: async () => {},
  };
  return { gen, runs };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('inference loop', () => {
  it('runs the newest latent, at most one in flight, never a queue', async () => {
    const { gen, runs } = manualGenerator();
    const got: [number, number][] = [];
    const loop = createInferenceLoop(gen, (rgba, meta: FrameMeta) => got.push([rgba[0], meta.seq]));
    for (let i = 1; i <= 5; i++) loop.submit(Float32Array.of(i, 0), new Float32Array(0), 1, i / 100);
    assert.equal(runs.length, 1, 'one run in flight');
    assert.equal(runs[0].z0, 1);
    runs[0].finish();
    await tick();
    assert.equal(runs.length, 2, 'then the newest pending one');
    assert.equal(runs[1].z0, 5);
    runs[1].finish();
    await loop.idle();
    assert.deepEqual(got, [[1, 1], [5, 5]]);
    assert.deepEqual({ ...loop.stats }, { submitted: 5, superseded: 3, frames: 2, errors: 0 });
  });

  it('a delivered frame stays intact while the next one is generated; errors do not stop it', async () => {
    const { gen, runs } = manualGenerator();
    const frames: Uint8Array[] = [];
    const errors: unknown[] = [];
    const loop = createInferenceLoop(gen, (rgba) => frames.push(rgba), (e) => errors.push(e));
    loop.submit(Float32Array.of(7, 0), new Float32Array(0), 1, 0);
    runs[0].finish();
    await tick();
    loop.submit(Float32Array.of(9, 0), new Float32Array(0), 1, 0);
    runs[1].finish();
    await tick();
    assert.notEqual(frames[0], frames[1], 'two buffers, alternating');
    assert.deepEqual([frames[0][0], frames[1][0]], [7, 9]);
    loop.submit(Float32Array.of(11, 0), new Float32Array(0), 1, 0);
    runs[2].finish(true);
    await tick();
    loop.submit(Float32Array.of(12, 0), new Float32Array(0), 1, 0);
    runs[3].finish();
    await loop.idle();
    assert.equal(errors.length, 1);
    assert.equal(frames.at(-1)![0], 12);
    assert.equal(loop.stats.errors, 1);
  });

  it('close() waits for the run in flight and drops what is pending', async () => {
    const { gen, runs } = manualGenerator();
    const loop = createInferenceLoop(gen, () => {});
    loop.submit(Float32Array.of(1, 0), new Float32Array(0), 1, 0);
    loop.submit(Float32Array.of(2, 0), new Float32Array(0), 1, 0);
    const closed = loop.close();
    runs[0].finish();
    await closed;
    assert.equal(runs.length, 1);
  });
});

describe('worker generator', () => {
  it('gives the same frame as the generator on the engine thread', async () => {
    const local = await createBuiltinGenerator(32, 1, {}, createLogger('test', 'silent'));
    const { generator: remote, fallback } = await openWorkerGenerator({ size: 32 });
    assert.equal(fallback, undefined);
    assert.deepEqual(remote.info, local.info);
    const z = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i));
    const cls = new Float32Array(12);
    cls[4] = 1;
    const a = new Uint8Array(32 * 32 * 4);
    const b = new Uint8Array(32 * 32 * 4);
    await local.generate(z, cls, 1, a);
    await remote.generate(z, cls, 1, b);
    assert.deepEqual(b, a);
    await Promise.all([local.dispose(), remote.dispose()]);
    await assert.rejects(remote.generate(z, cls, 1, b), /exited/);
  });
});
