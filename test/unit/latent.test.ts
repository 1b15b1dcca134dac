import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFeatures } from '../../engine/analysis/Features.js';
import {
  createLatentInput, createLatentState, flipMargin, inverseNormalCdf, jumpKeyframe, latentInputFromFeatures, latentStep,
  shuffleClasses,
  mulberry32, truncatedNormal, type LatentInput, type LatentState,
} from '../../engine/latent/index.js';
import { defaultValues, type ParamValues } from '../../engine/params/registry.js';

function params(over: Partial<ParamValues> = {}): ParamValues {
  return { ...defaultValues(), ...over };
}

/** A smooth test signal sampled at the middle of each frame. */
function signalInput(input: LatentInput, t: number): void {
  input.pulse = 0.5 + 0.3 * Math.sin(2 * Math.PI * 0.3 * t);
  input.motion = 0.5 + 0.2 * Math.cos(2 * Math.PI * 0.2 * t);
}

function runAt(fps: number, seconds: number, p: ParamValues, seed = 7, dim = 64): LatentState {
  const s = createLatentState({ dim, seed });
  const input = createLatentInput();
  const n = Math.round(seconds * fps);
  for (let i = 0; i < n; i++) {
    signalInput(input, (i + 0.5) / fps);
    latentStep(s, input, p, 1 / fps);
  }
  return s;
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

function chromaOneHot(p: number, rest = 0.1): Float32Array {
  const c = new Float32Array(12).fill(rest);
  c[p] = 1;
  return c;
}

describe('latent: truncated normal', () => {
  it('inverse normal CDF hits known quantiles', () => {
    assert.equal(inverseNormalCdf(0.5), 0);
    assert.ok(Math.abs(inverseNormalCdf(0.9772498680518208) - 2) < 1e-8);
    assert.ok(Math.abs(inverseNormalCdf(0.022750131948179195) + 2) < 1e-8);
    assert.ok(Math.abs(inverseNormalCdf(0.8413447460685429) - 1) < 1e-8);
  });

  it('stays in (−2, 2) with the truncated normal moments', () => {
    const rand = mulberry32(123);
    let sum = 0;
    let sq = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = truncatedNormal(rand);
      assert.ok(x > -2 && x < 2, `${x}`);
      sum += x;
      sq += x * x;
    }
    const mean = sum / n;
    const sd = Math.sqrt(sq / n - mean * mean);
    assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
    // sd of N(0,1) truncated to ±2: sqrt(1 − 4φ(2)/(Φ(2) − Φ(−2))) = 0.87962
    assert.ok(Math.abs(sd - 0.87962) < 0.01, `sd ${sd}`);
  });

  it('keyframes scale with truncation: z in (−2, 2)·truncation with no input', () => {
    const p = params({ truncation: 0.3, speed_fpm: 60 });
    const s = createLatentState({ dim: 512, seed: 5 });
    const input = createLatentInput();
    for (let i = 0; i < 320; i++) {
      latentStep(s, input, p, 1 / 32); // exact in binary: the keyframe clock lands on whole seconds
      for (const v of s.z) assert.ok(v > -0.6 && v < 0.6, `${v}`);
    }
    assert.equal(s.keyCount, 2 + 10);
  });
});

describe('latent: determinism', () => {
  it('same seed and inputs give a bit-identical z sequence; another seed differs', () => {
    const p = params({ class_shuffle_seconds: 2 });
    const run = (seed: number): Float32Array[] => {
      const s = createLatentState({ dim: 128, classCount: 12, seed });
      const input = createLatentInput();
      const out: Float32Array[] = [];
      for (let i = 0; i < 400; i++) {
        signalInput(input, i / 60);
        input.chroma = chromaOneHot(i % 12);
        latentStep(s, input, p, 1 / 60);
        out.push(Float32Array.from(s.z), Float32Array.from(s.classVec));
      }
      return out;
    };
    const a = run(42);
    const b = run(42);
    const c = run(43);
    assert.equal(a.length, b.length);
    for (let i = 0; i < a.length; i++) assert.deepEqual(Buffer.from(a[i].buffer), Buffer.from(b[i].buffer));
    assert.notDeepEqual(Buffer.from(a[0].buffer), Buffer.from(c[0].buffer));
    assert.notDeepEqual(Buffer.from(a[798].buffer), Buffer.from(c[798].buffer));
  });
});

