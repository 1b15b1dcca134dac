import { kernelsWasm } from './kernelsWasm.js';

/**
 * The analysis's SIMD kernels (kernels.wat: the FFT, framing, filterbank and gate, the pitch novelty, the note fit, the learned chroma's layers):
 * WebAssembly, two f64 lanes at a time (four f32 for the net), bit-identical to the JavaScript they stand in for. Each user gets its own instance and memory, sized once and
 * never grown (growing would detach the typed-array views handed out), and falls back to its
 * JavaScript path where WebAssembly SIMD is missing.
 */
export interface KernelExports {
  /** y = bias + Σ_t vals[t] · column(offs[t]) over `outputs` f32; see kernels.wat. */
  gemv(cols: number, outputs: number, bias: number, offs: number, vals: number, m: number, y: number): void;
  /** The nonzero terms of a ReLU layer's input (offsets i · rowBytes); returns their number. */
  reluTerms(x: number, n: number, rowBytes: number, offs: number, vals: number): number;
  /** The terms of one pitch class's window (offsets positions[idx] · rowBytes); returns their number. */
  windowTerms(positions: number, nzIdx: number, nzVal: number, count: number, rowBytes: number, offs: number, vals: number): number;
  /** y += v · x over n f64. */
  axpy(y: number, x: number, v: number, n: number): void;
  /** `count` sweeps of the note fit's coordinate descent. */
  sweeps(gram: number, n: number, x: number, grad: number, cap: number, count: number): void;
  /** Magnitudes of a real frame's DFT (see realFft.ts). */
  rfftMag(input: number, m: number, rev: number, tw: number, post: number, z: number, mag: number, scale: number): void;
  /** out[n] = ring[(pos + n) mod len] · window[n], n < len (f64). */
  windowRing(ring: number, len: number, pos: number, window: number, out: number): void;
  /** out[n] = ring[(start + n) & mask] · window[n], n < count (ring f32, window and out f64). */
  windowRing32(ring: number, mask: number, start: number, window: number, count: number, out: number): void;
  /** out[0] = Σ w[n]·x, out[1] = Σ w[n]·x·x, x = ring[(start + n) & mask] (f32), n < count. */
  ringMoments(ring: number, mask: number, start: number, w: number, count: number, out: number): void;
  /** onset.ts's pitch novelty of one frame (see kernels.wat). */
  pitchNovelty(bands: number, start: number, partials: number, weights: number, notes: number, raw: number, sal: number, rows: number, row: number, past: number, ready: number, floor: number): number;
  /** The filterbank's band sums (see spectrum.ts). */
  bandSums(mag: number, start: number, end: number, weightOffset: number, weights: number, count: number, out: number): void;
}

/** A typed array in a kernel instance's memory, with its byte offset there. */
export interface KernelArray<T> {
  readonly ptr: number;
  readonly view: T;
}

/** One instance: its exports, and a bump allocator over its memory. */
export interface Kernels {
  readonly exports: KernelExports;
  f64(length: number): KernelArray<Float64Array>;
  f32(length: number): KernelArray<Float32Array>;
  i32(length: number): KernelArray<Int32Array>;
}

/**
 * A Float64Array in `k`'s memory, or a plain one (ptr −1) where there is no instance (the
 * JavaScript path); like the typed-array constructor, `source` is a length or values to copy in.
 */
export function f64In(k: Kernels | null, source: number | ArrayLike<number>): KernelArray<Float64Array> {
  const length = typeof source === 'number' ? source : source.length;
  const a = k?.f64(length) ?? { ptr: -1, view: new Float64Array(length) };
  if (typeof source !== 'number') a.view.set(source);
  return a;
}

/** {@link f64In} for an Int32Array. */
export function i32In(k: Kernels | null, source: number | ArrayLike<number>): KernelArray<Int32Array> {
  const length = typeof source === 'number' ? source : source.length;
  const a = k?.i32(length) ?? { ptr: -1, view: new Int32Array(length) };
  if (typeof source !== 'number') a.view.set(source);
  return a;
}

const ALIGN = 16;
const PAGE = 65536;

let module: WebAssembly.Module | null | undefined;

/** The compiled module, once per process; null where WebAssembly or its SIMD is missing. */
function kernelModule(): WebAssembly.Module | null {
  if (module !== undefined) return module;
  try {
    module = new WebAssembly.Module(Buffer.from(kernelsWasm, 'base64'));
  } catch {
    module = null;
  }
  return module;
}

/** Bytes enough for arrays of these lengths (each counted as f64, aligned): the size to give {@link createKernels}. */
export function kernelBytes(lengths: readonly number[]): number {
  return lengths.reduce((sum, n) => sum + Math.ceil((8 * n) / ALIGN) * ALIGN, 0);
}

/**
 * An instance with room for `bytes` of arrays (see {@link kernelBytes}), or null when the kernels
 * cannot run here (no WebAssembly SIMD) or `enabled` is false: the caller keeps its JavaScript path.
 */
export function createKernels(bytes: number, enabled = true): Kernels | null {
  const mod = enabled ? kernelModule() : null;
  if (mod === null) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
  const exports = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as KernelExports;
  const limit = memory.buffer.byteLength;
  let next = 0;
  const take = (size: number): number => {
    const ptr = next;
    next += Math.ceil(size / ALIGN) * ALIGN;
    if (next > limit) throw new Error(`kernel memory: ${next} bytes wanted, ${limit} sized`);
    return ptr;
  };
  return {
    exports,
    f64: (length) => {
      const ptr = take(8 * length);
      return { ptr, view: new Float64Array(memory.buffer, ptr, length) };
    },
    f32: (length) => {
      const ptr = take(4 * length);
      return { ptr, view: new Float32Array(memory.buffer, ptr, length) };
    },
    i32: (length) => {
      const ptr = take(4 * length);
      return { ptr, view: new Int32Array(memory.buffer, ptr, length) };
    },
  };
}
