/**
 * A {@link Generator} whose model runs in a worker thread. Inputs and the frame travel through
 * shared memory allocated once; each run is one small message each way.
 *
 * @remarks onnxruntime-node runs a session synchronously on the calling thread (its promise
 * only defers the start), so on the engine's thread a 5 ms inference would hold up every audio
 * hop queued behind it. In a worker it runs beside the audio path on another core.
 */
import { Worker } from 'node:worker_threads';
import type { Generator, GeneratorInfo } from './Generator.js';
import type { LoadedGenerator, LoadGeneratorOptions } from './loadGenerator.js';
import { COMPILED } from '../paths.js';

export type ToWorker =
  | { type: 'buffers'; z: SharedArrayBuffer; classVec: SharedArrayBuffer; frame: SharedArrayBuffer }
  | { type: 'run'; truncation: number }
  | { type: 'dispose' };

export type FromWorker =
  | { type: 'ready'; info: GeneratorInfo; fallback?: string }
  | { type: 'done' }
  | { type: 'failed'; message: string };

/** Opens the generator `loadGenerator(opts)` would, in a worker thread. The logger stays behind: the worker logs to stderr itself. */
export async function openWorkerGenerator(opts: Omit<LoadGeneratorOptions, 'log'> = {}): Promise<LoadedGenerator> {
  const worker = COMPILED ? new Worker(new URL('./generatorWorker.js', import.meta.url), { workerData: opts }) : tsxWorker(opts);
  let settle: { resolve: () => void; reject: (e: Error) => void } | null = null;
  let dead: Error | null = null;
  const ready = new Promise<{ info: GeneratorInfo; fallback?: string }>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'done') settle?.resolve();
      else if (settle) settle.reject(new Error(m.message));
      else reject(new Error(m.message));
      if (m.type !== 'ready') settle = null;
    });
    worker.on('error', (err) => {
      dead = err;
      reject(err);
      settle?.reject(err);
    });
    worker.on('exit', (code) => {
      dead ??= new Error(`generator worker exited (code ${code})`);
      settle?.reject(dead);
    });
  });
  const { info, fallback } = await ready.catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  const zBuf = new SharedArrayBuffer(info.latentDim * 4);
  const cBuf = new SharedArrayBuffer(Math.max(1, info.classCount) * 4);
  const fBuf = new SharedArrayBuffer(info.width * info.height * 4);
  const z = new Float32Array(zBuf);
  const cls = new Float32Array(cBuf, 0, info.classCount);
  const frame = new Uint8Array(fBuf);
  worker.postMessage({ type: 'buffers', z: zBuf, classVec: cBuf, frame: fBuf } satisfies ToWorker);

  const generator: Generator = {
    info,
    async generate(zIn, classVec, truncation, out) {
      if (dead) throw dead;
      if (settle) throw new Error('generate() called while a run is in flight');
      if (zIn.length !== z.length) throw new RangeError(`latent has ${zIn.length} values, the model takes ${z.length}`);
      z.set(zIn);
      if (info.classCount > 0) cls.set(classVec);
      await new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
        worker.postMessage({ type: 'run', truncation } satisfies ToWorker);
      });
      out.set(frame);
    },
    async dispose() {
      if (dead) return;
      const exited = new Promise((r) => worker.once('exit', r));
      worker.postMessage({ type: 'dispose' } satisfies ToWorker);
      await exited;
    },
  };
  return { generator, fallback };
}

/**
 * The worker from its TypeScript source (tests, and `vj` before `npm run build`): workers do not
 * inherit the TypeScript loader, so a two-line bootstrap registers tsx, then imports the module.
 */
function tsxWorker(workerData: unknown): Worker {
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./generatorWorker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then((m) => { m.register(); return import(${entry}); })`, { eval: true, workerData });
}
