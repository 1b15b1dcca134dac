import { chromaNets } from './chromaNetWeights.js';
import { createKernels, kernelBytes, type KernelArray, type KernelExports } from './kernels.js';

/**
 * The learned chroma: a small net (two ReLU layers, sigmoid outputs) from the note-fit front
 * end's inputs (line spectrum and note activations, {@link ChromaState.netInput}) to the
 * probability that each pitch class is a tone of the sounding chord. Trained by
 * scripts/train_chroma.py on material that shares nothing with the report half of the chord set.
 *
 * @remarks
 * Two shapes. A dense net reads the whole input and has 12 outputs. A shared net has one output
 * and is run once per pitch class k on the input moved down by k semitones (its
 * {@link ChromaNet.positions} table), so what it learns about one class holds for all twelve
 * (transposition-equivariant). Either way it is per-frame (causal, no state) and skips zero inputs.
 * It computes in f32 (its weights are f32): every product and sum rounded to f32, in the SIMD
 * kernel four lanes at a time and in JavaScript through Math.fround, to the same bits.
 */
export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** Input-major (inputs × outputs): the forward pass adds one input's column at a time and skips zero inputs. */
  readonly columns: Float32Array;
  readonly bias: Float32Array;
}

export interface ChromaNet {
  readonly layers: readonly DenseLayer[];
  /** One activation buffer per layer, allocated once. */
  readonly activations: readonly Float32Array[];
  /**
   * Shared net: entry k × (input length) + i is where the front end's input i sits in pitch class
   * k's window (the first layer's input), −1 outside it. Null for a dense net.
   */
  readonly positions: Int32Array | null;
  /** Scratch: the frame's nonzero inputs (index, value), found once (for all twelve classes of a shared net); in the kernel's memory when there is one. */
  readonly nzIndex: Int32Array;
  readonly nzValue: Float32Array;
  /** The same net in a SIMD kernel instance (kernels.ts), or null: the JavaScript forward pass. */
  readonly kernel: NetKernel | null;
}

/** A net's copy in a kernel instance: pointers into its memory. */
interface NetKernel {
  readonly run: KernelExports;
  readonly layers: readonly { readonly cols: number; readonly bias: number; readonly outputs: number }[];
  /** Each layer's outputs (the net's {@link ChromaNet.activations} are their views). */
  readonly activations: readonly KernelArray<Float32Array>[];
  /** The first layer's input positions, one row of the front end's input length per class (a dense net: one identity row). */
  readonly positions: number;
  readonly rows: number;
  /** The frame's nonzero inputs (the net's {@link ChromaNet.nzIndex} and nzValue are their views). */
  readonly nzIndex: KernelArray<Int32Array>;
  readonly nzValue: KernelArray<Float32Array>;
  /** A layer's terms: column byte offsets and values. */
  readonly offs: number;
  readonly vals: number;
}

/** Where the front end's input blocks are: the line spectrum (3 bins per semitone, from one semitone below the lowest note), the notes, and a context block of as many notes. */
export interface ChromaNetLayout {
  readonly bins: number;
  readonly notes: number;
  readonly context: boolean;
}

/** Length of the front end's input in `layout`: the spectrum, the notes and (with context) as many context entries. */
export function chromaNetInputs(layout: ChromaNetLayout): number {
  return layout.bins + layout.notes * (layout.context ? 2 : 1);
}

/** A layer from row-major weights (outputs × inputs, as PyTorch stores them). */
export function denseLayer(inputs: number, outputs: number, weights: Float32Array, bias: Float32Array): DenseLayer {
  const columns = new Float32Array(inputs * outputs);
  for (let o = 0; o < outputs; o++) for (let i = 0; i < inputs; i++) columns[i * outputs + o] = weights[o * inputs + i];
  return { inputs, outputs, columns, bias };
}

/**
 * A net of `layers` with its buffers; with `positions` (see {@link sharedPositions}), a shared net.
 * With `simd` (and WebAssembly SIMD here), the forward pass runs in a kernel instance of its own.
 */
export function chromaNetOf(layers: readonly DenseLayer[], positions: Int32Array | null = null, simd = true): ChromaNet {
  const inputs = positions === null ? layers[0].inputs : positions.length / 12;
  const kernel = simd ? netKernel(layers, positions, inputs) : null;
  return {
    layers, positions, kernel,
    activations: kernel?.activations.map((a) => a.view) ?? layers.map((l) => new Float32Array(l.outputs)),
    nzIndex: kernel?.nzIndex.view ?? new Int32Array(inputs),
    nzValue: kernel?.nzValue.view ?? new Float32Array(inputs),
  };
}

