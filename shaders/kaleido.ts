import type { UvEffect } from './Effect.js';

const TAU = 2 * Math.PI;

/**
 * Kaleidoscope: `kaleido_segments` wedges around the centre (rounded; below 2 = off), each the
 * mirror image of its neighbours, all showing the wedge clockwise from straight up. 2 segments
 * mirror the right half onto the left.
 *
 * @remarks Mirrored wedges meet seamlessly only for even counts: an odd count leaves one seam,
 * straight up, where the last wedge meets the first unmirrored. Angles are taken in frame
 * coordinates (0..1 on both axes), so on a non-square frame the wedges are stretched with it.
 */
export const kaleido: UvEffect = {
  name: 'kaleido',
  stage: 'uv',
  inputs: [{ name: 'segments', type: 'float', default: 0, param: 'kaleido_segments' }],
  active: (p) => Math.round(p.kaleido_segments) >= 2,
  glsl: `
vec2 kaleido(vec2 uv) {
  float n = floor(u_kaleido_segments + 0.5);
  vec2 p = uv - 0.5;
  float r = length(p);
  if (n < 2.0 || r < 1e-6) return uv;
  float w = 6.28318530718 / n;
  float a = mod(atan(p.x, -p.y), 2.0 * w);
  a = min(a, 2.0 * w - a);
  return 0.5 + r * vec2(sin(a), -cos(a));
}
`,
  cpu(uv, u) {
    const n = Math.round(u.segments);
    if (n < 2) return;
    const w = TAU / n;
    for (let j = 0; j < uv.length; j += 2) {
      const px = uv[j] - 0.5;
      const py = uv[j + 1] - 0.5;
      const r = Math.sqrt(px * px + py * py);
      if (r < 1e-6) continue;
      let a = Math.atan2(px, -py);
      a -= 2 * w * Math.floor(a / (2 * w));
      a = Math.min(a, 2 * w - a);
      uv[j] = 0.5 + r * Math.sin(a);
      uv[j + 1] = 0.5 - r * Math.cos(a);
    }
  },
};
