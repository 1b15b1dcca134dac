import { applyToneMap, type ColorEffect } from './Effect.js';

/**
 * Lucid Sonic Dreams' contrast: PIL's `ImageEnhance.Contrast` with factor
 * `1 + strength × drive`: every channel moves away from the frame's mean grey.
 */
export const contrast: ColorEffect = {
  name: 'contrast',
  stage: 'color',
  inputs: [
    { name: 'strength', type: 'float', default: 0.5, param: 'contrast_strength' },
    { name: 'drive', type: 'float', default: 0, feature: 'percussiveNorm' },
    { name: 'meanGrey', type: 'float', default: 0.5, frame: 'meanGrey' },
  ],
  active: (p) => p.contrast_strength > 0,
  glsl: `
vec3 contrast(vec3 c, vec2 uv) {
  float f = 1.0 + u_contrast_strength * u_contrast_drive;
  return clamp(vec3(u_contrast_meanGrey) + f * (c - vec3(u_contrast_meanGrey)), 0.0, 1.0);
}
`,
  cpu(rgba, _w, _h, u) {
    const f = 1 + u.strength * u.drive;
    if (f === 1) return;
    const m = u.meanGrey * 255;
    applyToneMap(rgba, (v) => m + f * (v - m));
  },
};