describe('latent: frame-rate independence', () => {
  it('pulse: 30 fps and 144 fps end at the same z after 10 s', () => {
    const p = params({ motion_react: 0 });
    const a = runAt(30, 10, p);
    const b = runAt(144, 10, p);
    const err = relativeError(a.z, b.z);
    assert.ok(err < 1e-3, `relative error ${err}`);
  });

  it('motion (and pulse): 30 fps and 144 fps end at the same z after 10 s', () => {
    const p = params();
    const a = runAt(30, 10, p);
    const b = runAt(144, 10, p);
    const err = relativeError(a.z, b.z);
    assert.ok(err < 1e-2, `relative error ${err}`);
    // and the motion did travel: far from the no-motion latent
    const still = runAt(144, 10, params({ motion_react: 0 }));
    assert.ok(relativeError(still.z, b.z) > 0.1);
  });

  it('constant input: identical up to rounding at 30 and 144 fps', () => {
    const p = params();
    const run = (fps: number): LatentState => {
      const s = createLatentState({ dim: 64, seed: 9 });
      const input: LatentInput = { pulse: 0.6, motion: 0.7, chroma: new Float32Array(12) };
      for (let i = 0; i < fps * 10; i++) latentStep(s, input, p, 1 / fps);
      return s;
    };
    assert.ok(relativeError(run(30).z, run(144).z) < 1e-5);
  });
});

describe('latent: pulse', () => {
  it('follows the one-pole formula: one step, after τ, and decay over τ', () => {
    const p = params({ speed_fpm: 0, motion_react: 0, pulse_react: 0.5, pulse_decay_seconds: 0.081 });
    const s = createLatentState({ dim: 16, seed: 1 });
    const input: LatentInput = { pulse: 1, motion: 0, chroma: new Float32Array(12) };
    const dt = 1 / 60;
    latentStep(s, input, p, dt);
    const p1 = 0.5 * (1 - Math.exp(-dt / 0.081));
    assert.equal(s.pulse, p1);
    for (let d = 0; d < 16; d++) {
      assert.equal(s.base[d], s.key0[d]); // speed 0, truncation 1: the first keyframe
      assert.equal(s.z[d], Math.fround(s.base[d] + p1));
    }

    // After τ in total (81 steps of τ/81): p = 0.5·(1 − 1/e).
    const s2 = createLatentState({ dim: 16, seed: 1 });
    for (let i = 0; i < 81; i++) latentStep(s2, input, p, 0.081 / 81);
    assert.ok(Math.abs(s2.pulse - 0.5 * (1 - Math.exp(-1))) < 1e-12, `${s2.pulse}`);
    // Input gone: decays by 1/e per τ (not accumulated).
    const before = s2.pulse;
    input.pulse = 0;
    for (let i = 0; i < 81; i++) latentStep(s2, input, p, 0.081 / 81);
    assert.ok(Math.abs(s2.pulse - before * Math.exp(-1)) < 1e-12, `${s2.pulse}`);
    for (let i = 0; i < 600; i++) latentStep(s2, input, p, 1 / 60);
    assert.ok(s2.pulse < 1e-20);
  });
});

describe('latent: base motion', () => {
  it('speed_fpm 0 with zero input keeps z constant', () => {
    const p = params({ speed_fpm: 0 });
    const s = createLatentState({ dim: 64, seed: 3 });
    const input = createLatentInput();
    latentStep(s, input, p, 1 / 60);
    const first = Float32Array.from(s.z);
    for (let i = 0; i < 900; i++) {
      latentStep(s, input, p, 1 / 60);
      assert.deepEqual(s.z, first);
    }
    assert.equal(s.keyCount, 2);
  });

  it('spherical interpolation differs from linear between keyframes, not at them', () => {
    const input = createLatentInput();
    const at = (interpolation: 'linear' | 'spherical', steps: number): Float32Array => {
      const s = createLatentState({ dim: 64, seed: 11 });
      for (let i = 0; i < steps; i++) latentStep(s, input, params({ speed_fpm: 60, interpolation }), 0.25);
      return Float32Array.from(s.z);
    };
    assert.ok(relativeError(at('linear', 2), at('spherical', 2)) > 1e-3);
    assert.ok(relativeError(at('linear', 4), at('spherical', 4)) < 1e-6);
  });
});

