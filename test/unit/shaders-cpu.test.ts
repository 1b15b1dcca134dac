import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFeatures, type Features } from '../../engine/analysis/Features.js';
import { defaultValues, type ParamValues } from '../../engine/params/registry.js';
import { applyEffectsCpu, contrast, createCpuChain, EFFECTS, feedback, flash, grain, hue, kaleido, rgbsplit, vignette, zoom, type Effect } from '../../shaders/index.js';
import { FLASH_MAX } from '../../shaders/flash.js';
import { sampleChannel } from '../../shaders/sample.js';

/** Every effect at its neutral setting. */
function neutral(over: Partial<ParamValues> = {}): ParamValues {
  return { ...defaultValues(), contrast_strength: 0, flash_strength: 0, zoom_pulse: 0, hue_speed: 0, hue_react: 0, feedback_amount: 0, kaleido_segments: 0, rgb_split: 0, vignette: 0, grain: 0, ...over };
}

function features(over: Partial<Features> = {}): Features {
  return Object.assign(createFeatures(), over);
}

/** A w × h RGBA8 image, every byte from `f(x, y, channel)`, alpha 255. */
function image(w: number, h: number, f: (x: number, y: number, ch: number) => number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < 4; ch++) out[(y * w + x) * 4 + ch] = ch === 3 ? 255 : f(x, y, ch);
  return out;
}

/** Deterministic "random" bytes. */
const noise = (x: number, y: number, ch: number) => ((x * 73 + y * 151 + ch * 197 + x * y * 31) * 2654435761 >>> 24) & 255;

function run(chain: readonly Effect[], frame: Uint8Array, w: number, h: number, p: ParamValues, f: Features = features(), time = 0, prevOutput?: Uint8Array): Uint8Array {
  const out = Uint8Array.from(frame);
  applyEffectsCpu(chain, out, w, h, p, f, { time, prevOutput, scratch: createCpuChain(w, h) });
  return out;
}

const px = (img: Uint8Array, w: number, x: number, y: number) => Array.from(img.subarray((y * w + x) * 4, (y * w + x) * 4 + 4));

