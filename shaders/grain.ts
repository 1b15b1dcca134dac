import type { Seconds } from '../engine/units.js';
import { clampedView, type ColorEffect } from './Effect.js';

/** New grain this many times per second. */
const GRAIN_RATE = 24;
const f32 = Math.fround;
/** The grain frame number wraps here (keeps the hash input small). */
const WRAP = 1024;
const K = f32(0.1031);
const OFFSET = f32(31.32);

/**
 * Dave Hoskins' sine-free hash13 (0..1) in float32 steps, as the GPU computes it.
 *
 * @remarks Sine-free so the CPU can follow the GPU: `fract(sin(…))` hashes differ between GPUs.
 * Each step is rounded to float32 (`Math.fround`), so the CPU and a GPU with IEEE float32 (no
 * fused multiply-add) agree; others differ in the noise pattern, not in its look.
 */
export function grainHash(px: number, py: number, pz: number): number {
  let x = f32(px * K);
  let y = f32(py * K);
  let z = f32(pz * K);
  x -= Math.floor(x);
  y -= Math.floor(y);
  z -= Math.floor(z);
  const d = f32(f32(f32(x * f32(z + OFFSET)) + f32(y * f32(y + OFFSET))) + f32(z * f32(x + OFFSET)));
  x = f32(x + d);
  y = f32(y + d);
  z = f32(z + d);
  const h = f32(f32(x + y) * z);
  return h - Math.floor(h);
}

/** The grain frame number at `time` (as the shader computes it). */
export function grainFrame(time: Seconds): number {
  const f = Math.floor(f32(f32(time) * GRAIN_RATE));
  return f - WRAP * Math.floor(f / WRAP);
}

/**
 * Film grain: `grain × (n − 0.5)` added to every channel, `n` a hash of the output pixel and of
 * the time (new noise every 1/24 s): deterministic, so the offline render is reproducible.
 *
 * @remarks Hashes the output pixel (`gl_FragCoord`, bottom-up as GL counts it) rather than `uv`:
 * the grain stays one screen pixel fine however the frame is scaled, and the CPU knows the exact
 * pixel centres, where an interpolated `uv` differs from the CPU's by rounding and the hash
 * magnifies that into different noise. At the frame's own size the CPU and the GPU agree.
 */
export const grain: ColorEffect = {
  name: 'grain',
  stage: 'color',
  inputs: [
    { name: 'amount', type: 'float', default: 0.03, param: 'grain' },
    { name: 'time', type: 'float', default: 0, global: 'time' },
  ],
  active: (p) => p.grain > 0,
  glsl: `
float grain_hash(vec3 p) {
  p = fract(p * 0.1031);
  p += dot(p, p.zyx + 31.32);
  return fract((p.x + p.y) * p.z);
}
vec3 grain(vec3 c, vec2 uv) {
  float n = grain_hash(vec3(gl_FragCoord.xy, mod(floor(u_time * ${GRAIN_RATE.toFixed(1)}), ${WRAP.toFixed(1)})));
  return clamp(c + u_grain_amount * (n - 0.5), 0.0, 1.0);
}
`,
  cpu(rgba, width, height, u) {
    const amount = u.amount * 255;
    if (amount === 0) return;
    const frame = grainFrame(u.time);
    const out = clampedView(rgba);
    for (let y = 0, i = 0; y < height; y++) {
      const fy = height - y - 0.5;
      for (let x = 0; x < width; x++, i += 4) {
        const n = amount * (grainHash(x + 0.5, fy, frame) - 0.5);
        out[i] = rgba[i] + n;
        out[i + 1] = rgba[i + 1] + n;
        out[i + 2] = rgba[i + 2] + n;
      }
    }
  },
};
