/**
 * Small ONNX models with exactly the signatures of real generator exports, built in TypeScript,
 * with a JavaScript reference of their output so tests can check pixels exactly.
 *
 * - StyleGAN2/3: `z[1,512]` (and optionally `c[1,C]`) → `img[1,3,S,S]` in [-1,1], NCHW.
 * - BigGAN: `z[1,128]`, `class[1,1000]`, `truncation[1]` → `img[1,3,S,S]` in [-1,1], NCHW.
 *
 * Both compute `img = tanh(reshape(z·Wz·t + c·Wc))`: one weight column per output value.
 */
import { mulberry32 } from '../../engine/random.js';
import { encodeModel, type Initializer, type NodeSpec } from '../../engine/generator/onnx/onnxModel.js';
import type { Manifest } from '../../engine/generator/manifest.js';

export interface SyntheticModel {
  onnx: Uint8Array;
  manifest: Manifest;
  /** The exact output (before RGBA conversion), computed in float64. */
  reference(z: Float32Array, cls: Float32Array, truncation: number): Float64Array;
}

function weights(seed: number, rows: number, cols: number, std: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: rows * cols }, () => (r() * 2 - 1) * std * Math.sqrt(3));
}

interface Spec {
  name: string;
  size: number;
  latent: number;
  classes: number;
  truncation: boolean;
  names: { z: string; c: string; t: string; out: string };
}

function build(spec: Spec): SyntheticModel {
  const { size, latent, classes } = spec;
  const outCount = 3 * size * size;
  const Wz = weights(11, latent, outCount, 1 / Math.sqrt(latent));
  const Wc = weights(12, classes, outCount, 1);
  const init: Initializer[] = [
    { name: 'Wz', dims: [latent, outCount], data: Wz },
    { name: 'shape', dims: [4], data: [1, 3, size, size], type: 'int64' },
  ];
  const nodes: NodeSpec[] = [{ op: 'MatMul', inputs: [spec.names.z, 'Wz'], outputs: ['a'] }];
  let last = 'a';
  if (spec.truncation) {
    nodes.push({ op: 'Mul', inputs: [last, spec.names.t], outputs: ['at'] });
    last = 'at';
  }
  if (classes > 0) {
    init.push({ name: 'Wc', dims: [classes, outCount], data: Wc });
    nodes.push({ op: 'MatMul', inputs: [spec.names.c, 'Wc'], outputs: ['b'] }, { op: 'Add', inputs: [last, 'b'], outputs: ['ab'] });
    last = 'ab';
  }
  nodes.push({ op: 'Tanh', inputs: [last], outputs: ['h'] }, { op: 'Reshape', inputs: ['h', 'shape'], outputs: [spec.names.out] });
  const inputs = [{ name: spec.names.z, type: 'float' as const, shape: [1, latent] }];
  if (classes > 0) inputs.push({ name: spec.names.c, type: 'float', shape: [1, classes] });
  if (spec.truncation) inputs.push({ name: spec.names.t, type: 'float', shape: [1] });
  const onnx = encodeModel({ name: spec.name, inputs, outputs: [{ name: spec.names.out, type: 'float', shape: [1, 3, size, size] }], initializers: init, nodes });
  const manifest: Manifest = {
    name: spec.name,
    inputs: {
      latent: { name: spec.names.z, size: latent },
      ...(classes > 0 ? { class: { name: spec.names.c, size: classes } } : {}),
      ...(spec.truncation ? { truncation: { name: spec.names.t, shape: [1] } } : {}),
    },
    output: { name: spec.names.out, layout: 'NCHW', range: '[-1,1]', channels: 3 },
    resolution: { width: size, height: size },
  };
  const reference = (z: Float32Array, cls: Float32Array, t: number): Float64Array => {
    const out = new Float64Array(outCount);
    for (let o = 0; o < outCount; o++) {
      let a = 0;
      for (let i = 0; i < latent; i++) a += z[i] * Wz[i * outCount + o];
      if (spec.truncation) a *= t;
      for (let k = 0; k < classes; k++) a += cls[k] * Wc[k * outCount + o];
      out[o] = Math.tanh(a);
    }
    return out;
  };
  return { onnx, manifest, reference };
}

/** A StyleGAN2/3-signature model: `z[1,512]` (+ `c[1,classes]` when classes > 0) → `img`. */
export function styleganModel(size = 16, classes = 0): SyntheticModel {
  return build({ name: 'synthetic-stylegan', size, latent: 512, classes, truncation: false, names: { z: 'z', c: 'c', t: '', out: 'img' } });
}

/** A BigGAN-signature model: `z[1,128]`, `class[1,1000]`, `truncation[1]` → `img`. */
export function bigganModel(size = 16): SyntheticModel {
  return build({ name: 'synthetic-biggan', size, latent: 128, classes: 1000, truncation: true, names: { z: 'z', c: 'class', t: 'truncation', out: 'img' } });
}
