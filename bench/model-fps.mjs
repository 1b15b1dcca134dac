// A model's frame rate, load time and memory through the engine's generator worker (the show's
// and the render's path), from the compiled engine (dist/: npm run build), so it runs wherever
// Node and onnxruntime-node do, a lent GPU machine included:
//   node bench/model-fps.mjs MANIFEST.json [--providers webgpu,cpu] [--frames 30]
// Prints one JSON object: provider, loadSeconds, rssMB (after load), msPerFrame p50/p95, fps.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { openWorkerGenerator } from '../dist/engine/generator/workerGenerator.js';
import { parseProviders } from '../dist/engine/generator/session.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { providers: { type: 'string' }, frames: { type: 'string', default: '30' } } });
const model = positionals[0];
if (!model) throw new Error('usage: node bench/model-fps.mjs MANIFEST.json [--providers LIST] [--frames N]');
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const { generator: g, fallback } = await openWorkerGenerator({ model, strict: true, ...(values.providers ? { providers: parseProviders(values.providers) } : {}) });
const loadSeconds = (performance.now() - t0) / 1000;
const rssMB = (process.memoryUsage().rss - rss0) / 2 ** 20;
const z = new Float32Array(g.info.latentDim).map((_, i) => Math.sin(i));
const cls = new Float32Array(g.info.classCount);
const out = new Uint8Array(g.info.width * g.info.height * 4);
const n = Number(values.frames);
const times = [];
for (let i = 0; i < n + 3; i++) {
  z[i % z.length] += 0.01;
  const s = performance.now();
  await g.generate(z, cls, 0.8, out);
  if (i >= 3) times.push(performance.now() - s);
}
await g.dispose();
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * (times.length - 1)))];
process.stdout.write(`${JSON.stringify({ model: g.info.name, size: g.info.width, provider: g.info.provider, fallback: fallback ?? null, loadSeconds: +loadSeconds.toFixed(2), rssMB: +rssMB.toFixed(0), msPerFrameP50: +q(0.5).toFixed(1), msPerFrameP95: +q(0.95).toFixed(1), fps: +(1000 / q(0.5)).toFixed(1) })}\n`);