function netKernel(layers: readonly DenseLayer[], positions: Int32Array | null, inputs: number): NetKernel | null {
  const identity = positions === null ? Int32Array.from({ length: inputs }, (_, i) => i) : positions;
  const terms = Math.max(inputs, ...layers.map((l) => l.inputs));
  const k = createKernels(kernelBytes([
    ...layers.flatMap((l) => [l.columns.length, l.outputs, l.outputs]),
    identity.length, inputs, inputs, terms, terms,
  ]));
  if (k === null) return null;
  const put = (data: Float32Array): number => {
    const a = k.f32(data.length);
    a.view.set(data);
    return a.ptr;
  };
  const placed = layers.map((l) => ({ cols: put(l.columns), bias: put(l.bias), outputs: l.outputs }));
  const pos = k.i32(identity.length);
  pos.view.set(identity);
  return {
    run: k.exports, layers: placed, activations: layers.map((l) => k.f32(l.outputs)),
    positions: pos.ptr, rows: identity.length / inputs,
    nzIndex: k.i32(inputs), nzValue: k.f32(inputs), offs: k.i32(terms).ptr, vals: k.f32(terms).ptr,
  };
}

/**
 * The shared net's window positions (as scripts/train_chroma.py builds its windows): for pitch
 * class k, window position u (0 ≤ u < `span`) is note u + k − `offset`; the window holds the three
 * spectrum bins of each position's semitone, then each position's note, then (with context) its
 * context entry. Returns, per class, where each input of the front end goes (−1: outside).
 */
export function sharedPositions(layout: ChromaNetLayout, span: number, offset: number): Int32Array {
  const { bins, notes, context } = layout;
  const inputs = chromaNetInputs(layout);
  const out = new Int32Array(12 * inputs).fill(-1);
  for (let k = 0; k < 12; k++) {
    const row = k * inputs;
    for (let u = 0; u < span; u++) {
      const note = u + k - offset;
      const semi = note + 1;
      if (semi >= 0 && semi < bins / 3) for (let b = 0; b < 3; b++) out[row + 3 * semi + b] = 3 * u + b;
      if (note >= 0 && note < notes) {
        out[row + bins + note] = 3 * span + u;
        if (context) out[row + bins + notes + note] = 4 * span + u;
      }
    }
  }
  return out;
}

function floats(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(4 * i);
  return out;
}

/** One trained net as chromaNetWeights.ts stores it. */
export interface ChromaNetWeights {
  /** The window of note positions each pitch class reads (span 0: a dense net over the whole input, 12 outputs), and how many notes below the class it starts. */
  readonly shared: { readonly span: number; readonly offset: number };
  /** Dense layers: row-major weights (outputs × inputs) and biases, little-endian float32, base64. */
  readonly layers: readonly { readonly inputs: number; readonly outputs: number; readonly weights: string; readonly bias: string }[];
}

const decoded = new Map<ChromaNetWeights, readonly DenseLayer[]>();

/** `weights` as a net (decoded once per process, buffers per call; `simd`: see {@link chromaNetOf}), or null when it does not fit `layout`. */
export function createChromaNet(layout: ChromaNetLayout, simd: boolean, weights: ChromaNetWeights): ChromaNet | null {
  let layers = decoded.get(weights);
  if (layers === undefined) {
    layers = weights.layers.map((l) => denseLayer(l.inputs, l.outputs, floats(l.weights), floats(l.bias)));
    decoded.set(weights, layers);
  }
  if (layers.length === 0) return null;
  const first = layers[0].inputs;
  const last = layers[layers.length - 1].outputs;
  const { span, offset } = weights.shared;
  if (span > 0) {
    // Trained on one range: its window is the notes plus `offset` positions, its spectrum a semitone more than the notes.
    if (span !== layout.notes + offset || layout.bins !== 3 * (layout.notes + 1)) return null;
    if (first !== span * (layout.context ? 5 : 4) || last !== 1) return null;
    return chromaNetOf(layers, sharedPositions(layout, span, offset), simd);
  }
  if (first !== chromaNetInputs(layout) || last !== 12) return null;
  return chromaNetOf(layers, null, simd);
}

/** The shipped ensemble ({@link createChromaNet} for each member of `chromaNets`), or null when there is none or one of them does not fit `layout`. */
export function createChromaNets(layout: ChromaNetLayout, simd = true): ChromaNet[] | null {
  const nets = chromaNets.map((w) => createChromaNet(layout, simd, w));
  return nets.length > 0 && nets.every((n) => n !== null) ? (nets as ChromaNet[]) : null;
}

/**
 * The ensemble's forward pass: `out` gets the mean of the members' probabilities ({@link chromaNetForward}
 * of each into `scratch`, summed in member order). With one member, that member's output to the bit.
 */
