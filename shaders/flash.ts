import { applyToneMap, type ColorEffect } from './Effect.js';

/** The largest `strength × drive` used: the original divides by zero at 1. */
export const FLASH_MAX = 0.95;

/**
 * Lucid Sonic Dreams' flash: scikit-image's `rescale_intensity` with input range
 * `0..255·(1 − strength × drive)`: a brightening gain `1 / (1 − a)`, clamped, with `a` capped at
 * {@link FLASH_MAX}.
 */
export const flash: ColorEffect = {
  name: 'flash',
  stage: 'color',
  inputs: [
    { name: 'strength', type: 'float', default: 0.5, param: 'flash_strength' },
    { name: 'drive', type: 'float', default: 0, feature: 'percussiveNorm' },
  ],
  active: (p) => p.flash_strength > 0,
  glsl: `
vec3 flash(vec3 c, vec2 uv) {
  float a = min(u_flash_strength * u_flash_drive, ${FLASH_MAX.toFixed(2)});
  return clamp(c / (1.0 - a), 0.0, 1.0);
}
`,
  cpu(rgba, _w, _h, u) {
    const a = Math.min(u.strength * u.drive, FLASH_MAX);
    if (!(a > 0)) return;
    const g = 1 / (1 - a);
    applyToneMap(rgba, (v) => v * g);
  },
};
