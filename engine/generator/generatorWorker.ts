/**
 * The worker thread that owns the generator (see workerGenerator.ts): inference runs here, on
 * its own core, so the engine's thread (audio analysis, the latent, outputs) never waits on it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Generator } from './Generator.js';
import { loadGenerator, type LoadGeneratorOptions } from './loadGenerator.js';
import type { ToWorker, FromWorker } from './workerGenerator.js';

const port = parentPort;
if (!port) throw new Error('generatorWorker.ts runs only as a worker thread');
const post = (m: FromWorker): void => port.postMessage(m);

let gen: Generator | null = null;
let z: Float32Array = new Float32Array(0);
let cls: Float32Array = new Float32Array(0);
let frame: Uint8Array = new Uint8Array(0);

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'buffers') {
    z = new Float32Array(msg.z);
    cls = new Float32Array(msg.classVec);
    frame = new Uint8Array(msg.frame);
  } else if (msg.type === 'run') {
    gen!.generate(z, cls, msg.truncation, frame).then(
      () => post({ type: 'done' }),
      (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
  } else if (msg.type === 'dispose') {
    void gen?.dispose().finally(() => port.close());
  }
});

loadGenerator(workerData as LoadGeneratorOptions).then(
  (loaded) => {
    gen = loaded.generator;
    post({ type: 'ready', info: loaded.generator.info, fallback: loaded.fallback });
  },
  (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
);