describe('latent: motion', () => {
  function pathLength(motion: number): number {
    const p = params({ pulse_react: 0, speed_fpm: 0 });
    const s = createLatentState({ dim: 64, seed: 21 });
    const input: LatentInput = { pulse: 0, motion, chroma: new Float32Array(12) };
    const prev = Float32Array.from(s.z);
    let total = 0;
    for (let i = 0; i < 600; i++) {
      latentStep(s, input, p, 1 / 60);
      for (let d = 0; d < 64; d++) {
        total += Math.abs(s.z[d] - prev[d]);
        prev[d] = s.z[d];
      }
    }
    return total;
  }

  it('travels further with loud input than quiet', () => {
    const loud = pathLength(0.9);
    const quiet = pathLength(0.1);
    assert.ok(loud > 5 * quiet, `loud ${loud} quiet ${quiet}`);
    assert.ok(quiet > 0);
  });

  it('direction flips keep z bounded', () => {
    for (const [react, trunc] of [[0.5, 1], [2, 1], [2, 0.3], [1, 2]] as const) {
      const p = params({ motion_react: react, truncation: trunc, pulse_react: 0, motion_smooth_seconds: 0.081 });
      const s = createLatentState({ dim: 256, seed: 4 });
      const input: LatentInput = { pulse: 0, motion: 1, chroma: new Float32Array(12) };
      let maxAbs = 0;
      for (let i = 0; i < 60 * 60; i++) {
        latentStep(s, input, p, 1 / 60);
        for (const v of s.z) maxAbs = Math.max(maxAbs, Math.abs(v));
      }
      // Turn at 2·truncation − margin; the smoothed velocity then reverses, travelling on by
      // v·τ·(1 − ln 2) at the same speed and at most v·τ when a redraw slows it just then;
      // plus one 1 ms tick.
      const v = react * 20;
      const bound = 2 * trunc - flipMargin(p) + v * 0.081 + v * 0.001 + 1e-6;
      assert.ok(maxAbs <= bound, `react ${react} trunc ${trunc}: max |z| ${maxAbs} > ${bound}`);
      // without the turns 60 s would have carried it v·60·(1 − randomness/2) away
      assert.ok(maxAbs < v);
    }
  });
});

describe('latent: class vector', () => {
  it('follows the dominant pitch class', () => {
    const p = params({ class_smooth_seconds: 0.2 });
    const s = createLatentState({ dim: 8, classCount: 12, seed: 1 });
    const input: LatentInput = { pulse: 0, motion: 0, chroma: chromaOneHot(3) };
    for (let i = 0; i < 120; i++) latentStep(s, input, p, 1 / 60);
    assert.equal(argmax(s.classVec), 3);
    input.chroma = chromaOneHot(7);
    for (let i = 0; i < 120; i++) latentStep(s, input, p, 1 / 60);
    assert.equal(argmax(s.classVec), 7);
    for (const v of s.classVec) assert.ok(v >= 0 && v <= 1);
  });

  it('maps pitch classes through the class list', () => {
    const p = params({ class_smooth_seconds: 0 });
    const classes = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111];
    const s = createLatentState({ dim: 8, classCount: 1000, seed: 1, classes });
    const input: LatentInput = { pulse: 0, motion: 0, chroma: chromaOneHot(5, 0) };
    for (let i = 0; i < 60; i++) latentStep(s, input, p, 1 / 60);
    assert.equal(argmax(s.classVec), 105);
    assert.equal(s.classVec[105], 1);
    assert.equal(s.classVec[0], 0);
  });

  it('dominant_classes_first gives the first class to the most dominant pitch class', () => {
    const p = params({ class_smooth_seconds: 0, dominant_classes_first: true });
    const classes = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120];
    const s = createLatentState({ dim: 8, classCount: 200, seed: 1, classes });
    const input: LatentInput = { pulse: 0, motion: 0, chroma: chromaOneHot(4, 0.2) };
    for (let i = 0; i < 300; i++) latentStep(s, input, p, 1 / 60);
    assert.equal(argmax(s.classVec), 10);
    assert.equal(s.cls?.order[0], 4);
  });

  it('all-equal input nudges one entry; complexity scales', () => {
    const s = createLatentState({ dim: 8, classCount: 4, seed: 1 });
    latentStep(s, createLatentInput(), params({ class_smooth_seconds: 0, class_complexity: 0.5 }), 1 / 60);
    assert.deepEqual([...s.classVec], [0.5, 0, 0, 0]);
    const none = createLatentState({ dim: 8, seed: 1 });
    latentStep(none, createLatentInput(), params(), 1 / 60);
    assert.equal(none.classVec.length, 0);
  });

  it('class_smooth_seconds is a one-pole filter', () => {
    const s = createLatentState({ dim: 8, classCount: 4, seed: 1 });
    const dt = 1 / 60;
    latentStep(s, createLatentInput(), params({ class_smooth_seconds: 1 }), dt);
    assert.equal(s.classVec[0], Math.fround(1 - Math.exp(-dt)));
  });

  it('shuffle rotates the class list', () => {
    const p = params({ class_smooth_seconds: 0, class_shuffle_seconds: 1, class_shuffle_strength: 0.25 });
    const s = createLatentState({ dim: 8, classCount: 12, seed: 1 });
    const input: LatentInput = { pulse: 0, motion: 0, chroma: chromaOneHot(0, 0) };
    const dt = 1 / 64; // exact in binary: the shuffle clock lands on whole seconds
    for (let i = 0; i < 32; i++) latentStep(s, input, p, dt);
    assert.equal(s.cls?.rotation, 0);
    assert.equal(argmax(s.classVec), 0);
    for (let i = 0; i < 64; i++) latentStep(s, input, p, dt); // t = 1.5 s
    assert.equal(s.cls?.rotation, 3);
    assert.equal(argmax(s.classVec), 3);
    for (let i = 0; i < 64; i++) latentStep(s, input, p, dt); // t = 2.5 s
    assert.equal(s.cls?.rotation, 6);
    assert.equal(argmax(s.classVec), 6);
  });
});

