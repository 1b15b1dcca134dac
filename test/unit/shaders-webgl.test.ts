/**
 * The compiled shader in real Chromium (WebGL 1 on SwiftShader) against the CPU chain: the live
 * output and the offline render must look the same. Pixels read back from the canvas.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, launchChromium } from '../helpers/chromium.js';
import { createFeatures, type Features } from '../../engine/analysis/Features.js';
import { defaultValues, type ParamValues } from '../../engine/params/registry.js';
import { compileChain } from '../../shaders/compile.js';
import { activeChain, applyEffectsCpu, chainUniformValues, EFFECTS, frameStats, type Effect } from '../../shaders/index.js';

const skip = chromiumSkip;
const W = 32;
const H = 24;

/** The renderer's vertex shader: v_uv is the frame coordinate, `u_scale` the aspect mapping. */
const VERT = `
precision highp float;
attribute vec2 position;
uniform vec2 u_scale;
varying vec2 v_uv;
void main() {
  v_uv = (position * vec2(0.5, -0.5)) * u_scale + 0.5;
  gl_Position = vec4(position, 0.0, 1.0);
}`;

interface Job {
  frag: string;
  uniforms: Record<string, number>;
  time: number;
  /** The newest generated frame, the one before (crossfaded by `mix`), the previous output. */
  frame: number[];
  prevFrame: number[];
  mix: number;
  prev: number[];
  w: number;
  h: number;
  scale: [number, number];
  /** The generated frames' size (default the canvas's) and the upscaling filter (default bilinear). */
  fw?: number;
  fh?: number;
  upscale?: 'bilinear' | 'bicubic';
}

/** Draws one frame with the compiled shader; returns the canvas RGBA, rows top first. */
function drawInPage(job: Job & { vert: string }): number[] | string {
  const canvas = document.createElement('canvas');
  canvas.width = job.w;
  canvas.height = job.h;
  const gl = canvas.getContext('webgl', { antialias: false, preserveDrawingBuffer: true });
  if (!gl) return 'no WebGL';
  const shader = (type: number, src: string) => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s) ?? 'compile failed');
    return s;
  };
  try {
    const prog = gl.createProgram()!;
    gl.attachShader(prog, shader(gl.VERTEX_SHADER, job.vert));
    gl.attachShader(prog, shader(gl.FRAGMENT_SHADER, job.frag));
    gl.linkProgram(prog);
    if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) return gl.getProgramInfoLog(prog) ?? 'link failed';
    gl.useProgram(prog);
    const fw = job.fw ?? job.w;
    const fh = job.fh ?? job.h;
    const texture = (unit: number, data: number[], flip: boolean, w = fw, h = fh) => {
      const t = gl.createTexture();
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_2D, t);
      gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, flip);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, w, h, 0, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(data));
      for (const [k, v] of [[gl.TEXTURE_MIN_FILTER, gl.LINEAR], [gl.TEXTURE_MAG_FILTER, gl.LINEAR], [gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE], [gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE]]) gl.texParameteri(gl.TEXTURE_2D, k, v);
    };
    texture(0, job.frame, false);
    texture(1, job.prevFrame, false);
    // The previous output as the renderer's framebuffer holds it: bottom row first.
    texture(2, job.prev, true, job.w, job.h);
    const set = (name: string, f: (l: WebGLUniformLocation) => void) => {
      const l = gl.getUniformLocation(prog, name);
      if (l) f(l);
    };
    set('u_frame', (l) => gl.uniform1i(l, 0));
    set('u_prevFrame', (l) => gl.uniform1i(l, 1));
    set('u_feedback', (l) => gl.uniform1i(l, 2));
    set('u_mix', (l) => gl.uniform1f(l, job.mix));
    set('u_scale', (l) => gl.uniform2f(l, job.scale[0], job.scale[1]));
    set('u_time', (l) => gl.uniform1f(l, job.time));
    set('u_resolution', (l) => gl.uniform2f(l, job.w, job.h));
    set('u_upscale', (l) => gl.uniform1f(l, job.upscale === 'bicubic' ? 1 : 0));
    set('u_frameSize', (l) => gl.uniform2f(l, fw, fh));
    for (const [name, v] of Object.entries(job.uniforms)) set(name, (l) => gl.uniform1f(l, v));
    const buf = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buf);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, -1, 1, 1, -1, 1, 1]), gl.STATIC_DRAW);
    const pos = gl.getAttribLocation(prog, 'position');
    gl.enableVertexAttribArray(pos);
    gl.vertexAttribPointer(pos, 2, gl.FLOAT, false, 0, 0);
    gl.viewport(0, 0, job.w, job.h);
    gl.drawArrays(gl.TRIANGLES, 0, 6);
    const out = new Uint8Array(job.w * job.h * 4);
    gl.readPixels(0, 0, job.w, job.h, gl.RGBA, gl.UNSIGNED_BYTE, out);
    const rows: number[] = [];
    for (let y = job.h - 1; y >= 0; y--) rows.push(...out.subarray(y * job.w * 4, (y + 1) * job.w * 4));
    return rows;
  } catch (err) {
    return String(err);
  }
}

