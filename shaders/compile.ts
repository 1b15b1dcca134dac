/**
 * The compile step: an effect chain → one fragment shader and the list of its uniforms. Pure and
 * deterministic: the same chain gives the same text, so the renderer rebuilds its draw command
 * only when `key` changes, and per frame only uniform values flow in.
 */
import { uniformName, type Effect } from './Effect.js';

/** One effect uniform of a compiled chain: `name` is `u_<effect>_<input>`. */
export interface ChainUniform {
  name: string;
  effect: string;
  input: string;
}

export interface CompiledChain {
  /** GLSL ES 1.00 fragment shader. */
  frag: string;
  /** Every effect uniform the shader declares, in chain order then input order. */
  uniforms: ChainUniform[];
  /** Identifies the chain: the effect names joined by commas. */
  key: string;
}

/**
 * What every compiled chain declares. `v_uv` is the frame coordinate (0..1, (0, 0) at the
 * frame's top-left, already aspect-mapped by the vertex shader); `source` crossfades the
 * previous and the newest generated frame; `u_feedback` is the previous output.
 */
const PRELUDE = `precision highp float;
uniform sampler2D u_frame;
uniform sampler2D u_prevFrame;
uniform float u_mix;
uniform sampler2D u_feedback;
uniform float u_time;
uniform vec2 u_resolution;
varying vec2 v_uv;
// 1: bicubic (Catmull-Rom) upscaling of the generated frame, 0: bilinear. u_frameSize in texels.
uniform float u_upscale;
uniform vec2 u_frameSize;

// Catmull-Rom in 9 bilinear taps (the middle two of each axis's four merged into one tap
// between them): as sharp as 16 point taps, a quarter of the cost of doing them one by one.
vec3 catmullRom(sampler2D tex, vec2 uv) {
  vec2 p = uv * u_frameSize - 0.5;
  vec2 i1 = floor(p);
  vec2 f = p - i1;
  vec2 w0 = f * (-0.5 + f * (1.0 - 0.5 * f));
  vec2 w1 = 1.0 + f * f * (-2.5 + 1.5 * f);
  vec2 w2 = f * (0.5 + f * (2.0 - 1.5 * f));
  vec2 w3 = f * f * (-0.5 + 0.5 * f);
  vec2 w12 = w1 + w2;
  vec2 t0 = (i1 - 0.5) / u_frameSize;
  vec2 t12 = (i1 + 0.5 + w2 / w12) / u_frameSize;
  vec2 t3 = (i1 + 2.5) / u_frameSize;
  vec3 r = (texture2D(tex, vec2(t0.x, t0.y)).rgb * w0.x + texture2D(tex, vec2(t12.x, t0.y)).rgb * w12.x + texture2D(tex, vec2(t3.x, t0.y)).rgb * w3.x) * w0.y;
  r += (texture2D(tex, vec2(t0.x, t12.y)).rgb * w0.x + texture2D(tex, vec2(t12.x, t12.y)).rgb * w12.x + texture2D(tex, vec2(t3.x, t12.y)).rgb * w3.x) * w12.y;
  r += (texture2D(tex, vec2(t0.x, t3.y)).rgb * w0.x + texture2D(tex, vec2(t12.x, t3.y)).rgb * w12.x + texture2D(tex, vec2(t3.x, t3.y)).rgb * w3.x) * w3.y;
  return clamp(r, 0.0, 1.0);
}

vec3 frameAt(sampler2D tex, vec2 uv) {
  return u_upscale > 0.5 ? catmullRom(tex, uv) : texture2D(tex, uv).rgb;
}

vec3 source(vec2 uv) {
  return mix(frameAt(u_prevFrame, uv), frameAt(u_frame, uv), u_mix);
}
`;

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9]*$/;
const RESERVED = new Set(['source', 'main', 'uv', 'st', 'c', 'catmullRom', 'frameAt']);

/**
 * Compiles `chain` to one fragment shader: the uv stages in chain order, then the sample stage
 * (or `source(uv)`), the colour stages in order, the feedback stage, and letterbox black outside
 * the frame.
 *
 * @throws Error on a duplicate or invalid effect name, or more than one sample or feedback stage.
 */
export function compileChain(chain: readonly Effect[]): CompiledChain {
  const names = new Set<string>();
  for (const e of chain) {
    if (!IDENTIFIER.test(e.name) || RESERVED.has(e.name)) throw new Error(`effect name ${JSON.stringify(e.name)} is not a usable GLSL identifier`);
    if (names.has(e.name)) throw new Error(`effect ${e.name} appears twice in the chain`);
    names.add(e.name);
  }
  for (const stage of ['sample', 'feedback'] as const) {
    const of = chain.filter((e) => e.stage === stage);
    if (of.length > 1) throw new Error(`at most one ${stage} effect per chain, got ${of.map((e) => e.name).join(', ')}`);
  }

  const uniforms: ChainUniform[] = [];
  const parts = [PRELUDE];
  for (const e of chain) {
    const decls: string[] = [];
    for (const i of e.inputs) {
      if (i.global) continue;
      const name = uniformName(e.name, i.name);
      uniforms.push({ name, effect: e.name, input: i.name });
      decls.push(`uniform float ${name};`);
    }
    parts.push(`// ${e.name} (${e.stage})\n${decls.map((d) => `${d}\n`).join('')}${e.glsl.trim()}\n`);
  }
  parts.push(mainFunction(chain));
  return { frag: parts.join('\n'), uniforms, key: chain.map((e) => e.name).join(',') };
}

function mainFunction(chain: readonly Effect[]): string {
  const body: string[] = [
    'if (v_uv.x < 0.0 || v_uv.x > 1.0 || v_uv.y < 0.0 || v_uv.y > 1.0) {',
    '  gl_FragColor = vec4(0.0, 0.0, 0.0, 1.0);',
    '  return;',
    '}',
    'vec2 uv = v_uv;',
    'vec2 st = v_uv;',
  ];
  for (const e of chain) if (e.stage === 'uv') body.push(`st = ${e.name}(st);`);
  const sampler = chain.find((e) => e.stage === 'sample');
  body.push(`vec3 c = ${sampler ? sampler.name : 'source'}(st);`);
  for (const e of chain) if (e.stage === 'color') body.push(`c = ${e.name}(c, uv);`);
  for (const e of chain) if (e.stage === 'feedback') body.push(`c = ${e.name}(c, texture2D(u_feedback, gl_FragCoord.xy / u_resolution).rgb, uv);`);
  body.push('gl_FragColor = vec4(c, 1.0);');
  return `void main() {\n${body.map((l) => `  ${l}`).join('\n')}\n}\n`;
}
