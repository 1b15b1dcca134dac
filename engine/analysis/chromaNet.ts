import { chromaNetLayers } from './chromaNetWeights.js';

/**
 * The learned chroma: a small dense net (two ReLU layers, 12 sigmoid outputs) from the note-fit
 * front end's inputs (line spectrum and note activations, {@link ChromaState.netInput}) to the
 * probability that each pitch class is a tone of the sounding chord. Trained by
 * scripts/train_chroma.py on material that shares nothing with the report half of the chord set.
 *
 * @remarks
 * The note fit explains partials by fundamentals, but an instrument's harmonic make-up decides
 * how much of a fifth or a seventh is left over; the net learns that from many timbres and stays
 * per-frame (causal, at most about 176,000 multiply-adds per chroma update, fewer as inputs are 0; no state).
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
}

/** A layer from row-major weights (outputs × inputs, as PyTorch stores them). */
export function denseLayer(inputs: number, outputs: number, weights: Float32Array, bias: Float32Array): DenseLayer {
  const columns = new Float32Array(inputs * outputs);
  for (let o = 0; o < outputs; o++) for (let i = 0; i < inputs; i++) columns[i * outputs + o] = weights[o * inputs + i];
  return { inputs, outputs, columns, bias };
}

/** A net of `layers` with its activation buffers. */
export function chromaNetOf(layers: readonly DenseLayer[]): ChromaNet {
  return { layers, activations: layers.map((l) => new Float64Array(l.outputs)) };
}

function floats(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(4 * i);
  return out;
}

let decoded: readonly DenseLayer[] | undefined;

/** The shipped net (weights decoded once per process, buffers per call), or null when it does not take `inputs` inputs. */
export function createChromaNet(inputs: number): ChromaNet | null {
  decoded ??= chromaNetLayers.map((l) => denseLayer(l.inputs, l.outputs, floats(l.weights), floats(l.bias)));
  if (decoded.length === 0 || decoded[0].inputs !== inputs || decoded[decoded.length - 1].outputs !== 12) return null;
  return chromaNetOf(decoded);
}

/**
 * Forward pass: `out` gets the 12 pitch-class probabilities. No allocation. Zero inputs (the front
 * end's bins 60 dB below its maximum, ReLU units that are off) cost nothing.
 */
export function chromaNetForward(net: ChromaNet, input: ArrayLike<number>, out: Float64Array): void {
  let x: ArrayLike<number> = input;
  const last = net.layers.length - 1;
  for (let li = 0; li <= last; li++) {
    const { inputs, outputs, columns, bias } = net.layers[li];
    const y = net.activations[li];
    for (let o = 0; o < outputs; o++) y[o] = bias[o];
    for (let i = 0; i < inputs; i++) {
      const v = x[i];
      if (v === 0) continue;
      const col = i * outputs;
      for (let o = 0; o < outputs; o++) y[o] += columns[col + o] * v;
    }
    if (li === last) for (let o = 0; o < outputs; o++) y[o] = 1 / (1 + Math.exp(-y[o]));
    else for (let o = 0; o < outputs; o++) if (y[o] < 0) y[o] = 0;
    x = y;
  }
  out.set(net.activations[last]);
}
