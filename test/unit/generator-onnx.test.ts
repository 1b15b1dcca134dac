import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { int, float, packedInts } from '../../engine/generator/onnx/protobuf.js';
import { toRgba8 } from '../../engine/generator/pixels.js';
import { loadGenerator, createBuiltinGenerator } from '../../engine/generator/loadGenerator.js';
import { openSession, parseProviders } from '../../engine/generator/session.js';
import { buildCppnModel } from '../../engine/generator/builtin/cppn.js';
import { createLatentState } from '../../engine/latent/index.js';
import { createLogger, type Logger } from '../../engine/log.js';
import { bigganModel, styleganModel, type SyntheticModel } from '../helpers/syntheticModels.js';

const quiet = createLogger('test', 'silent');
function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (l: string) => (m: string) => void lines.push(`${l}: ${m}`);
  return { lines, log: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') } };
}
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const tmp = () => mkdtempSync(join(tmpdir(), 'vj-gen-'));

/** Writes a synthetic model and its manifest; returns the manifest path. */
function install(dir: string, m: SyntheticModel, manifest: object = m.manifest): string {
  writeFileSync(join(dir, 'model.onnx'), m.onnx);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest));
  return join(dir, 'model.json');
}

describe('protobuf writer', () => {
  it('encodes varints, floats and packed fields as the wire format says', () => {
    assert.deepEqual([...int(1, 300)], [0x08, 0xac, 0x02]);
    assert.deepEqual([...int(2, 0)], [0x10, 0x00]);
    assert.equal(int(1, -1).length, 11); // tag + 10-byte two's complement varint
    assert.deepEqual([...float(2, 1)], [0x15, 0x00, 0x00, 0x80, 0x3f]);
    assert.deepEqual([...packedInts(1, [3, 270])], [0x0a, 0x03, 0x03, 0x8e, 0x02]);
  });
});

describe('RGBA8 conversion', () => {
  it('NCHW [-1,1]: planes to interleaved, rounded and clamped, alpha 255', () => {
    // 2×1 image: R plane (-1, 1), G plane (0, 2), B plane (-0.5, 0.5).
    const src = Float32Array.of(-1, 1, 0, 2, -0.5, 0.5);
    const out = new Uint8Array(8);
    toRgba8(src, { layout: 'NCHW', range: '[-1,1]', channels: 3, width: 2, height: 1 }, out);
    assert.deepEqual([...out], [0, 128, 64, 255, 255, 255, 191, 255]);
  });
  it('NHWC [0,1] and uint8 with 3 or 4 channels', () => {
    const out = new Uint8Array(8);
    toRgba8(Float32Array.of(0, 0.5, 1, 1.5, -1, 0.25), { layout: 'NHWC', range: '[0,1]', channels: 3, width: 2, height: 1 }, out);
    assert.deepEqual([...out], [0, 128, 255, 255, 255, 0, 64, 255]);
    toRgba8(Uint8Array.of(1, 2, 3, 9, 4, 5, 6, 9), { layout: 'NHWC', range: 'uint8', channels: 4, width: 2, height: 1 }, out);
    assert.deepEqual([...out], [1, 2, 3, 255, 4, 5, 6, 255]);
    toRgba8(Uint8Array.of(1, 2, 3, 4, 5, 6), { layout: 'NCHW', range: 'uint8', channels: 3, width: 2, height: 1 }, out);
    assert.deepEqual([...out], [1, 3, 5, 255, 2, 4, 6, 255]);
  });
  it('rejects a tensor of the wrong size', () => {
    assert.throws(() => toRgba8(new Float32Array(5), { layout: 'NHWC', range: '[0,1]', channels: 3, width: 2, height: 1 }, new Uint8Array(8)), /5 values, expected 6/);
  });
});

