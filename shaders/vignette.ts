import { clampedView, type ColorEffect } from './Effect.js';

/** Distance from the centre (corner = 1) where the darkening starts. */
const INNER = 0.35;

/**
 * Vignette: colours are scaled by `1 − vignette × smoothstep(0.35, 1, d)`, with `d` the distance
 * of the output coordinate from the centre, 1 at the corners: the middle is untouched.
 */
export const vignette: ColorEffect = {
  name: 'vignette',
  stage: 'color',
  inputs: [{ name: 'amount', type: 'float', default: 0.35, param: 'vignette' }],
  active: (p) => p.vignette > 0,
  glsl: `
vec3 vignette(vec3 c, vec2 uv) {
  float d = length(uv - 0.5) * 1.41421356237;
  return c * (1.0 - u_vignette_amount * smoothstep(${INNER.toFixed(2)}, 1.0, d));
}
`,
  cpu(rgba, width, height, u) {
    const amount = u.amount;
    if (amount === 0) return;
    const out = clampedView(rgba);
    for (let y = 0, i = 0; y < height; y++) {
      const dy = (y + 0.5) / height - 0.5;
      for (let x = 0; x < width; x++, i += 4) {
        const dx = (x + 0.5) / width - 0.5;
        const d = Math.sqrt(dx * dx + dy * dy) * Math.SQRT2;
        if (d <= INNER) continue;
        const t = Math.min(1, (d - INNER) / (1 - INNER));
        const f = 1 - amount * t * t * (3 - 2 * t);
        out[i] = rgba[i] * f;
        out[i + 1] = rgba[i + 1] * f;
        out[i + 2] = rgba[i + 2] * f;
      }
    }
  },
};
