import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PARAMS, PARAM_IDS, defaultValues, fromNorm, isParamId, markdownTable, sanitize, toNorm, type NumParam, type ParamSpec } from '../../engine/params/registry.js';

describe('parameter registry', () => {
  it("keeps Lucid Sonic Dreams' names and defaults", () => {
    const d = defaultValues();
    assert.equal(d.speed_fpm, 12);
    assert.equal(d.pulse_react, 0.5);
    assert.equal(d.pulse_percussive, true);
    assert.equal(d.pulse_harmonic, false);
    assert.equal(d.motion_react, 0.5);
    assert.equal(d.motion_harmonic, true);
    assert.equal(d.motion_randomness, 0.5);
    assert.equal(d.truncation, 1);
    assert.equal(d.class_pitch_react, 0.5);
    assert.equal(d.class_smooth_seconds, 1);
    assert.equal(d.class_shuffle_strength, 0.5);
    assert.equal(d.contrast_strength, 0.5);
    assert.equal(d.flash_strength, 0.5);
    assert.equal(d.interpolation, 'linear');
    // 0.75 per frame at 43 fps as a time constant: −1/(43·ln 0.75) ≈ 81 ms.
    assert.ok(Math.abs(d.pulse_decay_seconds - -1 / (43 * Math.log(0.75))) < 0.001);
  });

  it('every default lies in its range and every entry is documented', () => {
    for (const id of PARAM_IDS) {
      const s: ParamSpec = PARAMS[id];
      assert.ok(s.doc.length > 10, id);
      if (s.kind === 'num') assert.ok(s.range[0] <= s.default && s.default <= s.range[1], id);
      if (s.kind === 'enum') assert.ok(s.options.includes(s.default), id);
    }
  });

  it('sanitize clamps numbers and rejects wrong types with the name', () => {
    assert.deepEqual(sanitize('pulse_react', 5), { ok: true, value: 2 });
    assert.deepEqual(sanitize('pulse_react', -1), { ok: true, value: 0 });
    assert.deepEqual(sanitize('pulse_react', 0.7), { ok: true, value: 0.7 });
    assert.deepEqual(sanitize('pulse_react', Number.NaN), { ok: false, error: 'pulse_react: expected a finite number, got NaN' });
    assert.deepEqual(sanitize('pulse_react', '1'), { ok: false, error: 'pulse_react: expected a finite number, got "1"' });
    assert.deepEqual(sanitize('pulse_percussive', 1), { ok: true, value: true });
    assert.deepEqual(sanitize('pulse_percussive', 'yes'), { ok: false, error: 'pulse_percussive: expected true or false, got "yes"' });
    assert.deepEqual(sanitize('interpolation', 'spherical'), { ok: true, value: 'spherical' });
    assert.deepEqual(sanitize('interpolation', {}), { ok: false, error: 'interpolation: expected one of linear, spherical, got an object' });
    assert.equal(isParamId('pulse_react'), true);
    assert.equal(isParamId('toString'), false);
  });

  it('normalised values map through the curves and back', () => {
    const lin: NumParam = PARAMS.pulse_react;
    assert.equal(fromNorm(lin, 0.25), 0.5);
    assert.equal(toNorm(lin, 0.5), 0.25);
    const exp: NumParam = PARAMS.speed_fpm;
    assert.equal(fromNorm(exp, 0), 0);
    assert.equal(fromNorm(exp, 1), 60);
    // exp: e^(4·0.5) − 1 over e^4 − 1 of the range: fine control at the bottom.
    assert.ok(Math.abs(fromNorm(exp, 0.5) - (60 * Math.expm1(2)) / Math.expm1(4)) < 1e-12);
    for (const id of PARAM_IDS) {
      const s: ParamSpec = PARAMS[id];
      if (s.kind !== 'num') continue;
      for (const n of [0, 0.1, 0.5, 0.9, 1]) assert.ok(Math.abs(toNorm(s, fromNorm(s, n)) - n) < 1e-9, `${id} at ${n}`);
    }
    assert.equal(fromNorm(lin, 2), 2);
    assert.equal(toNorm(lin, -3), 0);
  });

  it('generates the docs table from the registry', () => {
    const t = markdownTable().split('\n');
    assert.equal(t.length, PARAM_IDS.length + 2);
    assert.ok(t.includes('| `pulse_react` | pulse | 0.5 | 0–2 | x | lin | Transient kick of the latent on onsets |'));
  });
});

it('the README shows the generated table', async () => {
  const { readFile } = await import('node:fs/promises');
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(markdownTable()), 'README parameter table is stale: run node --import tsx scripts/params-table.ts');
});
