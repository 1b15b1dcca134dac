/**
 * The built-in generator: a CPPN (compositional pattern-producing network) written as an ONNX
 * model from a seed, so a show runs with nothing to download.
 *
 * Per pixel: Fourier features of the coordinates (planar waves, rings and spirals at frequencies
 * spread over several octaves, so the image has structure at several scales), phase-shifted by a
 * projection of the latent and the 12 classes; then a tanh layer and a sine layer (folds), both
 * biased by the latent; then two scalar fields: a palette position and a brightness. The colour is
 * a cosine palette `0.5 + 0.5·cos(2π(t·f + d))` whose phase `d` turns with the class vector, so
 * the dominant pitch class shows as a hue. Output: RGBA8, NHWC `[1, S, S, 4]`.
 *
 * @remarks The coordinate features are a constant `[S², K]` initializer: the per-pixel work left
 * is one add and sine over K features and two small matrix products, ≈ 4 ms per 256² frame on
 * one laptop core (see `npm run bench`). The latent enters only through `[1, K]` and `[1, H]`
 * vectors, so a latent step changes phases smoothly: small steps give small changes, and a pulse
 * (the same offset on every dimension) shifts every phase at once, which reads as a clear kick.
 */
import { mulberry32, type Rng } from '../../random.js';
import { encodeModel, type GraphSpec, type Initializer, type NodeSpec } from '../onnx/onnxModel.js';

/** Latent size of the built-in model. */
export const CPPN_LATENT = 128;
/** Its class count: the 12 pitch classes. */
export const CPPN_CLASSES = 12;
/** Input and output names. */
export const CPPN_IO = { latent: 'z', class: 'class', output: 'rgba' } as const;

export interface CppnOptions {
  /** Output size in pixels (square). */
  size: number;
  /** Seed of every weight. */
  seed: number;
  /** Coordinate features (default 32). */
  features?: number;
  /** Hidden width (default 16). */
  hidden?: number;
}

/** Twist of the swirl features, radians per unit radius. */
const SWIRL = 2.5;
/** Spectral slope of the feature weights. */
const SLOPE = 1.1;

/** Gaussian draw from the sum of 6 uniforms (Irwin–Hall): cheap, deterministic, bounded. */
function gauss(rng: Rng): number {
  let u = 0;
  for (let i = 0; i < 6; i++) u += rng();
  return (u - 3) * Math.SQRT2;
}

function matrix(rng: Rng, rows: number, cols: number, std: number): Float32Array {
  const m = new Float32Array(rows * cols);
  for (let i = 0; i < m.length; i++) m[i] = gauss(rng) * std;
  return m;
}

/**
 * The constant coordinate features, in radians before the sine: a third planar waves, a third
 * rings, a third spirals (integer arms, so no seam), frequencies log-spread over 0.4–8 cycles.
 */
function coordinateFeatures(rng: Rng, size: number, k: number): { grid: Float32Array; freq: Float32Array } {
  const out = new Float32Array(size * size * k);
  const kind = new Uint8Array(k);
  const freqs = new Float32Array(k);
  const a = new Float32Array(k);
  const b = new Float32Array(k);
  const cx = new Float32Array(k);
  const cy = new Float32Array(k);
  for (let j = 0; j < k; j++) {
    kind[j] = j % 3;
    const freq = 2 * Math.PI * 0.5 * Math.pow(12, rng());
    const theta = rng() * 2 * Math.PI;
    a[j] = freq;
    freqs[j] = freq;
    b[j] = theta;
    cx[j] = kind[j] === 1 ? (rng() - 0.5) * 1.2 : 0;
    cy[j] = kind[j] === 1 ? (rng() - 0.5) * 1.2 : 0;
  }
  for (let i = 0; i < size; i++) {
    const y = ((i + 0.5) / size) * 2 - 1;
    for (let c = 0; c < size; c++) {
      const x = ((c + 0.5) / size) * 2 - 1;
      const o = (i * size + c) * k;
      for (let j = 0; j < k; j++) {
        const dx = x - cx[j];
        const dy = y - cy[j];
        if (kind[j] === 0) out[o + j] = a[j] * (dx * Math.cos(b[j]) + dy * Math.sin(b[j]));
        else if (kind[j] === 1) out[o + j] = a[j] * Math.hypot(dx, dy);
        else {
          const phi = b[j] + SWIRL * Math.hypot(dx, dy);
          out[o + j] = a[j] * (dx * Math.cos(phi) + dy * Math.sin(phi));
        }
      }
    }
  }
  return { grid: out, freq: freqs };
}

