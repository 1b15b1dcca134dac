/**
 * The models the operator window offers: a few built-in looks, then every manifest in the model
 * folders (`VJ_MODEL_DIR`, else `~/.config/vj/models`). Any other path can still be typed.
 */
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Built-in choices listed (any `builtin:N` works). */
export const BUILTIN_CHOICES = ['builtin', 'builtin:2', 'builtin:3', 'builtin:7'];

/** The model folders: `VJ_MODEL_DIR` (several joined by the path delimiter), else `~/.config/vj/models`. */
export function defaultModelDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = env.VJ_MODEL_DIR?.split(process.platform === 'win32' ? ';' : ':').filter(Boolean);
  return dirs?.length ? dirs : [join(homedir(), '.config', 'vj', 'models')];
}

/** The built-in choices, then each folder's `.json` manifests (sorted); a missing folder lists nothing. */
export async function listModels(dirs: readonly string[] = defaultModelDirs()): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    found.push(...names.filter((n) => n.endsWith('.json')).sort().map((n) => join(dir, n)));
  }
  return [...BUILTIN_CHOICES, ...found];
}
