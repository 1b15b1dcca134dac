import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createFeatures, type Features } from '../../engine/analysis/Features.js';
import { createBuiltinGenerator } from '../../engine/generator/loadGenerator.js';
import type { Generator } from '../../engine/generator/Generator.js';
import { createLatentState, latentInputFromFeatures, latentStep } from '../../engine/latent/latent.js';
import { createLogger, type Logger } from '../../engine/log.js';
import { defaultValues, type ParamValues } from '../../engine/params/registry.js';
import { parsePreset, type Preset } from '../../controllers/presets/Preset.js';
import { defaultPresetDirs, FACTORY_PRESET_DIR, openPresetLibrary, resolvePresetArg, type PresetLibrary } from '../../controllers/presets/presetLibrary.js';
import { activeChain, applyEffectsCpu, createCpuChain } from '../../shaders/index.js';
import { writerVersions } from '../helpers/presetWriter.js';

const WRITER = fileURLToPath(new URL('../helpers/presetWriter.ts', import.meta.url));

/** A logger that keeps its warnings. */
function recorder(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { debug() {}, info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m), warnings };
}

/** Polls `cond` every 10 ms until it holds; fails after `ms`. */
async function waitFor(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'vj-presets-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

describe('preset library: loading', () => {
  it('reads every *.json of each folder; a user preset wins over a factory one; hidden, .bak and other files are ignored', async () => {
    const [user, factory] = [await tempDir(), await tempDir()];
    await writeFile(join(factory, 'calm.json'), json({ params: { pulse_react: 0.1 } }));
    await writeFile(join(factory, 'loud.json'), json({ params: { pulse_react: 1.9 } }));
    await writeFile(join(user, 'loud.json'), json({ params: { pulse_react: 1.5 }, morph: { beats: 2 } }));
    await writeFile(join(user, 'loud.json.bak'), 'not json');
    await writeFile(join(user, '.loud.json.1.tmp'), 'not json');
    await writeFile(join(user, 'notes.txt'), 'not json');
    const lib = await openPresetLibrary({ dirs: [user, factory], watch: false, log: recorder() });
    assert.deepEqual(lib.names(), ['calm', 'loud']);
    assert.deepEqual(lib.get('loud'), { name: 'loud', version: 1, morph: { beats: 2 }, params: { pulse_react: 1.5 } });
    assert.equal(lib.path('loud'), join(user, 'loud.json'));
    assert.equal(lib.path('calm'), join(factory, 'calm.json'));
    assert.equal(lib.get('quiet'), undefined);
    assert.deepEqual(lib.errors(), []);
  });

  it('a broken file gives one warning naming file and field, is left out, and the others load', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'good.json'), json({ params: { grain: 0.1 } }));
    await writeFile(join(dir, 'badvalue.json'), json({ params: { pulse_react: 'fast' } }));
    await writeFile(join(dir, 'unknown.json'), json({ params: { pulse_reactt: 1 } }));
    await writeFile(join(dir, 'notjson.json'), '{ "params": ');
    const log = recorder();
    const lib = await openPresetLibrary({ dirs: [dir, await tempDir()], watch: false, log });
    assert.deepEqual(lib.names(), ['good']);
    assert.equal(log.warnings.length, 3);
    const errors = lib.errors();
    assert.equal(errors.length, 3);
    assert.equal(errors[0], `${join(dir, 'badvalue.json')}: params.pulse_react: expected a finite number, got "fast"`);
    assert.match(errors[1], new RegExp(`^${join(dir, 'notjson.json')}: not valid JSON`));
    assert.match(errors[2], new RegExp(`^${join(dir, 'unknown.json')}: params.pulse_reactt: unknown parameter`));
  });

  it('a missing user folder counts as empty', async () => {
    const lib = await openPresetLibrary({ dirs: [join(await tempDir(), 'none'), FACTORY_PRESET_DIR], watch: false, log: recorder() });
    assert.deepEqual(lib.names(), ['ambient', 'club', 'default', 'glitch']);
  });
});

