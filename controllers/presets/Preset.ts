/**
 * The preset format (presets/*.json), as a zod schema derived from the parameter registry and
 * the effect list: parameter values, effect chain order, model choice, MIDI mappings and the
 * default morph time. Every value passes the registry's `sanitize`; an error names the field.
 */
import { z } from 'zod';
import { sanitizeEach } from '../../engine/params/ParamStore.js';
import { PARAM_IDS } from '../../engine/params/registry.js';
import { EFFECTS } from '../../shaders/index.js';
import { MidiMappingSchema } from '../midi/MidiMapping.js';

export const PRESET_VERSION = 1;
const EFFECT_NAMES = EFFECTS.map((e) => e.name);

/** A partial set of parameter values; unknown ids and wrong types are errors naming the id. */
const ParamsSchema = z.record(z.string(), z.unknown()).transform((obj, ctx) =>
  sanitizeEach(obj, (id, reason) => ctx.addIssue({ code: 'custom', path: [id], message: reason ?? `unknown parameter (known: ${PARAM_IDS.join(', ')})` })),
);

export const PresetSchema = z.object({
  version: z.literal(PRESET_VERSION).default(PRESET_VERSION),
  description: z.string().max(500).optional(),
  /** Default morph time when this preset is loaded without one. */
  morph: z.union([
    z.object({ seconds: z.number().min(0).max(600) }).strict(),
    z.object({ beats: z.number().min(0).max(256) }).strict(),
  ]).default({ seconds: 0 }),
  params: ParamsSchema.default({}),
  /** Effect order (each effect at most once; effects not listed follow in the default order). */
  chain: z.array(z.enum(EFFECT_NAMES as [string, ...string[]]))
    .refine((a) => new Set(a).size === a.length, { message: 'an effect is listed twice' })
    .optional(),
  /** Generator model (`builtin`, `builtin:SEED` or a manifest path). */
  model: z.string().min(1).optional(),
  mappings: z.array(MidiMappingSchema).optional(),
}).strict();

/** A preset as read from disk. */
export type Preset = z.infer<typeof PresetSchema> & { name: string };

/** Preset names are file names: letters, digits, `-`, `_`, `.` (no path separators). */
export const PRESET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Parses a preset's JSON text; the error names `where` and the field. */
export function parsePreset(text: string, name: string, where: string): { ok: true; preset: Preset } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `${where}: not valid JSON (${(err as Error).message})` };
  }
  const r = PresetSchema.safeParse(json);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${where}: ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    return { ok: false, error: lines.join('\n') };
  }
  return { ok: true, preset: { ...r.data, name } };
}
