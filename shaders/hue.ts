import { clampedView, type ColorEffect } from './Effect.js';

const K = 1 / Math.sqrt(3);

/**
 * Hue rotation: every colour turns around the grey axis by `hue_speed × time` degrees (a steady
 * drift) plus `hue_react × drive × 180°` (a jump on onsets). Greys stay grey.
 */
export const hue: ColorEffect = {
  name: 'hue',
  stage: 'color',
  inputs: [
    { name: 'speed', type: 'float', default: 0, param: 'hue_speed' },
    { name: 'react', type: 'float', default: 0, param: 'hue_react' },
    { name: 'drive', type: 'float', default: 0, feature: 'onsetStrengthNorm' },
    { name: 'time', type: 'float', default: 0, global: 'time' },
  ],
  active: (p) => p.hue_speed > 0 || p.hue_react > 0,
  glsl: `
vec3 hue(vec3 c, vec2 uv) {
  float a = radians(mod(u_hue_speed * u_time, 360.0) + u_hue_react * u_hue_drive * 180.0);
  vec3 k = vec3(0.57735026919);
  float s = sin(a);
  float co = cos(a);
  return clamp(c * co + cross(k, c) * s + k * dot(k, c) * (1.0 - co), 0.0, 1.0);
}
`,
  cpu(rgba, _w, _h, u) {
    const drift = u.speed * u.time;
    const deg = drift - 360 * Math.floor(drift / 360) + u.react * u.drive * 180;
    if (deg === 0) return;
    const a = (deg * Math.PI) / 180;
    const co = Math.cos(a);
    // Rodrigues' rotation about k = (1, 1, 1)/√3: cos·I + sin·[k]× + (1 − cos)·k kᵀ.
    const s = Math.sin(a) * K;
    const g = (1 - co) / 3;
    const d = co + g;
    const p = g + s;
    const m = g - s;
    const out = clampedView(rgba);
    for (let i = 0; i < rgba.length; i += 4) {
      const r = rgba[i];
      const gr = rgba[i + 1];
      const b = rgba[i + 2];
      out[i] = d * r + m * gr + p * b;
      out[i + 1] = p * r + d * gr + m * b;
      out[i + 2] = m * r + p * gr + d * b;
    }
  },
};