describe('preset library: save', () => {
  it('round trip: pretty JSON with a trailing newline, sanitized; a fresh library reads an equal preset', async () => {
    const dir = await tempDir();
    const lib = await openPresetLibrary({ dirs: [dir], watch: false, log: recorder() });
    const saved = await lib.save('mine', { description: 'x', params: { pulse_react: 5, kaleido_segments: 6 }, chain: ['hue', 'zoom'] });
    assert.deepEqual(saved, { name: 'mine', version: 1, description: 'x', morph: { seconds: 0 }, params: { pulse_react: 2, kaleido_segments: 6 }, chain: ['hue', 'zoom'] });
    assert.equal(lib.get('mine'), saved);
    assert.equal(await readFile(join(dir, 'mine.json'), 'utf8'),
      '{\n  "version": 1,\n  "description": "x",\n  "morph": {\n    "seconds": 0\n  },\n  "params": {\n    "pulse_react": 2,\n    "kaleido_segments": 6\n  },\n  "chain": [\n    "hue",\n    "zoom"\n  ]\n}\n');
    const fresh = await openPresetLibrary({ dirs: [dir], watch: false, log: recorder() });
    assert.deepEqual(fresh.get('mine'), saved);
    assert.deepEqual(await readdir(dir), ['mine.json']);
  });

  it('keeps the previous version as <name>.json.bak', async () => {
    const dir = await tempDir();
    const lib = await openPresetLibrary({ dirs: [dir], watch: false, log: recorder() });
    await lib.save('p', { params: { grain: 0.1 } });
    const first = await readFile(join(dir, 'p.json'), 'utf8');
    await lib.save('p', { params: { grain: 0.2 } });
    assert.equal(await readFile(join(dir, 'p.json.bak'), 'utf8'), first);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'p.json'), 'utf8')).params, { grain: 0.2 });
    assert.deepEqual((await readdir(dir)).sort(), ['p.json', 'p.json.bak']);
  });

  it('invalid content or name: save throws naming the file and field, and the file is untouched', async () => {
    const dir = await tempDir();
    const lib = await openPresetLibrary({ dirs: [dir], watch: false, log: recorder() });
    await lib.save('p', { params: { grain: 0.1 } });
    const before = await readFile(join(dir, 'p.json'), 'utf8');
    const file = join(dir, 'p.json');
    await assert.rejects(lib.save('p', { params: { grain: 'lots' } }), { message: `${file}: params.grain: expected a finite number, got "lots"` });
    await assert.rejects(lib.save('p', { morph: { seconds: -1 } }), (e: Error) => e.message.startsWith(`${file}: morph`));
    await assert.rejects(lib.save('p', { chain: ['zoom', 'zoom'] }), { message: `${file}: chain: an effect is listed twice` });
    await assert.rejects(lib.save('../evil', { params: {} }), /preset name "..\/evil"/);
    await assert.rejects(lib.save('a b', { params: {} }), /preset name "a b"/);
    assert.equal(await readFile(file, 'utf8'), before);
    assert.deepEqual(await readdir(dir), ['p.json']);
    assert.deepEqual(lib.get('p')?.params, { grain: 0.1 });
  });

  it('survives a kill mid-write: after each of 32 SIGKILLs (4 writers at a time) the file and its .bak are whole versions', async () => {
    const [a, b] = writerVersions().map((v) => {
      const r = parsePreset(JSON.stringify(v), 'victim', 'version');
      assert.ok(r.ok);
      return r.preset;
    });
    const asVersion = (text: string, what: string): 'A' | 'B' => {
      const r = parsePreset(text, 'victim', what);
      assert.ok(r.ok, r.ok ? '' : r.error);
      if (JSON.stringify(r.preset) === JSON.stringify(a)) return 'A';
      assert.deepEqual(r.preset, b, `${what} is neither version`);
      return 'B';
    };
    /** Starts a writer on `dir`, kills it at a random moment after its second save, checks the files. */
    const killOnce = async (dir: string, kill: number): Promise<'A' | 'B'> => {
      const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, 'victim'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((res) => child.once('exit', () => res()));
      await new Promise<void>((res, rej) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && res());
        child.once('exit', (code) => rej(new Error(`writer exited (${code}) before two saves`)));
      });
      await new Promise((r) => setTimeout(r, Math.random() * 60));
      child.kill('SIGKILL');
      await exited;
      asVersion(await readFile(join(dir, 'victim.json.bak'), 'utf8'), `${dir}/victim.json.bak after kill ${kill}`);
      return asVersion(await readFile(join(dir, 'victim.json'), 'utf8'), `${dir}/victim.json after kill ${kill}`);
    };
    // Every lane runs to its end (no writer outlives the test), then the first failure is thrown.
    const settled = await Promise.allSettled([0, 1, 2, 3].map(async () => {
      const dir = await tempDir();
      const seen: string[] = [];
      for (let kill = 0; kill < 8; kill++) seen.push(await killOnce(dir, kill));
      return { dir, seen };
    }));
    const lanes = settled.map((r) => {
      if (r.status === 'rejected') throw r.reason;
      return r.value;
    });
    assert.deepEqual([...new Set(lanes.flatMap((l) => l.seen))].sort(), ['A', 'B'], 'the kills should land on both versions');
    for (const { dir } of lanes) {
      const lib = await openPresetLibrary({ dirs: [dir], watch: false, log: recorder() });
      assert.deepEqual(lib.names(), ['victim']);
      assert.deepEqual(lib.errors(), []);
    }
  });
});

