/**
 * Where the project's files are, whether this module runs from its TypeScript source
 * (`engine/paths.ts`, under tsx) or compiled (`dist/engine/paths.js`): data files (presets, the
 * demo clip, the pages' sources) are read from the project folder, never from dist/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The project folder: the nearest one above this module with a package.json. */
export const PROJECT_ROOT: string = (() => {
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${here}`);
  }
})();

/** A path inside the project folder. */
export const projectPath = (...parts: string[]): string => join(PROJECT_ROOT, ...parts);

/** Whether this engine runs compiled (dist/), not from its TypeScript source. */
export const COMPILED: boolean = import.meta.url.endsWith('.js');
