import type { SampleEffect } from './Effect.js';
import { lerpRows } from './sample.js';

/**
 * Chromatic split: red is read `d` to the right and blue `d` to the left of green, with
 * `d = rgb_split × (0.25 + drive)` in frame widths, so the split widens on percussive hits.
 */
export const rgbsplit: SampleEffect = {
  name: 'rgbsplit',
  stage: 'sample',
  inputs: [
    { name: 'amount', type: 'float', default: 0.004, param: 'rgb_split' },
    { name: 'drive', type: 'float', default: 0, feature: 'percussiveNorm' },
  ],
  active: (p) => p.rgb_split > 0,
  glsl: `
vec3 rgbsplit(vec2 uv) {
  vec2 d = vec2(u_rgbsplit_amount * (0.25 + u_rgbsplit_drive), 0.0);
  return vec3(source(uv + d).r, source(uv).g, source(uv - d).b);
}
`,
  cpu(uv, src, dst, u) {
    const { data, width: w, height: h } = src;
    const d = u.amount * (0.25 + u.drive) * w;
    for (let i = 0, j = 0; j < uv.length; i += 4, j += 2) {
      const x = uv[j] * w - 0.5;
      const y = uv[j + 1] * h - 0.5;
      const yf = Math.floor(y);
      const fy = y - yf;
      const r0 = (yf < 0 ? 0 : yf > h - 1 ? h - 1 : yf) * w;
      const r1 = (yf < -1 ? 0 : yf > h - 2 ? h - 1 : yf + 1) * w;
      // + 0.5 and the truncating store round to nearest (the values lie in 0..255).
      dst[i] = lerpRows(data, w, r0, r1, fy, x + d, 0) + 0.5;
      dst[i + 1] = lerpRows(data, w, r0, r1, fy, x, 1) + 0.5;
      dst[i + 2] = lerpRows(data, w, r0, r1, fy, x - d, 2) + 0.5;
    }
  },
};