describe('preset library: hot reload', () => {
  let user: string;
  let factory: string;
  let lib: PresetLibrary;
  let log: ReturnType<typeof recorder>;
  const changes: Array<[string, Preset | undefined]> = [];
  before(async () => {
    [user, factory] = [await tempDir(), await tempDir()];
    await writeFile(join(factory, 'calm.json'), json({ params: { pulse_react: 0.1 } }));
    await writeFile(join(user, 'live.json'), json({ params: { grain: 0.05 } }));
    log = recorder();
    lib = await openPresetLibrary({ dirs: [user, factory], log });
    lib.onChange((name, preset) => void changes.push([name, preset]));
  });
  after(() => lib.close());

  it('a changed file is re-read and onChange fires with the new values', async () => {
    changes.length = 0;
    await writeFile(join(user, 'live.json'), json({ params: { grain: 0.25 } }));
    await waitFor(() => changes.length > 0, 'onChange');
    assert.deepEqual(changes, [['live', { name: 'live', version: 1, morph: { seconds: 0 }, params: { grain: 0.25 } }]]);
    assert.deepEqual(lib.get('live')?.params, { grain: 0.25 });
  });

  it('a broken write warns naming file and field and keeps the previous version; the fix is picked up', async () => {
    changes.length = 0;
    const file = join(user, 'live.json');
    await writeFile(file, json({ params: { grain: 'heavy' } }));
    const line = `${file}: params.grain: expected a finite number, got "heavy"`;
    await waitFor(() => log.warnings.includes(line), 'the warning');
    assert.deepEqual(lib.get('live')?.params, { grain: 0.25 });
    assert.deepEqual(lib.errors(), [line]);
    assert.deepEqual(changes, []);
    await writeFile(file, json({ params: { grain: 0.1 } }));
    await waitFor(() => changes.length > 0, 'onChange after the fix');
    assert.deepEqual(lib.get('live')?.params, { grain: 0.1 });
    assert.deepEqual(lib.errors(), []);
  });

  it('a new file appears; a user file over a factory one takes over, and when deleted the factory one returns', async () => {
    changes.length = 0;
    await writeFile(join(user, 'calm.json'), json({ params: { pulse_react: 0.3 } }));
    await waitFor(() => changes.length > 0, 'the user calm');
    assert.equal(lib.path('calm'), join(user, 'calm.json'));
    assert.deepEqual(lib.get('calm')?.params, { pulse_react: 0.3 });
    changes.length = 0;
    await unlink(join(user, 'calm.json'));
    await waitFor(() => changes.length > 0, 'the factory calm');
    assert.deepEqual(changes, [['calm', { name: 'calm', version: 1, morph: { seconds: 0 }, params: { pulse_react: 0.1 } }]]);
  });

  it('a deleted file disappears (onChange with undefined)', async () => {
    changes.length = 0;
    await unlink(join(user, 'live.json'));
    await waitFor(() => changes.length > 0, 'the deletion');
    assert.deepEqual(changes, [['live', undefined]]);
    assert.deepEqual(lib.names(), ['calm']);
  });

  it('a save updates memory at once and fires onChange once (the watcher sees the same text)', async () => {
    changes.length = 0;
    const saved = await lib.save('fresh', { params: { vignette: 0.9 } });
    assert.equal(lib.get('fresh'), saved);
    assert.deepEqual(changes, [['fresh', saved]]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(changes.length, 1);
    assert.equal(lib.get('fresh'), saved);
  });

  it('after close, changes on disk are no longer read', async () => {
    lib.close();
    changes.length = 0;
    await writeFile(join(user, 'fresh.json'), json({ params: { vignette: 0.1 } }));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(changes, []);
    assert.deepEqual(lib.get('fresh')?.params, { vignette: 0.9 });
  });
});

describe('resolvePresetArg and defaultPresetDirs', () => {
  it('a name comes from the library, a path from its file (old { params } files too); errors list names or name the field', async () => {
    const dir = await tempDir();
    const lib = await openPresetLibrary({ dirs: [dir, FACTORY_PRESET_DIR], watch: false, log: recorder() });
    assert.equal(await resolvePresetArg('club', lib), lib.get('club'));
    const file = join(dir, 'old.json');
    await writeFile(file, json({ params: { pulse_react: 1.2 } }));
    assert.deepEqual(await resolvePresetArg(file, lib), { name: 'old', version: 1, morph: { seconds: 0 }, params: { pulse_react: 1.2 } });
    await assert.rejects(resolvePresetArg('clubb', lib), { message: '--preset clubb: no preset of that name (have: ambient, club, default, glitch) and no such file' });
    await assert.rejects(resolvePresetArg(join(dir, 'none.json'), lib), { message: `${join(dir, 'none.json')}: not found` });
    await writeFile(file, json({ params: { vignette: true } }));
    await assert.rejects(resolvePresetArg(file, lib), { message: `${file}: params.vignette: expected a finite number, got true` });
  });

  it('the user folder from VJ_PRESET_DIR, else XDG_CONFIG_HOME, then the factory folder', () => {
    assert.equal(FACTORY_PRESET_DIR, fileURLToPath(new URL('../../presets', import.meta.url)));
    assert.deepEqual(defaultPresetDirs({ VJ_PRESET_DIR: '/p', XDG_CONFIG_HOME: '/c' }), ['/p', FACTORY_PRESET_DIR]);
    assert.deepEqual(defaultPresetDirs({ XDG_CONFIG_HOME: '/c' }), ['/c/vj/presets', FACTORY_PRESET_DIR]);
  });
});

describe('factory presets', () => {
  const NAMES = ['ambient', 'club', 'default', 'glitch'];
  let lib: PresetLibrary;
  let gen: Generator;
  before(async () => {
    lib = await openPresetLibrary({ dirs: [FACTORY_PRESET_DIR], watch: false, log: recorder() });
    gen = await createBuiltinGenerator(128, 1, {}, createLogger('test', 'silent'));
  });
  after(() => gen.dispose());

  it('all parse, each with a description and a default morph time; default is all defaults', () => {
    assert.deepEqual(lib.errors(), []);
    assert.deepEqual(lib.names(), NAMES);
    for (const n of NAMES) assert.ok(lib.get(n)!.description!.length > 20, n);
    assert.deepEqual(NAMES.map((n) => lib.get(n)!.morph), [{ seconds: 8 }, { beats: 4 }, { seconds: 2 }, { beats: 1 }]);
    assert.deepEqual(lib.get('default')!.params, {});
  });

  it('look clearly different through the effects alone: the same generated frame, seed and features', async (t) => {
    const looks = new Map<string, { raw: Uint8Array; out: Uint8Array }>();
    for (const n of NAMES) looks.set(n, await renderLook(gen, { ...defaultValues(), ...lib.get(n)!.params }));
    const lines: string[] = [];
    for (let i = 0; i < NAMES.length; i++) {
      assert.deepEqual(looks.get(NAMES[i])!.raw, looks.get('default')!.raw, `${NAMES[i]}: the generated frame`);
      for (let j = i + 1; j < NAMES.length; j++) {
        const d = meanAbsDiff(looks.get(NAMES[i])!.out, looks.get(NAMES[j])!.out);
        lines.push(`${NAMES[i]}–${NAMES[j]} ${d.toFixed(1)}`);
        assert.ok(d > MIN_DIFFERENCE, `${NAMES[i]} vs ${NAMES[j]}: mean |Δ| ${d.toFixed(1)} of 255`);
      }
    }
    t.diagnostic(`mean |Δ| per channel (of 255): ${lines.join(', ')}`);
  });
});

/** Smallest mean absolute RGB difference (levels of 255) between two factory presets' frames (measured: 34.5 and up). */
const MIN_DIFFERENCE = 20;
/** The output clock at the frame: a second in, so the hue drift has turned. */
const TIME = 1;

/** A percussive hit on top of a held chord. */
const HIT: Features = Object.assign(createFeatures(), {
  envelope: 0.7, percussiveNorm: 0.8, harmonicNorm: 0.5, onsetStrengthNorm: 0.8, onset: true,
  chroma: Float32Array.of(1, 0, 0.2, 0, 0.8, 0.1, 0, 0.9, 0, 0.3, 0, 0.1),
});

/** A render's first frame (latent seed 1 → built-in generator → CPU effects): the generated frame and the output. */
async function renderLook(gen: Generator, params: ParamValues): Promise<{ raw: Uint8Array; out: Uint8Array }> {
  const { latentDim, classCount, width, height } = gen.info;
  const state = createLatentState({ dim: latentDim, classCount, seed: 1 });
  latentStep(state, latentInputFromFeatures(HIT, params), params, 0);
  const out = new Uint8Array(width * height * 4);
  await gen.generate(state.z, state.classVec, params.truncation, out);
  const raw = out.slice();
  applyEffectsCpu(activeChain(params), out, width, height, params, HIT, { time: TIME, scratch: createCpuChain(width, height) });
  return { raw, out };
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
  return sum / ((a.length / 4) * 3);
}
