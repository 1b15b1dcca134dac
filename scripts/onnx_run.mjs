// Runs an ONNX model with the engine's ONNX Runtime (onnxruntime-node, CPU) for
// scripts/export_model.py's check, where Python has no onnxruntime:
//   node scripts/onnx_run.mjs job.json
// job.json: { model, outputName, runs: [{ inputs: { NAME: { file, shape } }, output }] }; every
// tensor a raw little-endian float32 file.
import { readFileSync, writeFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const session = await ort.InferenceSession.create(job.model, { executionProviders: ['cpu'] });
for (const run of job.runs) {
  const feeds = {};
  for (const [name, { file, shape }] of Object.entries(run.inputs)) {
    const b = readFileSync(file);
    feeds[name] = new ort.Tensor('float32', new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4), shape);
  }
  const out = (await session.run(feeds))[job.outputName];
  writeFileSync(run.output, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
}
await session.release();