function testImage(): Uint8Array {
  const img = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4;
      // Smooth ramps plus a hard-edged square: bilinear reads and edges both show.
      const inSquare = x >= 10 && x < 20 && y >= 6 && y < 14;
      img[i] = inSquare ? 250 : Math.round((255 * x) / (W - 1));
      img[i + 1] = inSquare ? 30 : Math.round((255 * y) / (H - 1));
      img[i + 2] = Math.round(128 + 100 * Math.sin(x * 0.7 + y * 0.3));
      img[i + 3] = 255;
    }
  }
  return img;
}

const SETTINGS: ParamValues = {
  ...defaultValues(),
  contrast_strength: 0.6, flash_strength: 0.3, zoom_pulse: 0.3, kaleido_segments: 6, rgb_split: 0.03,
  hue_speed: 40, hue_react: 0.5, vignette: 0.7, grain: 0.1, feedback_amount: 0.8,
};

describe('compiled shader in Chromium matches the CPU chain', { skip }, () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    // tsx (esbuild) wraps named functions in a `__name` helper that the page lacks.
    await page.evaluate('globalThis.__name = (f) => f');
  });
  after(async () => browser?.close());

  const features: Features = Object.assign(createFeatures(), { percussiveNorm: 0.6, onsetStrengthNorm: 0.4 });
  const frame = testImage();
  const prev = testImage().reverse().map((v, i) => ((i & 3) === 3 ? 255 : v));
  const time = 1.3;

  async function compare(chain: Effect[], tolerance: number): Promise<void> {
    const { frag } = compileChain(chain);
    const uniforms = chainUniformValues(chain, SETTINGS, features, frameStats(frame), time);
    const gpu = await draw({ frag, uniforms, time, frame: Array.from(frame), prevFrame: Array.from(frame), mix: 1, prev: Array.from(prev), w: W, h: H, scale: [1, 1] });
    assert.ok(Array.isArray(gpu), `${chain.map((e) => e.name).join(',')}: ${String(gpu)}`);
    const cpu = Uint8Array.from(frame);
    applyEffectsCpu(chain, cpu, W, H, SETTINGS, features, { time, prevOutput: prev });
    let max = 0;
    let sum = 0;
    for (let i = 0; i < cpu.length; i++) {
      if ((i & 3) === 3) continue;
      const d = Math.abs(cpu[i] - gpu[i]);
      max = Math.max(max, d);
      sum += d;
    }
    const mean = sum / (W * H * 3);
    assert.ok(max <= tolerance, `${chain.map((e) => e.name).join(',')}: max difference ${max} (mean ${mean.toFixed(3)})`);
  }

  async function draw(job: Job): Promise<number[]> {
    const out = await page.evaluate(drawInPage, { ...job, vert: VERT });
    assert.ok(Array.isArray(out), String(out));
    return out;
  }

  it('the empty chain shows the frame', async () => compare([], 0));

  it('crossfades the two newest frames; outside the frame is letterbox black', async () => {
    const a = Array.from({ length: W * H * 4 }, (_, i) => ((i & 3) === 3 ? 255 : 200));
    const b = Array.from({ length: W * H * 4 }, (_, i) => ((i & 3) === 3 ? 255 : 40));
    const job = { frag: compileChain([]).frag, uniforms: {}, time: 0, frame: a, prevFrame: b, prev: b, w: W, h: H };
    const faded = await draw({ ...job, mix: 0.25, scale: [1, 1] });
    // 40 + 0.25 × (200 − 40) = 80.
    assert.ok(faded.every((v, i) => ((i & 3) === 3 ? v === 255 : Math.abs(v - 80) <= 1)), `crossfade: ${faded.slice(0, 4).join(', ')}`);
    // Twice as wide a view: the outer quarters lie outside the frame.
    const boxed = await draw({ ...job, mix: 1, scale: [2, 1] });
    const at = (x: number, y: number) => boxed.slice((y * W + x) * 4, (y * W + x) * 4 + 3);
    assert.deepEqual([at(0, 5), at(W - 1, 5), at(W / 2, 5)], [[0, 0, 0], [0, 0, 0], [200, 200, 200]]);
  });
  it('upscales bicubic (Catmull-Rom, 9 bilinear taps) as 16 point taps do; bilinear on request', async () => {
    // An 8×6 frame shown at 32×24: each output pixel against Catmull-Rom computed texel by texel.
    const fw = 8;
    const fh = 6;
    const small = Array.from({ length: fw * fh * 4 }, (_, i) => ((i & 3) === 3 ? 255 : (i * 97 + (i >> 2) * 31) % 256));
    const job = { frag: compileChain([]).frag, uniforms: {}, time: 0, frame: small, prevFrame: small, prev: Array(W * H * 4).fill(0), mix: 1, w: W, h: H, scale: [1, 1] as [number, number], fw, fh };
    const bicubic = await draw({ ...job, upscale: 'bicubic' });
    const bilinear = await draw({ ...job, upscale: 'bilinear' });
    const cr = (f: number): number[] => [f * (-0.5 + f * (1 - 0.5 * f)), 1 + f * f * (-2.5 + 1.5 * f), f * (0.5 + f * (2 - 1.5 * f)), f * f * (-0.5 + 0.5 * f)];
    const texel = (x: number, y: number, c: number): number => small[(Math.min(fh - 1, Math.max(0, y)) * fw + Math.min(fw - 1, Math.max(0, x))) * 4 + c];
    let maxCubic = 0;
    let maxLinear = 0;
    for (let py = 0; py < H; py++) {
      for (let px = 0; px < W; px++) {
        const sx = ((px + 0.5) / W) * fw - 0.5;
        const sy = ((py + 0.5) / H) * fh - 0.5;
        const x1 = Math.floor(sx);
        const y1 = Math.floor(sy);
        const wx = cr(sx - x1);
        const wy = cr(sy - y1);
        for (let c = 0; c < 3; c++) {
          let v = 0;
          for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) v += wx[i] * wy[j] * texel(x1 - 1 + i, y1 - 1 + j, c);
          const want = Math.round(Math.min(255, Math.max(0, v)));
          const fx = sx - x1;
          const fy = sy - y1;
          const lin = (1 - fy) * ((1 - fx) * texel(x1, y1, c) + fx * texel(x1 + 1, y1, c)) + fy * ((1 - fx) * texel(x1, y1 + 1, c) + fx * texel(x1 + 1, y1 + 1, c));
          const o = (py * W + px) * 4 + c;
          maxCubic = Math.max(maxCubic, Math.abs(bicubic[o] - want));
          maxLinear = Math.max(maxLinear, Math.abs(bilinear[o] - Math.round(lin)));
        }
      }
    }
    assert.ok(maxCubic <= 2, `bicubic: max difference ${maxCubic} from the 16-tap reference`);
    assert.ok(maxLinear <= 2, `bilinear: max difference ${maxLinear}`);
    assert.ok(bicubic.some((v, i) => Math.abs(v - bilinear[i]) > 8), 'the two filters differ');
  });
  // One effect at a time: the same formula, up to one step of rounding (trigonometry on the GPU).
  for (const e of EFFECTS) it(e.name, async () => compare([e], 1));
  // The CPU rounds to 8 bits after each stage, the GPU once at the end.
  it('the whole chain', async () => compare(activeChain(SETTINGS), 3));
});