describe('built-in CPPN generator', () => {
  it('is deterministic, colourful, smooth in the latent and shows the class', async () => {
    const g = await createBuiltinGenerator(64, 1, {}, quiet);
    assert.deepEqual({ ...g.info }, { name: 'builtin', builtin: true, latentDim: 128, classCount: 12, width: 64, height: 64, provider: 'cpu' });
    const z = Float32Array.from(createLatentState({ dim: 128, seed: 3 }).z);
    const cls = new Float32Array(12);
    cls[0] = 1;
    const a = new Uint8Array(64 * 64 * 4);
    const b = new Uint8Array(64 * 64 * 4);
    await g.generate(z, cls, 1, a);
    await g.generate(z, cls, 1, b);
    assert.equal(sha(a), sha(b));
    // Not flat: every channel spans a wide range; alpha is opaque.
    for (let ch = 0; ch < 3; ch++) {
      let lo = 255;
      let hi = 0;
      for (let i = ch; i < a.length; i += 4) {
        lo = Math.min(lo, a[i]);
        hi = Math.max(hi, a[i]);
      }
      assert.ok(hi - lo > 150, `channel ${ch} spans ${lo}..${hi}`);
    }
    assert.ok(a.every((v, i) => i % 4 !== 3 || v === 255));
    const meanDiff = async (dz: number, c: Float32Array): Promise<number> => {
      const z2 = z.map((v) => v + dz);
      await g.generate(z2, c, 1, b);
      let s = 0;
      for (let i = 0; i < a.length; i++) if (i % 4 !== 3) s += Math.abs(a[i] - b[i]);
      return s / (a.length * 0.75);
    };
    const tiny = await meanDiff(0.01, cls);
    const pulse = await meanDiff(0.5, cls);
    assert.ok(tiny < 2, `a 0.01 latent step moves pixels by ${tiny} on average`);
    assert.ok(pulse > 20, `a 0.5 pulse moves pixels by ${pulse} on average`);
    const other = new Float32Array(12);
    other[6] = 1;
    assert.ok((await meanDiff(0, other)) > 20, 'another class changes the image');
    await g.dispose();
  });

  it('the same seed writes the same model bytes; another seed another model', () => {
    assert.equal(sha(buildCppnModel({ size: 16, seed: 5 })), sha(buildCppnModel({ size: 16, seed: 5 })));
    assert.notEqual(sha(buildCppnModel({ size: 16, seed: 5 })), sha(buildCppnModel({ size: 16, seed: 6 })));
  });
});

