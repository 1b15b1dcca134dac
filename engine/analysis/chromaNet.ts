import { chromaNetLayers, chromaNetShared } from './chromaNetWeights.js';

/**
 * The learned chroma: a small net (two ReLU layers, sigmoid outputs) from the note-fit front
 * end's inputs (line spectrum and note activations, {@link ChromaState.netInput}) to the
 * probability that each pitch class is a tone of the sounding chord. Trained by
 * scripts/train_chroma.py on material that shares nothing with the report half of the chord set.
 *
 * @remarks
 * Two shapes. A dense net reads the whole input and has 12 outputs. A shared net has one output
 * and is run once per pitch class k on the input moved down by k semitones (its
 * {@link ChromaNet.gather} table), so what it learns about one class holds for all twelve
 * (transposition-equivariant). Either way it is per-frame (causal, no state) and skips zero inputs.
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
  readonly activations: readonly Float64Array[];
  /**
   * Shared net: for pitch class k, entry k × layers[0].inputs + j is the index in the front end's
   * input of the first layer's input j (−1: outside the input, reads 0). Null for a dense net.
   */
  readonly gather: Int32Array | null;
}

/** Where the front end's input blocks are: the line spectrum (3 bins per semitone, from one semitone below the lowest note), the notes, and a context block of as many notes. */
export interface ChromaNetLayout {
  readonly bins: number;
  readonly notes: number;
  readonly context: boolean;
}

/** A layer from row-major weights (outputs × inputs, as PyTorch stores them). */
export function denseLayer(inputs: number, outputs: number, weights: Float32Array, bias: Float32Array): DenseLayer {
  const columns = new Float32Array(inputs * outputs);
  for (let o = 0; o < outputs; o++) for (let i = 0; i < inputs; i++) columns[i * outputs + o] = weights[o * inputs + i];
  return { inputs, outputs, columns, bias };
}

/** A net of `layers` with its activation buffers; with `gather`, a shared net (see {@link sharedGather}). */
export function chromaNetOf(layers: readonly DenseLayer[], gather: Int32Array | null = null): ChromaNet {
  return { layers, activations: layers.map((l) => new Float64Array(l.outputs)), gather };
}

/**
 * The shared net's gather table (as scripts/train_chroma.py builds it): for pitch class k, window
 * position u (0 ≤ u < `span`) is note u + k − `offset`; the window holds the three spectrum bins of
 * each position's semitone, then each position's note, then (with context) its context entry.
 */
export function sharedGather(layout: ChromaNetLayout, span: number, offset: number): Int32Array {
  const { bins, notes, context } = layout;
  const width = span * (context ? 5 : 4);
  const out = new Int32Array(12 * width);
  for (let k = 0; k < 12; k++) {
    const row = k * width;
    for (let u = 0; u < span; u++) {
      const note = u + k - offset;
      const semi = note + 1;
      for (let b = 0; b < 3; b++) out[row + 3 * u + b] = semi >= 0 && semi < bins / 3 ? 3 * semi + b : -1;
      const inRange = note >= 0 && note < notes;
      out[row + 3 * span + u] = inRange ? bins + note : -1;
      if (context) out[row + 4 * span + u] = inRange ? bins + notes + note : -1;
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

let decoded: readonly DenseLayer[] | undefined;

/** The shipped net (weights decoded once per process, buffers per call), or null when it does not fit `layout`. */
export function createChromaNet(layout: ChromaNetLayout): ChromaNet | null {
  decoded ??= chromaNetLayers.map((l) => denseLayer(l.inputs, l.outputs, floats(l.weights), floats(l.bias)));
  if (decoded.length === 0) return null;
  const first = decoded[0].inputs;
  const last = decoded[decoded.length - 1].outputs;
  const { span, offset } = chromaNetShared;
  if (span > 0) {
    // Trained on one range: its window is the notes plus `offset` positions, its spectrum a semitone more than the notes.
    if (span !== layout.notes + offset || layout.bins !== 3 * (layout.notes + 1)) return null;
    if (first !== span * (layout.context ? 5 : 4) || last !== 1) return null;
    return chromaNetOf(decoded, sharedGather(layout, span, offset));
  }
  if (first !== layout.bins + layout.notes * (layout.context ? 2 : 1) || last !== 12) return null;
  return chromaNetOf(decoded);
}

/** One layer: `y` = bias + W·x, reading x[i] as `input[map[mapFrom + i]]` when `map` is given (−1 reads 0). Zero inputs cost nothing. */
function layerForward(layer: DenseLayer, x: ArrayLike<number>, y: Float64Array, map: Int32Array | null, mapFrom: number): void {
  const { inputs, outputs, columns, bias } = layer;
  for (let o = 0; o < outputs; o++) y[o] = bias[o];
  for (let i = 0; i < inputs; i++) {
    let v: number;
    if (map === null) v = x[i];
    else {
      const src = map[mapFrom + i];
      if (src < 0) continue;
      v = x[src];
    }
    if (v === 0) continue;
    const col = i * outputs;
    for (let o = 0; o < outputs; o++) y[o] += columns[col + o] * v;
  }
}

/** The layers after the first one (ReLU between, the last one's outputs left as logits). Returns the last activation buffer. */
function restForward(net: ChromaNet): Float64Array {
  const last = net.layers.length - 1;
  for (let li = 0; li <= last; li++) {
    const y = net.activations[li];
    if (li > 0) layerForward(net.layers[li], net.activations[li - 1], y, null, 0);
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
  const first = net.layers[0];
  if (net.gather === null) {
    layerForward(first, input, net.activations[0], null, 0);
    const y = restForward(net);
    for (let k = 0; k < 12; k++) out[k] = sigmoid(y[k]);
    return;
  }
  for (let k = 0; k < 12; k++) {
    layerForward(first, input, net.activations[0], net.gather, k * first.inputs);
    out[k] = sigmoid(restForward(net)[0]);
  }
}