export function chromaNetsForward(nets: readonly ChromaNet[], input: ArrayLike<number>, scratch: Float64Array, out: Float64Array): void {
  out.fill(0);
  for (const net of nets) {
    chromaNetForward(net, input, scratch);
    for (let k = 0; k < 12; k++) out[k] += scratch[k];
  }
  for (let k = 0; k < 12; k++) out[k] /= nets.length;
}

/**
 * `y[i]` += `v` × `x[from + i]` for i < `n` in f32 (the product rounded, then the sum: kernels.wat's
 * f32x4.mul and f32x4.add), four at a time (V8 does not unroll loops).
 */
function addScaled32(y: Float32Array, x: Float32Array, from: number, v: number, n: number): void {
  let o = 0;
  for (; o + 4 <= n; o += 4) {
    const c = from + o;
    y[o] += Math.fround(x[c] * v);
    y[o + 1] += Math.fround(x[c + 1] * v);
    y[o + 2] += Math.fround(x[c + 2] * v);
    y[o + 3] += Math.fround(x[c + 3] * v);
  }
  for (; o < n; o++) y[o] += Math.fround(x[from + o] * v);
}

/** One layer from activations: `y` = bias + W·x; zero inputs (ReLU units that are off) cost nothing. */
function layerForward(layer: DenseLayer, x: Float32Array, y: Float32Array): void {
  const { inputs, outputs, columns, bias } = layer;
  for (let o = 0; o < outputs; o++) y[o] = bias[o];
  for (let i = 0; i < inputs; i++) if (x[i] !== 0) addScaled32(y, columns, i * outputs, x[i], outputs);
}

/** The layers after the first one (ReLU between, the last one's outputs left as logits). Returns the last activation buffer. */
function restForward(net: ChromaNet): Float32Array {
  const last = net.layers.length - 1;
  for (let li = 0; li <= last; li++) {
    const y = net.activations[li];
    if (li > 0) layerForward(net.layers[li], net.activations[li - 1], y);
    if (li < last) for (let o = 0; o < y.length; o++) if (y[o] < 0) y[o] = 0;
  }
  return net.activations[last];
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * Forward pass: `out` gets the 12 pitch-class probabilities. No allocation. Zero inputs (the front
 * end's bins 60 dB below its maximum, ReLU units that are off) cost nothing.
 */
export function chromaNetForward(net: ChromaNet, input: ArrayLike<number>, out: Float64Array): void {
  const { nzIndex, nzValue, positions } = net;
  let count = 0;
  for (let i = 0; i < nzIndex.length; i++) {
    const v = input[i];
    if (v === 0) continue;
    nzIndex[count] = i;
    nzValue[count++] = v;
  }
  if (net.kernel !== null) {
    kernelForward(net.kernel, count, out);
    return;
  }
  const { outputs, columns, bias } = net.layers[0];
  const h = net.activations[0];
  for (let k = 0; k < (positions === null ? 1 : 12); k++) {
    for (let o = 0; o < outputs; o++) h[o] = bias[o];
    const row = k * nzIndex.length;
    for (let t = 0; t < count; t++) {
      const j = positions === null ? nzIndex[t] : positions[row + nzIndex[t]];
      if (j >= 0) addScaled32(h, columns, j * outputs, nzValue[t], outputs);
    }
    const y = restForward(net);
    if (positions !== null) out[k] = sigmoid(y[0]);
    else for (let c = 0; c < 12; c++) out[c] = sigmoid(y[c]);
  }
}

/** {@link chromaNetForward} in the kernel instance, on the frame's `count` nonzero inputs already gathered there: the same sums in the same order. */
function kernelForward(kn: NetKernel, count: number, out: Float64Array): void {
  const { run, layers, activations, offs, vals, nzIndex, nzValue } = kn;
  const inputs = nzIndex.view.length;
  const first = layers[0];
  const last = layers.length - 1;
  for (let k = 0; k < kn.rows; k++) {
    let m = run.windowTerms(kn.positions + 4 * k * inputs, nzIndex.ptr, nzValue.ptr, count, 4 * first.outputs, offs, vals);
    run.gemv(first.cols, first.outputs, first.bias, offs, vals, m, activations[0].ptr);
    for (let li = 1; li <= last; li++) {
      const l = layers[li];
      m = run.reluTerms(activations[li - 1].ptr, layers[li - 1].outputs, 4 * l.outputs, offs, vals);
      run.gemv(l.cols, l.outputs, l.bias, offs, vals, m, activations[li].ptr);
    }
    const y = activations[last].view;
    if (kn.rows === 12) out[k] = sigmoid(y[0]);
    else for (let c = 0; c < 12; c++) out[c] = sigmoid(y[c]);
  }
}
