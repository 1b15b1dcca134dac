import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFeatures } from '../../engine/analysis/Features.js';
import { defaultValues, type ParamValues } from '../../engine/params/registry.js';
import { compileChain } from '../../shaders/compile.js';
import { activeChain, chainUniformValues, contrast, EFFECTS, feedback, flash, grain, hue, kaleido, rgbsplit, vignette, zoom, type Effect } from '../../shaders/index.js';

/** Every effect on. */
function allOn(): ParamValues {
  return { ...defaultValues(), contrast_strength: 0.5, flash_strength: 0.5, zoom_pulse: 0.1, hue_speed: 10, hue_react: 0.5, feedback_amount: 0.8, kaleido_segments: 6, rgb_split: 0.01, vignette: 0.4, grain: 0.05 };
}

const SIGNATURES: Record<Effect['stage'], (n: string) => string> = {
  uv: (n) => `vec2 ${n}(vec2 uv)`,
  sample: (n) => `vec3 ${n}(vec2 uv)`,
  color: (n) => `vec3 ${n}(vec3 c, vec2 uv)`,
  feedback: (n) => `vec3 ${n}(vec3 c, vec3 prev, vec2 uv)`,
};

describe('effect chain: activeChain', () => {
  it('has every effect in the default order', () => {
    assert.deepEqual(EFFECTS.map((e) => e.name), ['zoom', 'kaleido', 'rgbsplit', 'contrast', 'flash', 'hue', 'vignette', 'grain', 'feedback']);
    assert.deepEqual(activeChain(allOn()).map((e) => e.name), EFFECTS.map((e) => e.name));
  });

  it('drops inactive effects', () => {
    assert.deepEqual(activeChain(defaultValues()).map((e) => e.name), ['contrast', 'flash', 'vignette']);
    const p = allOn();
    assert.deepEqual(activeChain({ ...p, kaleido_segments: 0 }).map((e) => e.name).includes('kaleido'), false);
    assert.deepEqual(activeChain({ ...p, kaleido_segments: 1 }).map((e) => e.name).includes('kaleido'), false);
    assert.deepEqual(activeChain({ ...p, kaleido_segments: 2 }).map((e) => e.name).includes('kaleido'), true);
    assert.deepEqual(activeChain({ ...p, feedback_amount: 0 }).map((e) => e.name).includes('feedback'), false);
    assert.deepEqual(activeChain({ ...p, contrast_strength: 0, flash_strength: 0 }).map((e) => e.name).filter((n) => n === 'contrast' || n === 'flash'), []);
    assert.deepEqual(activeChain({ ...p, hue_speed: 0, hue_react: 0 }).map((e) => e.name).includes('hue'), false);
    assert.deepEqual(activeChain({ ...p, hue_speed: 0 }).map((e) => e.name).includes('hue'), true);
    assert.deepEqual(activeChain(p, [flash, zoom]).map((e) => e.name), ['flash', 'zoom']);
  });
});

describe('effect chain: compileChain', () => {
  it('lists the uniforms of a known chain, in order', () => {
    const c = compileChain([zoom, rgbsplit, contrast, hue]);
    assert.deepEqual(c.uniforms.map((u) => u.name), [
      'u_zoom_amount', 'u_zoom_drive',
      'u_rgbsplit_amount', 'u_rgbsplit_drive',
      'u_contrast_strength', 'u_contrast_drive', 'u_contrast_meanGrey',
      'u_hue_speed', 'u_hue_react', 'u_hue_drive',
    ]);
    assert.deepEqual(c.uniforms[6], { name: 'u_contrast_meanGrey', effect: 'contrast', input: 'meanGrey' });
    assert.equal(c.key, 'zoom,rgbsplit,contrast,hue');
    // u_time is the renderer's, declared once.
    assert.equal(c.frag.match(/uniform float u_time;/g)?.length, 1);
    assert.ok(!c.frag.includes('u_hue_time'));
  });

  it('declares the renderer inputs, each uniform, and each effect function', () => {
    const chain = activeChain(allOn());
    const { frag, uniforms } = compileChain(chain);
    assert.ok(frag.startsWith('precision highp float;\n'));
    for (const decl of ['uniform sampler2D u_frame;', 'uniform sampler2D u_prevFrame;', 'uniform float u_mix;', 'uniform sampler2D u_feedback;', 'uniform float u_time;', 'uniform vec2 u_resolution;', 'varying vec2 v_uv;', 'vec3 source(vec2 uv) {']) {
      assert.ok(frag.includes(decl), decl);
    }
    for (const u of uniforms) assert.equal(frag.split(`uniform float ${u.name};`).length, 2, u.name);
    for (const e of chain) assert.ok(frag.includes(SIGNATURES[e.stage](e.name)), e.name);
    assert.equal(uniforms.length, chain.reduce((n, e) => n + e.inputs.filter((i) => !i.global).length, 0));
  });

  it('applies the stages in order: uv, sample, color, feedback', () => {
    const { frag } = compileChain([contrast, feedback, zoom, rgbsplit, kaleido, vignette]);
    const main = frag.slice(frag.indexOf('void main()'));
    const at = (s: string) => {
      const i = main.indexOf(s);
      assert.ok(i > 0, s);
      return i;
    };
    const order = ['st = zoom(st);', 'st = kaleido(st);', 'vec3 c = rgbsplit(st);', 'c = contrast(c, uv);', 'c = vignette(c, uv);', 'c = feedback(c, texture2D(u_feedback, gl_FragCoord.xy / u_resolution).rgb, uv);', 'gl_FragColor = vec4(c, 1.0);'].map(at);
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    assert.ok(main.indexOf('gl_FragColor = vec4(0.0, 0.0, 0.0, 1.0);') < order[0], 'letterbox first');
    // Without a sample effect the chain reads the crossfaded frame.
    assert.ok(compileChain([zoom, flash]).frag.includes('vec3 c = source(st);'));
  });

  it('is deterministic and keyed by the chain', () => {
    const a = compileChain([zoom, contrast, grain]);
    assert.deepEqual(compileChain([zoom, contrast, grain]), a);
    assert.notEqual(compileChain([zoom, grain, contrast]).key, a.key);
    assert.notEqual(compileChain([zoom, contrast]).key, a.key);
    assert.equal(compileChain([]).key, '');
    assert.ok(compileChain([]).frag.includes('vec3 c = source(st);'));
  });

  it('rejects a chain it cannot compile', () => {
    const split2: Effect = { ...rgbsplit, name: 'split2' };
    assert.throws(() => compileChain([rgbsplit, split2]), /at most one sample effect per chain, got rgbsplit, split2/);
    assert.throws(() => compileChain([zoom, zoom]), /zoom appears twice/);
    assert.throws(() => compileChain([{ ...zoom, name: 'bad-name' }]), /not a usable GLSL identifier/);
  });

  it('gives a value for every uniform, by uniform name', () => {
    const chain = activeChain(allOn());
    const f = createFeatures();
    f.percussiveNorm = 0.25;
    const v = chainUniformValues(chain, allOn(), f, { meanGrey: 0.4 }, 3);
    assert.deepEqual(Object.keys(v), compileChain(chain).uniforms.map((u) => u.name));
    assert.equal(v.u_zoom_drive, 0.25);
    assert.equal(v.u_contrast_meanGrey, 0.4);
    assert.equal(v.u_kaleido_segments, 6);
  });
});
