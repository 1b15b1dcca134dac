import { clampedView, type FeedbackEffect } from './Effect.js';

/**
 * Trails: each pixel keeps the brighter of the new colour and the previous output faded by
 * `feedback_amount` (less one 8-bit step, so trails die out instead of sticking at a low level
 * in 8-bit buffers). Light leaves a fading wake; 0 = off.
 *
 * @remarks The fade is per output frame: the live page fades at the display's rate, the offline
 * render at its frame rate, so the same amount gives shorter trails (in seconds) live at 60 Hz
 * than in a 30 fps render.
 */
export const feedback: FeedbackEffect = {
  name: 'feedback',
  stage: 'feedback',
  inputs: [{ name: 'amount', type: 'float', default: 0, param: 'feedback_amount' }],
  active: (p) => p.feedback_amount > 0,
  glsl: `
vec3 feedback(vec3 c, vec3 prev, vec2 uv) {
  return max(c, prev * u_feedback_amount - 1.0 / 255.0);
}
`,
  cpu(rgba, prev, _w, _h, u) {
    const a = u.amount;
    if (!(a > 0)) return;
    const out = clampedView(rgba);
    for (let i = 0; i < rgba.length; i += 4) {
      out[i] = Math.max(rgba[i], prev[i] * a - 1);
      out[i + 1] = Math.max(rgba[i + 1], prev[i + 1] * a - 1);
      out[i + 2] = Math.max(rgba[i + 2], prev[i + 2] * a - 1);
    }
  },
};
