/**
 * A {@link Generator} over an ONNX Runtime session, driven by a manifest's input/output spec:
 * preallocated input and output tensors, output converted to RGBA8 in place.
 */
import * as ort from 'onnxruntime-node';
import type { Generator, PixelFormat } from './Generator.js';
import { ManifestError, type Manifest } from './manifest.js';
import { toRgba8 } from './pixels.js';
import type { SessionChoice } from './session.js';

/** The part of a manifest that describes the model's tensors. */
export type ModelIo = Pick<Manifest, 'inputs' | 'output' | 'resolution'>;

/** The output tensor's dims for a manifest. */
export function outputDims(io: ModelIo): number[] {
  const { width, height } = io.resolution;
  const c = io.output.channels;
  return io.output.layout === 'NCHW' ? [1, c, height, width] : [1, height, width, c];
}

function tensorMeta(list: readonly ort.InferenceSession.ValueMetadata[], name: string): ort.InferenceSession.TensorValueMetadata | undefined {
  const m = list.find((v) => v.name === name);
  return m && m.isTensor ? m : undefined;
}

function shapeMatches(actual: readonly (number | string)[], expected: readonly number[]): boolean {
  if (actual.length === 0) return true; // shape unknown to the model: checked at run time
  if (actual.length !== expected.length) return false;
  return actual.every((d, i) => typeof d !== 'number' || d < 0 || d === expected[i]);
}

/**
 * Checks a manifest against the model ONNX Runtime opened: every named input and the output
 * exist, every model input is fed, element types and known dimensions agree.
 * @throws ManifestError naming the manifest field and what the model has instead.
 */
export function checkModelIo(session: ort.InferenceSession, io: ModelIo, where: string): void {
  const problems: string[] = [];
  const fed = [io.inputs.latent, io.inputs.class, io.inputs.truncation].filter((x) => x !== undefined).map((x) => x.name);
  const expect = (field: string, name: string, type: string, shape: number[]): void => {
    const meta = tensorMeta(session.inputMetadata, name);
    if (!meta) return void problems.push(`${field}.name: the model has no input "${name}" (inputs: ${session.inputNames.join(', ')})`);
    if (meta.type !== type) problems.push(`${field}: input "${name}" is ${meta.type}, expected ${type}`);
    if (!shapeMatches(meta.shape, shape)) problems.push(`${field}: input "${name}" has shape [${meta.shape.join(',')}], the manifest says [${shape.join(',')}]`);
  };
  expect('inputs.latent', io.inputs.latent.name, 'float32', [1, io.inputs.latent.size]);
  if (io.inputs.class) expect('inputs.class', io.inputs.class.name, 'float32', [1, io.inputs.class.size]);
  if (io.inputs.truncation) expect('inputs.truncation', io.inputs.truncation.name, 'float32', io.inputs.truncation.shape);
  for (const n of session.inputNames) if (!fed.includes(n)) problems.push(`inputs: the model input "${n}" is not in the manifest`);
  const out = tensorMeta(session.outputMetadata, io.output.name);
  if (!out) {
    problems.push(`output.name: the model has no output "${io.output.name}" (outputs: ${session.outputNames.join(', ')})`);
  } else {
    const type = io.output.range === 'uint8' ? 'uint8' : 'float32';
    if (out.type !== type) problems.push(`output.range: output "${io.output.name}" is ${out.type}, range ${io.output.range} needs ${type}`);
    if (!shapeMatches(out.shape, outputDims(io))) problems.push(`output: "${io.output.name}" has shape [${out.shape.join(',')}], the manifest (layout, channels, resolution) says [${outputDims(io).join(',')}]`);
  }
  if (problems.length) throw new ManifestError(problems.map((p) => `${where}: ${p}`).join('\n'));
}

export interface OnnxGeneratorOptions {
  name: string;
  builtin: boolean;
  /** Where the manifest came from, for error messages. */
  where: string;
}

/** Wraps an open session as a generator (after {@link checkModelIo}). */
export function createOnnxGenerator(choice: SessionChoice, io: ModelIo, opts: OnnxGeneratorOptions): Generator {
  const { session } = choice;
  checkModelIo(session, io, opts.where);
  const { latent, class: cls, truncation } = io.inputs;
  const zData = new Float32Array(latent.size);
  const cData = new Float32Array(cls?.size ?? 0);
  const tData = new Float32Array(1);
  const feeds: Record<string, ort.Tensor> = { [latent.name]: new ort.Tensor('float32', zData, [1, latent.size]) };
  if (cls) feeds[cls.name] = new ort.Tensor('float32', cData, [1, cls.size]);
  if (truncation) feeds[truncation.name] = new ort.Tensor('float32', tData, truncation.shape);
  const dims = outputDims(io);
  const count = dims.reduce((a, b) => a * b, 1);
  const outData = io.output.range === 'uint8' ? new Uint8Array(count) : new Float32Array(count);
  const outTensor = outData instanceof Uint8Array ? new ort.Tensor('uint8', outData, dims) : new ort.Tensor('float32', outData, dims);
  const fetches = { [io.output.name]: outTensor };
  const fmt: PixelFormat = { ...io.output, ...io.resolution };
  return {
    info: {
      name: opts.name,
      builtin: opts.builtin,
      latentDim: latent.size,
      classCount: cls?.size ?? 0,
      width: io.resolution.width,
      height: io.resolution.height,
      provider: choice.provider,
    },
    async generate(z, classVec, trunc, out) {
      if (z.length !== zData.length) throw new RangeError(`latent has ${z.length} values, the model takes ${zData.length}`);
      zData.set(z);
      if (cls) {
        if (classVec.length !== cData.length) throw new RangeError(`class vector has ${classVec.length} values, the model takes ${cData.length}`);
        cData.set(classVec);
      }
      tData[0] = trunc;
      await session.run(feeds, fetches);
      toRgba8(outData, fmt, out);
    },
    dispose: () => session.release(),
  };
}
