import { defaultPresetDirs, openPresetLibrary, resolvePresetArg, type PresetLibrary } from '../../controllers/presets/presetLibrary.js';
import type { Preset } from '../../controllers/presets/Preset.js';
import type { Logger } from '../log.js';

/** Checks a CLI integer option: `NAME must be an integer in LO..HI, got "V"` otherwise. */
export function intOption(v: string, name: string, lo: number, hi: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`${name} must be an integer in ${lo}..${hi}, got "${v}"`);
  return n;
}

/** The preset library (the user's folder, then the factory presets) and the `--preset` choice. */
export async function presetsFromOption(arg: string | undefined, opts: { watch: boolean; log: Logger }): Promise<{ library: PresetLibrary; preset: Preset | null }> {
  const library = await openPresetLibrary({ dirs: defaultPresetDirs(), watch: opts.watch, log: opts.log });
  try {
    return { library, preset: arg ? await resolvePresetArg(arg, library) : null };
  } catch (err) {
    library.close();
    throw err;
  }
}
