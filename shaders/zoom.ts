import type { UvEffect } from './Effect.js';

/**
 * Pulse zoom: the lookup coordinate is scaled toward the centre by `1 + zoom_pulse × drive`, so
 * the image jumps closer on percussive hits and settles back as the percussive level decays.
 */
export const zoom: UvEffect = {
  name: 'zoom',
  stage: 'uv',
  inputs: [
    { name: 'amount', type: 'float', default: 0.1, param: 'zoom_pulse' },
    { name: 'drive', type: 'float', default: 0, feature: 'percussiveNorm' },
  ],
  active: (p) => p.zoom_pulse > 0,
  glsl: `
vec2 zoom(vec2 uv) {
  return (uv - 0.5) / (1.0 + u_zoom_amount * u_zoom_drive) + 0.5;
}
`,
  cpu(uv, u) {
    const s = 1 + u.amount * u.drive;
    if (s === 1) return;
    for (let j = 0; j < uv.length; j++) uv[j] = (uv[j] - 0.5) / s + 0.5;
  },
};
