/**
 * CPU texture reads as the live renderer's WebGL textures do them: bilinear (`LINEAR`), clamped
 * to the edge (`CLAMP_TO_EDGE`), texel centres at ((x + 0.5) / width, (y + 0.5) / height).
 */
import type { CpuImage } from './Effect.js';

/** Channel `ch` (0 = R, 1 = G, 2 = B) of `img` at (u, v), bilinear, 0..255 (not rounded). */
export function sampleChannel(img: CpuImage, u: number, v: number, ch: number): number {
  const { data, width: w, height: h } = img;
  const y = v * h - 0.5;
  const yf = Math.floor(y);
  const r0 = (yf < 0 ? 0 : yf > h - 1 ? h - 1 : yf) * w;
  const r1 = (yf < -1 ? 0 : yf > h - 2 ? h - 1 : yf + 1) * w;
  return lerpRows(data, w, r0, r1, y - yf, u * w - 0.5, ch);
}

/**
 * The bilinear read at texel x-coordinate `x` (texel units, centres at integers) between rows
 * starting at pixel `r0` and `r1`, `fy` of the way to `r1`.
 *
 * @remarks Split from the row lookup so a loop reading one row pair several times (RGB split)
 * computes the rows once; plain arguments keep it small enough for V8 to inline.
 */
export function lerpRows(data: Uint8Array, w: number, r0: number, r1: number, fy: number, x: number, ch: number): number {
  const xf = Math.floor(x);
  const fx = x - xf;
  const x0 = xf < 0 ? 0 : xf > w - 1 ? w - 1 : xf;
  const x1 = xf < -1 ? 0 : xf > w - 2 ? w - 1 : xf + 1;
  return (1 - fy) * ((1 - fx) * data[(r0 + x0) * 4 + ch] + fx * data[(r0 + x1) * 4 + ch])
    + fy * ((1 - fx) * data[(r1 + x0) * 4 + ch] + fx * data[(r1 + x1) * 4 + ch]);
}

/** Samples R, G and B of `src` at each lookup coordinate of `uv` into `dst` (rounded; alpha untouched). */
export function sampleFrame(uv: Float32Array, src: CpuImage, dst: Uint8Array): void {
  const { data, width: w, height: h } = src;
  for (let i = 0, j = 0; j < uv.length; i += 4, j += 2) {
    const x = uv[j] * w - 0.5;
    const y = uv[j + 1] * h - 0.5;
    const xf = Math.floor(x);
    const yf = Math.floor(y);
    const fx = x - xf;
    const fy = y - yf;
    const x0 = xf < 0 ? 0 : xf > w - 1 ? w - 1 : xf;
    const x1 = xf < -1 ? 0 : xf > w - 2 ? w - 1 : xf + 1;
    const r0 = (yf < 0 ? 0 : yf > h - 1 ? h - 1 : yf) * w;
    const r1 = (yf < -1 ? 0 : yf > h - 2 ? h - 1 : yf + 1) * w;
    const ia = (r0 + x0) * 4;
    const ib = (r0 + x1) * 4;
    const ic = (r1 + x0) * 4;
    const id = (r1 + x1) * 4;
    // Four texels mixed as a weighted sum; + 0.5 and the truncating store round to nearest.
    const wa = (1 - fx) * (1 - fy);
    const wb = fx * (1 - fy);
    const wc = (1 - fx) * fy;
    const wd = fx * fy;
    dst[i] = wa * data[ia] + wb * data[ib] + wc * data[ic] + wd * data[id] + 0.5;
    dst[i + 1] = wa * data[ia + 1] + wb * data[ib + 1] + wc * data[ic + 1] + wd * data[id + 1] + 0.5;
    dst[i + 2] = wa * data[ia + 2] + wb * data[ib + 2] + wc * data[ic + 2] + wd * data[id + 2] + 0.5;
  }
}

/** Sets `uv` to the output pixel centres of a width × height frame: the identity lookup. */
export function pixelCentres(uv: Float32Array, width: number, height: number): void {
  for (let y = 0, j = 0; y < height; y++) {
    const v = (y + 0.5) / height;
    for (let x = 0; x < width; x++, j += 2) {
      uv[j] = (x + 0.5) / width;
      uv[j + 1] = v;
    }
  }
}
