import { createKernels, kernelBytes, type KernelExports, type Kernels } from './kernels.js';

/**
 * Magnitude spectrum of a real frame: write the (windowed, zero-padded) frame into `input`, call
 * `transform(scale)`, read |X_k| · scale for k = 0..size/2 from `magnitude`.
 *
 * @remarks
 * A radix-2 complex FFT of size/2 on the frame's even and odd samples as real and imaginary parts,
 * then split into the real transform's bins. It runs in the SIMD kernel instance (kernels.wat's
 * `rfftMag`, a complex number per two-lane vector) where WebAssembly SIMD runs, else in the
 * JavaScript below, which does the same operations in the same order: both give the same bits.
 */
export interface RealFft {
  readonly size: number;
  /** The frame, `size` samples. */
  readonly input: Float64Array;
  /** |X_k| · scale, k = 0..size/2, after {@link RealFft.transform}. */
  readonly magnitude: Float64Array;
  transform(scale: number): void;
  /** True when the transform runs in the SIMD kernels. */
  readonly simd: boolean;
  /** The kernel instance it runs in (null: JavaScript), with the room asked for left for the caller's own arrays. */
  readonly kernels: Kernels | null;
  /** Byte offsets of `input` and `magnitude` in that instance's memory (−1 in JavaScript). */
  readonly inputPtr: number;
  readonly magnitudePtr: number;
}

interface Tables {
  /** Bit-reversed index of each j < m. */
  readonly rev: Int32Array;
  /** Stage twiddles (see kernels.wat): entry e at 4e: re, re, −im, im. */
  readonly tw: Float64Array;
  /** Split twiddles e^(−2πik/size), k = 0..m, the same layout. */
  readonly post: Float64Array;
}

function tables(size: number, rev: Int32Array, tw: Float64Array, post: Float64Array): void {
  const m = size / 2;
  const bits = Math.log2(m);
  for (let j = 0; j < m; j++) {
    let r = 0;
    for (let b = 0; b < bits; b++) if (j & (1 << b)) r |= 1 << (bits - 1 - b);
    rev[j] = r;
  }
  const put = (t: Float64Array, e: number, angle: number): void => {
    const re = Math.cos(angle);
    const im = Math.sin(angle);
    t[4 * e] = re;
    t[4 * e + 1] = re;
    t[4 * e + 2] = -im;
    t[4 * e + 3] = im;
  };
  for (let h = 1; h < m; h *= 2) for (let j = 0; j < h; j++) put(tw, h - 1 + j, (-2 * Math.PI * j) / (2 * h));
  for (let k = 0; k <= m; k++) put(post, k, (-2 * Math.PI * k) / size);
}

/**
 * A transform of `size` samples (a power of two, at least 4), in the SIMD kernels when `simd` and they run here.
 * @param roomBytes - room left in its kernel instance for the caller's arrays (see {@link kernelBytes}), so they sit in the same memory.
 */
export function createRealFft(size: number, simd = true, roomBytes = 0): RealFft {
  if (!(size >= 4 && (size & (size - 1)) === 0)) throw new Error(`real FFT size ${size}: a power of two ≥ 4`);
  const m = size / 2;
  const k = simd ? createKernels(kernelBytes([size, m, 4 * (m - 1), 4 * (m + 1), 2 * m, m + 1]) + roomBytes) : null;
  if (k !== null) {
    const input = k.f64(size);
    const rev = k.i32(m);
    const tw = k.f64(4 * (m - 1));
    const post = k.f64(4 * (m + 1));
    const z = k.f64(2 * m);
    const magnitude = k.f64(m + 1);
    tables(size, rev.view, tw.view, post.view);
    const run: KernelExports = k.exports;
    return {
      size, input: input.view, magnitude: magnitude.view, simd: true, kernels: k, inputPtr: input.ptr, magnitudePtr: magnitude.ptr,
      transform: (scale) => run.rfftMag(input.ptr, m, rev.ptr, tw.ptr, post.ptr, z.ptr, magnitude.ptr, scale),
    };
  }
  const t: Tables = { rev: new Int32Array(m), tw: new Float64Array(4 * Math.max(0, m - 1)), post: new Float64Array(4 * (m + 1)) };
  tables(size, t.rev, t.tw, t.post);
  const input = new Float64Array(size);
  const magnitude = new Float64Array(m + 1);
  const z = new Float64Array(2 * m);
  return { size, input, magnitude, simd: false, kernels: null, inputPtr: -1, magnitudePtr: -1, transform: (scale) => jsTransform(input, m, t, z, magnitude, scale) };
}

/** kernels.wat's `rfftMag`, operation for operation. */
function jsTransform(input: Float64Array, m: number, t: Tables, z: Float64Array, mag: Float64Array, scale: number): void {
  const { rev, tw, post } = t;
  for (let j = 0; j < m; j++) {
    const r = 2 * rev[j];
    z[2 * j] = input[r];
    z[2 * j + 1] = input[r + 1];
  }
  for (let h = 1; h < m; h *= 2) {
    for (let g = 0; g < m; g += 2 * h) {
      let w = 4 * (h - 1);
      for (let a = 2 * g, end = 2 * (g + h); a < end; a += 2, w += 4) {
        const b = a + 2 * h;
        const br = z[b];
        const bi = z[b + 1];
        const tr = br * tw[w] + bi * tw[w + 2];
        const ti = bi * tw[w + 1] + br * tw[w + 3];
        const ar = z[a];
        const ai = z[a + 1];
        z[a] = ar + tr;
        z[a + 1] = ai + ti;
        z[b] = ar - tr;
        z[b + 1] = ai - ti;
      }
    }
  }
  const mask = m - 1;
  for (let k = 0; k <= m; k++) {
    const a = 2 * (k & mask);
    const c = 2 * ((m - k) & mask);
    const ar = z[a];
    const ai = z[a + 1];
    const br = 1 * z[c];
    const bi = -1 * z[c + 1];
    const er = 0.5 * (ar + br);
    const ei = 0.5 * (ai + bi);
    const dr = 0.5 * (ar - br);
    const di = 0.5 * (ai - bi);
    // (−i)·d = (d_im, −d_re)
    const tr = 1 * di;
    const ti = -1 * dr;
    const p = 4 * k;
    const xr = er + (tr * post[p] + ti * post[p + 2]);
    const xi = ei + (ti * post[p + 1] + tr * post[p + 3]);
    mag[k] = scale * Math.sqrt(xr * xr + xi * xi);
  }
}
