/**
 * The model manifest: a JSON file beside an `.onnx` model that says how to drive it (input names
 * and sizes, output layout and value range, resolution). Parsed with zod; every error names the
 * file and the field.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { z } from 'zod';

const name = z.string().min(1, 'expected a non-empty name');
const positiveInt = z.number().int().positive();

export const ManifestSchema = z.strictObject({
  /** Shown in logs and the UI. */
  name,
  /** The .onnx file, relative to the manifest (default: the manifest's name with .onnx). */
  model: z.string().min(1).optional(),
  inputs: z.strictObject({
    /** The latent z, shape [1, size]: 512 for StyleGAN2/3, 128 for BigGAN. */
    latent: z.strictObject({ name, size: positiveInt }),
    /** Class conditioning, shape [1, size] (BigGAN: 1000; conditional StyleGAN: its class count). */
    class: z.strictObject({ name, size: positiveInt }).optional(),
    /** A truncation input (BigGAN), shape [1] (or [] for a scalar). */
    truncation: z.strictObject({ name, shape: z.array(positiveInt).max(2).default([1]) }).optional(),
  }),
  output: z.strictObject({
    name,
    /** NCHW: [1, C, H, W] (PyTorch exports); NHWC: [1, H, W, C]. */
    layout: z.enum(['NCHW', 'NHWC']),
    /** How pixel values are encoded: [-1,1] (StyleGAN, BigGAN), [0,1], or uint8 0..255. */
    range: z.enum(['[-1,1]', '[0,1]', 'uint8']),
    /** 3 (RGB) or 4 (RGBA; alpha is ignored). */
    channels: z.union([z.literal(3), z.literal(4)]).default(3),
  }),
  resolution: z.strictObject({ width: positiveInt, height: positiveInt }),
});

export type Manifest = z.infer<typeof ManifestSchema>;

/** A manifest with its model file resolved to an absolute path. */
export interface ResolvedManifest extends Manifest {
  modelPath: string;
  manifestPath: string;
}

/** A manifest problem: the message names the file and the field. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

/**
 * Validates parsed JSON as a manifest.
 * @throws ManifestError listing every invalid field as `file: path.to.field: message`.
 */
export function parseManifest(json: unknown, file: string): Manifest {
  const r = ManifestSchema.safeParse(json);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${file}: ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new ManifestError(lines.join('\n'));
}

/**
 * Reads a manifest for `path`, which may be the manifest (.json) or the model (.onnx, with the
 * manifest beside it under the same name).
 * @throws ManifestError when the file is missing, is not JSON or does not validate.
 */
export async function loadManifest(path: string): Promise<ResolvedManifest> {
  const ext = extname(path).toLowerCase();
  const manifestPath = resolve(ext === '.onnx' ? join(dirname(path), `${basename(path, extname(path))}.json`) : path);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found (a model needs a manifest .json beside it; see docs/models.md)' : String(err);
    throw new ManifestError(`${manifestPath}: ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(`${manifestPath}: not valid JSON (${(err as Error).message})`);
  }
  const m = parseManifest(json, manifestPath);
  const model = m.model ?? `${basename(manifestPath, extname(manifestPath))}.onnx`;
  return { ...m, modelPath: resolve(dirname(manifestPath), model), manifestPath };
}