describe('latent: inputs and options', () => {
  it('latentInputFromFeatures picks the sources by the flags', () => {
    const f = createFeatures();
    f.percussiveNorm = 0.8;
    f.harmonicNorm = 0.2;
    f.envelope = 0.4;
    const d = latentInputFromFeatures(f, params());
    assert.equal(d.pulse, 0.8);
    assert.equal(d.motion, 0.2);
    assert.equal(d.chroma, f.chroma);
    const out = createLatentInput();
    const both = latentInputFromFeatures(f, params({ pulse_harmonic: true, motion_percussive: true }), out);
    assert.equal(both, out);
    assert.equal(both.pulse, 0.5);
    assert.equal(both.motion, 0.5);
    const neither = latentInputFromFeatures(f, params({ pulse_percussive: false, motion_harmonic: false }));
    assert.equal(neither.pulse, 0.4);
    assert.equal(neither.motion, 0.4);
  });

  it('rejects bad options', () => {
    assert.throws(() => createLatentState({ dim: 0, seed: 1 }), RangeError);
    assert.throws(() => createLatentState({ dim: 4, classCount: -1, seed: 1 }), RangeError);
    assert.throws(() => createLatentState({ dim: 4, classCount: 12, seed: 1, classes: [12] }), RangeError);
    assert.throws(() => createLatentState({ dim: 4, seed: 1, classes: [0] }), RangeError);
    assert.throws(() => createLatentState({ dim: 4, seed: Number.NaN }), RangeError);
  });
});

describe('latent: triggers', () => {
  it('keyframe cuts to the keyframe ahead and holds there with speed 0; shuffle rotates the class list now', () => {
    const p: ParamValues = { ...defaultValues(), speed_fpm: 0, pulse_react: 0, motion_react: 0 };
    const s = createLatentState({ dim: 32, classCount: 12, seed: 4 });
    const input = createLatentInput();
    latentStep(s, input, p, 0.02);
    const before = Float32Array.from(s.z);
    const ahead = Float64Array.from(s.key1);
    jumpKeyframe(s);
    latentStep(s, input, p, 0.02);
    for (let d = 0; d < 32; d++) assert.ok(Math.abs(s.z[d] - ahead[d] * p.truncation) < 1e-6, `dimension ${d}`);
    assert.ok(s.z.some((v, d) => Math.abs(v - before[d]) > 0.1));
    const held = Float32Array.from(s.z);
    latentStep(s, input, p, 0.5);
    assert.deepEqual(s.z, held);
    const rot = s.cls!.rotation;
    shuffleClasses(s.cls!, { ...p, class_shuffle_strength: 0.25 });
    assert.equal(s.cls!.rotation, (rot + 3) % 12);
  });
});

describe('class_chord_root: the chord estimate\'s root drives the class vector', () => {
  it('0: the chroma itself; 1: confidence at the root alone; 0.5: half of each; no chord: the scaled chroma', () => {
    const f = createFeatures();
    f.chroma.set([1, 0, 0, 0, 0.5, 0, 0, 0.8, 0, 0, 0, 0]);
    f.chord = { root: 9, quality: 'm7', confidence: 0.8 };
    const p = defaultValues();
    assert.equal(latentInputFromFeatures(f, { ...p, class_chord_root: 0 }).chroma, f.chroma);
    assert.deepEqual(Array.from(latentInputFromFeatures(f, { ...p, class_chord_root: 1 }).chroma), [0, 0, 0, 0, 0, 0, 0, 0, 0, Math.fround(0.8), 0, 0]);
    assert.deepEqual(Array.from(latentInputFromFeatures(f, { ...p, class_chord_root: 0.5 }).chroma), [0.5, 0, 0, 0, 0.25, 0, 0, 0.4, 0, 0.4, 0, 0].map(Math.fround));
    f.chord = null;
    assert.deepEqual(Array.from(latentInputFromFeatures(f, { ...p, class_chord_root: 0.5 }).chroma), [0.5, 0, 0, 0, 0.25, 0, 0, 0.4, 0, 0, 0, 0].map(Math.fround));
  });
});
