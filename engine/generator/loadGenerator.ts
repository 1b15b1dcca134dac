/**
 * Opens the generator a show or a render asks for: a user model through its manifest, or the
 * built-in CPPN. A model that cannot be used (missing, bad manifest, bad file, inputs that do
 * not match) is reported in one clear error and the built-in generator takes over: the show
 * never starts without an image.
 */
import { createLogger, type Logger } from '../log.js';
import { buildCppnModel, CPPN_CLASSES, CPPN_IO, CPPN_LATENT } from './builtin/cppn.js';
import type { Generator } from './Generator.js';
import { loadManifest } from './manifest.js';
import { createOnnxGenerator, type ModelIo } from './onnxGenerator.js';
import { openSession, type SessionOptions } from './session.js';

/** `builtin` or `builtin:SEED`: the CPPN with the weights of that seed (default 1). */
const BUILTIN_RE = /^builtin(?::(\d+))?$/;

export const DEFAULT_BUILTIN_SIZE = 256;

export interface LoadGeneratorOptions extends SessionOptions {
  /** A manifest (.json) or model (.onnx) path, or `builtin[:SEED]` (default). */
  model?: string;
  /** Size of the built-in generator's square output (default 256). */
  size?: number;
  /** True: a model that cannot be used is an error (a live switch keeps the model it has) instead of the built-in fallback. */
  strict?: boolean;
  log?: Logger;
}

export interface LoadedGenerator {
  generator: Generator;
  /** Set when the requested model could not be used and the built-in one took over. */
  fallback?: string;
}

/** The built-in CPPN's tensors at `size`². */
export function builtinIo(size: number): ModelIo {
  return {
    inputs: { latent: { name: CPPN_IO.latent, size: CPPN_LATENT }, class: { name: CPPN_IO.class, size: CPPN_CLASSES } },
    output: { name: CPPN_IO.output, layout: 'NHWC', range: 'uint8', channels: 4 },
    resolution: { width: size, height: size },
  };
}

/** Opens the built-in CPPN generator (weights from `seed`). */
export async function createBuiltinGenerator(size: number, seed: number, opts: SessionOptions = {}, log?: Logger): Promise<Generator> {
  const choice = await openSession(buildCppnModel({ size, seed }), opts, log);
  return createOnnxGenerator(choice, builtinIo(size), { name: seed === 1 ? 'builtin' : `builtin:${seed}`, builtin: true, where: 'builtin' });
}

/** Opens the requested generator, falling back to the built-in one (see the module doc). */
export async function loadGenerator(opts: LoadGeneratorOptions = {}): Promise<LoadedGenerator> {
  const log = opts.log ?? createLogger('generator');
  const size = opts.size ?? DEFAULT_BUILTIN_SIZE;
  const model = opts.model ?? 'builtin';
  const builtin = BUILTIN_RE.exec(model);
  if (builtin) return { generator: await createBuiltinGenerator(size, Number(builtin[1] ?? 1), opts, log) };
  try {
    const m = await loadManifest(model);
    let choice;
    try {
      choice = await openSession(m.modelPath, opts, log);
    } catch (err) {
      throw new Error(`${m.modelPath}: ONNX Runtime cannot load it: ${firstLine(err)}`);
    }
    try {
      const generator = createOnnxGenerator(choice, m, { name: m.name, builtin: false, where: m.manifestPath });
      log.info(`model ${m.name}: ${m.resolution.width}×${m.resolution.height}, latent ${m.inputs.latent.size}${m.inputs.class ? `, ${m.inputs.class.size} classes` : ''}`);
      return { generator };
    } catch (err) {
      await choice.session.release();
      throw err;
    }
  } catch (err) {
    if (opts.strict) throw err;
    const fallback = err instanceof Error ? err.message : String(err);
    log.error(`${fallback}\nusing the built-in generator instead`);
    return { generator: await createBuiltinGenerator(size, 1, opts, log), fallback };
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0];
}