/** Builds the CPPN graph (deterministic in `seed`). */
export function cppnGraph(opts: CppnOptions): GraphSpec {
  const { size, seed } = opts;
  const K = opts.features ?? 32;
  const H = opts.hidden ?? 16;
  const D = CPPN_LATENT;
  const C = CPPN_CLASSES;
  const N = size * size;
  if (!Number.isInteger(size) || size < 8 || size > 2048) throw new RangeError(`CPPN size must be an integer in 8..2048, got ${size}`);
  const rng = mulberry32(seed >>> 0);

  const { grid, freq } = coordinateFeatures(rng, size, K);
  // Pink weighting: a feature's weight falls as frequency^-SLOPE, so the broad shapes dominate
  // and the fine ones texture them.
  const W1 = matrix(rng, K, H, 1.6 / Math.sqrt(K));
  for (let j = 0; j < K; j++) {
    const w = Math.pow(freq[j] / (2 * Math.PI * 0.5), -SLOPE);
    for (let h = 0; h < H; h++) W1[j * H + h] *= w * 2;
  }
  // sin(grid + φ) = sin(grid)·cos φ + cos(grid)·sin φ, and φ is per feature, so the first layer
  // is one matrix product of the constant [sin | cos](grid) with W1 scaled row-wise by
  // [cos φ | sin φ]: no per-pixel transcendental at all.
  const sinCos = new Float32Array(N * 2 * K);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < K; j++) {
      const g = grid[i * K + j];
      sinCos[i * 2 * K + j] = Math.sin(g);
      sinCos[i * 2 * K + K + j] = Math.cos(g);
    }
  }
  const W1twice = new Float32Array(2 * K * H);
  W1twice.set(W1, 0);
  W1twice.set(W1, K * H);
  // Output fields: the palette position (scaled by the palette frequency and 2π, the same for
  // the three channels) and the brightness (gain 3 before the sigmoid).
  const Wfield = matrix(rng, H, 2, 0.8 / Math.sqrt(H));
  const paletteFreq = 0.7 + 0.3 * rng();
  const Wout = new Float32Array(H * 4);
  for (let h = 0; h < H; h++) {
    for (let ch = 0; ch < 3; ch++) Wout[h * 4 + ch] = Wfield[h * 2] * paletteFreq * 2 * Math.PI;
    Wout[h * 4 + 3] = Wfield[h * 2 + 1] * 3;
  }
  const paletteBase = Float32Array.of(0, 0.2, 0.4).map((v) => 2 * Math.PI * (v + rng()));
  // Palette phase per class: the 12 classes walk once round the hue circle.
  const classHue = new Float32Array(C * 3);
  for (let c = 0; c < C; c++) for (let ch = 0; ch < 3; ch++) classHue[c * 3 + ch] = (2 * Math.PI * c) / C;

  const init: Initializer[] = [
    { name: 'sinCos', dims: [N, 2 * K], data: sinCos },
    // Phase per feature: latent (std ≈ 1 rad for a unit-variance z) and classes.
    { name: 'Wzp', dims: [D, K], data: matrix(rng, D, K, 1 / Math.sqrt(D)) },
    { name: 'Wcp', dims: [C, K], data: matrix(rng, C, K, 0.6) },
    { name: 'W1twice', dims: [2 * K, H], data: W1twice },
    { name: 'Wz1', dims: [D, H], data: matrix(rng, D, H, 0.5 / Math.sqrt(D)) },
    { name: 'W2', dims: [H, H], data: matrix(rng, H, H, 1.8 / Math.sqrt(H)) },
    { name: 'Wz2', dims: [D, H], data: matrix(rng, D, H, 0.5 / Math.sqrt(D)) },
    { name: 'Wout', dims: [H, 4], data: Wout },
    { name: 'paletteBase', dims: [1, 3], data: paletteBase },
    { name: 'Wzd', dims: [D, 3], data: matrix(rng, D, 3, (0.05 * 2 * Math.PI) / Math.sqrt(D)) },
    { name: 'Wcd', dims: [C, 3], data: classHue },
    { name: 'one', dims: [], data: Float32Array.of(1) },
    { name: 'half255', dims: [], data: Float32Array.of(127.5) },
    { name: 'alpha', dims: [N, 1], data: new Float32Array(N).fill(255) },
    { name: 'column', dims: [2], data: [2 * K, 1], type: 'int64' },
    { name: 'split', dims: [2], data: [3, 1], type: 'int64' },
    { name: 'outShape', dims: [4], data: [1, size, size, 4], type: 'int64' },
  ];
  const n = (op: string, inputs: string[], output: string, attrs?: NodeSpec['attrs']): NodeSpec => ({ op, inputs, outputs: [output], attrs });
  const nodes: NodeSpec[] = [
    n('MatMul', ['z', 'Wzp'], 'pz'),
    n('MatMul', ['class', 'Wcp'], 'pc'),
    n('Add', ['pz', 'pc'], 'phase'),
    n('Cos', ['phase'], 'cosPhase'),
    n('Sin', ['phase'], 'sinPhase'),
    n('Concat', ['cosPhase', 'sinPhase'], 'cs', { axis: { i: 1 } }),
    n('Reshape', ['cs', 'column'], 'csColumn'),
    n('Mul', ['csColumn', 'W1twice'], 'W1phased'),
    n('MatMul', ['z', 'Wz1'], 'b1'),
    n('MatMul', ['sinCos', 'W1phased'], 'm1'),
    n('Add', ['m1', 'b1'], 'a1'),
    n('Tanh', ['a1'], 'h1'),
    n('MatMul', ['z', 'Wz2'], 'b2'),
    n('MatMul', ['h1', 'W2'], 'm2'),
    n('Add', ['m2', 'b2'], 'a2'),
    n('Tanh', ['a2'], 'h2'),
    n('MatMul', ['h2', 'Wout'], 'fields'),
    { op: 'Split', inputs: ['fields', 'split'], outputs: ['t', 'v'], attrs: { axis: { i: 1 } } },
    // Palette: 0.5 + 0.5·cos(2π(t·f + base + class hue + latent drift)), times the brightness.
    n('MatMul', ['z', 'Wzd'], 'dz'),
    n('MatMul', ['class', 'Wcd'], 'dc'),
    n('Add', ['dz', 'dc'], 'd0'),
    n('Add', ['d0', 'paletteBase'], 'd'),
    n('Add', ['t', 'd'], 'pa'),
    n('Cos', ['pa'], 'pcos'),
    n('Sigmoid', ['v'], 'bright'),
    n('Mul', ['bright', 'half255'], 'b255'),
    n('Add', ['pcos', 'one'], 'p1'),
    n('Mul', ['p1', 'b255'], 'rgb'),
    n('Concat', ['rgb', 'alpha'], 'rgbaf', { axis: { i: 1 } }),
    n('Cast', ['rgbaf'], 'rgba8', { to: { i: 2 } }),
    n('Reshape', ['rgba8', 'outShape'], CPPN_IO.output),
  ];
  return {
    name: 'vj-cppn',
    inputs: [
      { name: CPPN_IO.latent, type: 'float', shape: [1, D] },
      { name: CPPN_IO.class, type: 'float', shape: [1, C] },
    ],
    outputs: [{ name: CPPN_IO.output, type: 'uint8', shape: [1, size, size, 4] }],
    initializers: init,
    nodes,
  };
}

/** The built-in model as ONNX bytes. */
export function buildCppnModel(opts: CppnOptions): Uint8Array {
  return encodeModel(cppnGraph(opts));
}
