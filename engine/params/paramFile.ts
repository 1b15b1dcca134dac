/**
 * Parameter values from outside the engine, as a render or a show reads them at start: a
 * preset's values and `--set id=value` overrides.
 * Everything passes the registry's `sanitize`; every problem is reported at once, naming the
 * file and the parameter, and nothing is applied unless all of it is valid.
 */
import { sanitizeAll } from './ParamStore.js';
import { defaultValues, isParamId, PARAM_IDS, type ParamId, type ParamValues } from './registry.js';

/** Returns `base` with the entries of `obj` applied. @throws Error listing every bad entry. */
export function applyParams(base: ParamValues, obj: Record<string, unknown>, where: string): ParamValues {
  const r = sanitizeAll(obj, where);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return { ...base, ...r.values };
}

/** The values a run starts with: the defaults, then the preset's values if any, then each `--set id=value`. */
export function paramsFromOptions(preset: Partial<ParamValues> | undefined, sets: readonly string[]): ParamValues {
  return applyParams({ ...defaultValues(), ...preset }, Object.fromEntries(sets.map(parseSetArg)), '--set');
}

/** Parses `id=value` (numbers, true/false, or an option name) for {@link applyParams}. */
export function parseSetArg(arg: string): [ParamId, unknown] {
  const eq = arg.indexOf('=');
  const id = arg.slice(0, eq).trim();
  if (eq < 1 || !isParamId(id)) throw new Error(`--set ${arg}: expected id=value with a parameter id (${PARAM_IDS.join(', ')})`);
  const text = arg.slice(eq + 1).trim();
  const value = text === 'true' ? true : text === 'false' ? false : text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  return [id, value];
}