describe('user models through a manifest', () => {
  const expectPixels = (ref: Float64Array, out: Uint8Array, size: number): void => {
    const n = size * size;
    for (let p = 0; p < n; p++) {
      for (let c = 0; c < 3; c++) {
        const want = Math.min(255, Math.max(0, (ref[c * n + p] + 1) * 127.5));
        assert.ok(Math.abs(out[p * 4 + c] - want) <= 0.51 + 1e-3, `pixel ${p} channel ${c}: ${out[p * 4 + c]} vs ${want}`);
      }
    }
  };

  it('StyleGAN signature z[1,512] → NCHW [-1,1]: pixels equal the reference', async () => {
    const m = styleganModel(8);
    const { generator: g, fallback } = await loadGenerator({ model: install(tmp(), m), log: quiet });
    assert.equal(fallback, undefined);
    assert.deepEqual([g.info.name, g.info.latentDim, g.info.classCount, g.info.width], ['synthetic-stylegan', 512, 0, 8]);
    const z = Float32Array.from(createLatentState({ dim: 512, seed: 9 }).z);
    const out = new Uint8Array(8 * 8 * 4);
    await g.generate(z, new Float32Array(0), 1, out);
    expectPixels(m.reference(z, new Float32Array(0), 1), out, 8);
    await g.dispose();
  });

  it('BigGAN signature z[1,128], class[1,1000], truncation[1]: all three inputs reach the model', async () => {
    const m = bigganModel(8);
    const dir = tmp();
    install(dir, m);
    // Named by its .onnx: the manifest beside it is found.
    const { generator: g } = await loadGenerator({ model: join(dir, 'model.onnx'), log: quiet });
    assert.equal(g.info.classCount, 1000);
    const z = Float32Array.from(createLatentState({ dim: 128, seed: 2 }).z);
    const cls = new Float32Array(1000);
    cls[207] = 1;
    const out = new Uint8Array(8 * 8 * 4);
    await g.generate(z, cls, 0.4, out);
    expectPixels(m.reference(z, cls, 0.4), out, 8);
    await g.generate(z, cls, 1, out);
    expectPixels(m.reference(z, cls, 1), out, 8);
    await g.dispose();
  });

  const bad: [string, (dir: string) => string, RegExp][] = [
    ['a missing manifest', (d) => join(d, 'none.json'), /none\.json: not found/],
    ['a manifest that is not JSON', (d) => (writeFileSync(join(d, 'm.json'), '{ name: '), join(d, 'm.json')), /m\.json: not valid JSON/],
    ['an invalid field', (d) => install(d, styleganModel(8), { ...styleganModel(8).manifest, output: { name: 'img', layout: 'CHW', range: '[-1,1]' } }), /model\.json: output\.layout: /],
    ['an unknown field', (d) => install(d, styleganModel(8), { ...styleganModel(8).manifest, extra: 1 }), /model\.json: \(root\): Unrecognized key.*extra/],
    ['a wrong input name', (d) => install(d, styleganModel(8), { ...styleganModel(8).manifest, inputs: { latent: { name: 'latent', size: 512 } } }), /inputs\.latent\.name: the model has no input "latent" \(inputs: z\)/],
    ['a wrong latent size', (d) => install(d, styleganModel(8), { ...styleganModel(8).manifest, inputs: { latent: { name: 'z', size: 128 } } }), /inputs\.latent: input "z" has shape \[1,512\], the manifest says \[1,128\]/],
    ['a wrong resolution', (d) => install(d, styleganModel(8), { ...styleganModel(8).manifest, resolution: { width: 16, height: 16 } }), /output: "img" has shape \[1,3,8,8\]/],
    ['an unfed model input', (d) => install(d, bigganModel(8), { ...bigganModel(8).manifest, inputs: { latent: { name: 'z', size: 128 }, class: { name: 'class', size: 1000 } } }), /the model input "truncation" is not in the manifest/],
    ['a broken .onnx file', (d) => (writeFileSync(join(d, 'model.onnx'), 'not a model'), writeFileSync(join(d, 'model.json'), JSON.stringify(styleganModel(8).manifest)), join(d, 'model.json')), /model\.onnx: ONNX Runtime cannot load it/],
  ];
  for (const [what, make, message] of bad) {
    it(`${what}: a clear error, and the built-in generator takes over`, async () => {
      const { log, lines } = recorder();
      const { generator: g, fallback } = await loadGenerator({ model: make(tmp()), size: 32, log });
      assert.match(fallback ?? '', message);
      assert.ok(lines.some((l) => l.startsWith('error: ') && message.test(l) && l.includes('using the built-in generator')), lines.join('\n'));
      assert.equal(g.info.builtin, true);
      const out = new Uint8Array(32 * 32 * 4);
      await g.generate(new Float32Array(128), new Float32Array(12), 1, out);
      assert.equal(out[3], 255);
      await g.dispose();
    });
  }
});

describe('execution providers', () => {
  it('passes over unavailable providers with a reason each and lands on CPU', async () => {
    const { log, lines } = recorder();
    const choice = await openSession(buildCppnModel({ size: 8, seed: 1 }), { providers: ['coreml', 'dml'] }, log);
    if (process.platform === 'linux') {
      assert.equal(choice.provider, 'cpu');
      assert.deepEqual(choice.rejected, [
        { provider: 'coreml', reason: 'not in this build (macOS only)' },
        { provider: 'dml', reason: 'not in this build (Windows only)' },
      ]);
      assert.deepEqual(lines, ['info: execution provider: cpu (coreml: not in this build (macOS only); dml: not in this build (Windows only))']);
    }
    await choice.session.release();
  });

  it('the default order always ends on a working provider, each rejection explained', async () => {
    const choice = await openSession(buildCppnModel({ size: 8, seed: 1 }), {}, quiet);
    assert.ok(['cuda', 'tensorrt', 'webgpu', 'coreml', 'dml', 'cpu'].includes(choice.provider));
    for (const r of choice.rejected) assert.ok(r.reason.length > 5, `${r.provider}: ${r.reason}`);
    await choice.session.release();
  });

  it('parses a provider list and rejects unknown names', () => {
    assert.deepEqual(parseProviders('CUDA, cpu,cuda'), ['cuda', 'cpu']);
    assert.throws(() => parseProviders('cuda,metal'), /unknown execution provider "metal" \(known: cuda, tensorrt, webgpu, coreml, dml, cpu\)/);
  });
});