describe('effects on the CPU', () => {
  const src = image(8, 8, noise);

  it('each effect at its neutral setting is the identity, and so is the whole chain', () => {
    const prev = image(8, 8, () => 255);
    // Neutral parameters; and zoom / RGB split-free settings that are neutral by their drive.
    for (const e of EFFECTS) assert.deepEqual(run([e], src, 8, 8, neutral(), features(), 1.7, prev), src, e.name);
    assert.deepEqual(run(EFFECTS, src, 8, 8, neutral(), features(), 1.7, prev), src);
    assert.deepEqual(run([zoom], src, 8, 8, neutral({ zoom_pulse: 0.5 }), features({ percussiveNorm: 0 })), src);
    assert.deepEqual(run([kaleido], src, 8, 8, neutral({ kaleido_segments: 1 })), src);
    assert.deepEqual(run([contrast, flash], src, 8, 8, neutral({ contrast_strength: 1, flash_strength: 1 }), features({ percussiveNorm: 0 })), src);
    // Feedback without a previous output (the first frame) passes the frame through.
    assert.deepEqual(run([feedback], src, 8, 8, neutral({ feedback_amount: 0.9 })), src);
  });

  it('zoom: scales toward the centre; the centre pixel stays, the corners move inward', () => {
    // A 9×9 ramp: R = 20x + 10, G = 20y + 10. Scale 1 + 0.5 × 1 = 1.5.
    const ramp = image(9, 9, (x, y, ch) => (ch === 0 ? 20 * x + 10 : ch === 1 ? 20 * y + 10 : 77));
    const out = run([zoom], ramp, 9, 9, neutral({ zoom_pulse: 0.5 }), features({ percussiveNorm: 1 }));
    assert.deepEqual(px(out, 9, 4, 4), [90, 90, 77, 255]);
    // Corner (0, 0) reads texel (4 − 4/1.5) = 1.333: R = 20 × 1.333 + 10 = 36.7.
    assert.deepEqual(px(out, 9, 0, 0), [37, 37, 77, 255]);
    assert.deepEqual(px(out, 9, 8, 8), [143, 143, 77, 255]);
    assert.deepEqual(px(out, 9, 8, 0), [143, 37, 77, 255]);
    for (let x = 0; x < 9; x++) assert.equal(out[(4 * 9 + x) * 4], Math.round((20 * (x - 4)) / 1.5 + 90), `x = ${x}`);
  });

  it('kaleido: 2 segments mirror the right half onto the left', () => {
    const out = run([kaleido], src, 8, 8, neutral({ kaleido_segments: 2 }));
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        assert.deepEqual(px(out, 8, x, y), px(out, 8, 7 - x, y), `(${x}, ${y}) mirrors (${7 - x}, ${y})`);
        if (x >= 4) assert.deepEqual(px(out, 8, x, y), px(src, 8, x, y), `right half (${x}, ${y}) unchanged`);
      }
    }
    // 4 segments: mirrored left–right and top–bottom.
    const four = run([kaleido], src, 8, 8, neutral({ kaleido_segments: 4 }));
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) assert.deepEqual(px(four, 8, x, y), px(four, 8, x, 7 - y), `(${x}, ${y})`);
    // The upper-right quadrant is the source.
    for (let y = 0; y < 4; y++) for (let x = 4; x < 8; x++) assert.deepEqual(px(four, 8, x, y), px(src, 8, x, y));
  });

  it('rgbsplit: red comes from one pixel right, blue from one pixel left (clamped at the edge)', () => {
    // d = 0.125 × (0.25 + 0.75) = 1/8 of the width = 1 pixel.
    const out = run([rgbsplit], src, 8, 8, neutral({ rgb_split: 0.125 }), features({ percussiveNorm: 0.75 }));
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const [r, g, b, a] = px(out, 8, x, y);
        assert.deepEqual([r, g, b, a], [px(src, 8, Math.min(7, x + 1), y)[0], px(src, 8, x, y)[1], px(src, 8, Math.max(0, x - 1), y)[2], 255], `(${x}, ${y})`);
      }
    }
  });

  it('vignette: darkens the corners, not the centre', () => {
    const grey = image(8, 8, () => 200);
    const out = run([vignette], grey, 8, 8, neutral({ vignette: 1 }));
    for (const [x, y] of [[3, 3], [4, 3], [3, 4], [4, 4]]) assert.deepEqual(px(out, 8, x, y), [200, 200, 200, 255]);
    // Corner: d = 0.875, smoothstep(0.35, 1, d) = 0.9033 → 200 × 0.0967 = 19.3.
    for (const [x, y] of [[0, 0], [7, 0], [0, 7], [7, 7]]) assert.deepEqual(px(out, 8, x, y), [19, 19, 19, 255]);
    // Edge middles are darkened less than corners.
    assert.ok(out[(3 * 8) * 4] > 19 && out[(3 * 8) * 4] < 200);
  });

  it("contrast and flash keep Lucid Sonic Dreams' formulas", () => {
    // Half 100, half 200: mean grey 150. Contrast factor 1 + 1 × 1 = 2 → 50 and 250.
    const halves = image(8, 8, (x) => (x < 4 ? 100 : 200));
    const c = run([contrast], halves, 8, 8, neutral({ contrast_strength: 1 }), features({ percussiveNorm: 1 }));
    assert.deepEqual([px(c, 8, 0, 0), px(c, 8, 7, 7)], [[50, 50, 50, 255], [250, 250, 250, 255]]);
    // Contrast 1 + 0.5 × 0.5 = 1.25 → 150 ± 62.5: 87.5 and 212.5, rounded half to even.
    const c2 = run([contrast], halves, 8, 8, neutral({ contrast_strength: 0.5 }), features({ percussiveNorm: 0.5 }));
    assert.deepEqual([c2[0], c2[(7 * 8 + 7) * 4]], [88, 212]);
    // Flash gain 1 / (1 − 0.5 × 1) = 2: 100 → 200, 200 → 255 (clamped).
    const f = run([flash], halves, 8, 8, neutral({ flash_strength: 0.5 }), features({ percussiveNorm: 1 }));
    assert.deepEqual([px(f, 8, 0, 0), px(f, 8, 7, 7)], [[200, 200, 200, 255], [255, 255, 255, 255]]);
    // Capped at FLASH_MAX: gain 1 / 0.05 = 20.
    assert.equal(FLASH_MAX, 0.95);
    const dim = image(8, 8, () => 10);
    assert.equal(run([flash], dim, 8, 8, neutral({ flash_strength: 1 }), features({ percussiveNorm: 1 }))[0], 200);
    // The mean grey is the generated frame's, taken before any effect: flash first does not move it.
    const both = run([flash, contrast], halves, 8, 8, neutral({ contrast_strength: 1, flash_strength: 0.25 }), features({ percussiveNorm: 1 }));
    // Flash gain 4/3: 133.3 → 133, 266.7 → 255; contrast ×2 about 150: 116, 255.
    assert.deepEqual([both[0], both[(7 * 8 + 7) * 4]], [116, 255]);
  });

  it('hue: rotates around the grey axis (drift with time, jump with onsets); greys stay grey', () => {
    const colours = image(2, 2, (x, y, ch) => [[255, 0, 0], [0, 255, 0], [0, 0, 255], [100, 100, 100]][y * 2 + x][ch]);
    // 120 deg/s for 1 s: red → green → blue → red.
    const drift = run([hue], colours, 2, 2, neutral({ hue_speed: 120 }), features(), 1);
    assert.deepEqual([px(drift, 2, 0, 0), px(drift, 2, 1, 0), px(drift, 2, 0, 1), px(drift, 2, 1, 1)], [[0, 255, 0, 255], [0, 0, 255, 255], [255, 0, 0, 255], [100, 100, 100, 255]]);
    // The drift wraps at 360°: 120 deg/s for 4 s = 480° ≡ 120°.
    assert.deepEqual(run([hue], colours, 2, 2, neutral({ hue_speed: 120 }), features(), 4), drift);
    // An onset at full strength with hue_react 1: 180°, red → (−85, 170, 170) clamped.
    const jump = run([hue], colours, 2, 2, neutral({ hue_react: 1 }), features({ onsetStrengthNorm: 1 }));
    assert.deepEqual(px(jump, 2, 0, 0), [0, 170, 170, 255]);
    assert.deepEqual(px(jump, 2, 1, 1), [100, 100, 100, 255]);
  });

  it('grain: bounded, zero-mean, the same for the same time, new every 1/24 s', () => {
    const grey = image(64, 64, () => 128);
    const p = neutral({ grain: 0.2 });
    const a = run([grain], grey, 64, 64, p, features(), 1.0);
    assert.deepEqual(run([grain], grey, 64, 64, p, features(), 1.01), a, 'same 1/24 s');
    const b = run([grain], grey, 64, 64, p, features(), 1.05);
    assert.notDeepEqual(b, a);
    let sum = 0;
    let max = 0;
    for (let i = 0; i < a.length; i += 4) {
      assert.ok(a[i] === a[i + 1] && a[i] === a[i + 2], 'the same noise on R, G and B');
      sum += a[i] - 128;
      max = Math.max(max, Math.abs(a[i] - 128));
    }
    assert.ok(max <= Math.ceil(0.2 * 255 / 2) && max > 20, `amplitude ${max}`);
    assert.ok(Math.abs(sum / (64 * 64)) < 1.5, `mean ${sum / (64 * 64)}`);
  });

  it('feedback: keeps the brighter of the frame and the faded previous output', () => {
    const frame = image(8, 8, (x) => (x < 4 ? 0 : 150));
    const prev = image(8, 8, () => 200);
    const out = run([feedback], frame, 8, 8, neutral({ feedback_amount: 0.5 }), features(), 0, prev);
    // 200 × 0.5 − 1 = 99.
    assert.deepEqual([px(out, 8, 0, 0), px(out, 8, 7, 0)], [[99, 99, 99, 255], [150, 150, 150, 255]]);
    // Trails fade out completely (one step per frame at least), even at the top of the range.
    let trail: Uint8Array = Uint8Array.from(prev);
    const black = image(8, 8, () => 0);
    for (let k = 0; k < 400; k++) trail = run([feedback], black, 8, 8, neutral({ feedback_amount: 0.97 }), features(), 0, trail);
    assert.equal(trail[0], 0);
  });

  it('reads the frame as a LINEAR, CLAMP_TO_EDGE texture does', () => {
    const img = { data: image(2, 2, (x, y) => 100 * x + 50 * y), width: 2, height: 2 };
    assert.equal(sampleChannel(img, 0.25, 0.25, 0), 0);
    assert.equal(sampleChannel(img, 0.5, 0.5, 0), 75);
    assert.equal(sampleChannel(img, 0.5, 0.25, 1), 50);
    // Beyond the edge texel centres: the edge value.
    assert.equal(sampleChannel(img, -3, 0.25, 0), 0);
    assert.equal(sampleChannel(img, 4, 9, 0), 150);
  });

  it('runs the whole chain without scratch buffers, and checks sizes', () => {
    const p = neutral({ contrast_strength: 0.5, flash_strength: 0.5, zoom_pulse: 0.2, kaleido_segments: 6, rgb_split: 0.01, hue_speed: 30, vignette: 0.5, grain: 0.05, feedback_amount: 0.8 });
    const f = features({ percussiveNorm: 0.5, onsetStrengthNorm: 0.5 });
    const a = Uint8Array.from(src);
    applyEffectsCpu(EFFECTS, a, 8, 8, p, f, { time: 2, prevOutput: src });
    assert.deepEqual(run(EFFECTS, src, 8, 8, p, f, 2, src), a);
    assert.notDeepEqual(a, src);
    assert.throws(() => applyEffectsCpu(EFFECTS, a, 8, 4, p, f, { time: 0 }), /expected 8×4×4/);
    assert.throws(() => applyEffectsCpu(EFFECTS, a, 8, 8, p, f, { time: 0, scratch: createCpuChain(4, 4) }), /scratch is 4×4/);
    assert.throws(() => applyEffectsCpu(EFFECTS, a, 8, 8, p, f, { time: 0, prevOutput: new Uint8Array(4) }), /prevOutput has 4 bytes/);
  });
});
