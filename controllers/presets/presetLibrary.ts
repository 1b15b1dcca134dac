/**
 * The preset library: every `*.json` preset in a list of folders (the user's first, then the
 * factory presets), loaded, validated, saved atomically and reloaded when a file changes.
 *
 * A broken file never changes what the show has: it is reported (file and field) and left out,
 * or, when it replaces a good version, the good version stays in memory.
 */
import { existsSync, watch as watchDir, type FSWatcher } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve, sep } from 'node:path';
import type { z } from 'zod';
import { createLogger, type Logger } from '../../engine/log.js';
import { projectPath } from '../../engine/paths.js';
import type { PresetSource } from '../ControlHub.js';
import { parsePreset, PRESET_NAME, type Preset, type PresetSchema } from './Preset.js';

/** The factory presets shipped with the engine (`presets/` at the package root). */
export const FACTORY_PRESET_DIR = projectPath('presets');

/**
 * The folders a show reads presets from: the user's (`VJ_PRESET_DIR`, else
 * `$XDG_CONFIG_HOME/vj/presets`, else `~/.config/vj/presets`), then {@link FACTORY_PRESET_DIR}.
 */
export function defaultPresetDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const user = env.VJ_PRESET_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'vj', 'presets');
  return [resolve(user), FACTORY_PRESET_DIR];
}

/** What {@link PresetLibrary.save} accepts: the schema's input; a `name` field is ignored. */
export type PresetContent = z.input<typeof PresetSchema> & { name?: string };

/** Called when the preset a name resolves to changes; `undefined` when the name is gone. */
export type PresetListener = (name: string, preset: Preset | undefined) => void;

/** Options of {@link openPresetLibrary}. */
export interface PresetLibraryOptions {
  /** Preset folders, the user's first (saves go there), then the factory folder. A missing folder counts as empty. */
  dirs: readonly string[];
  log?: Logger;
  /** Reload files as they change on disk (default true). */
  watch?: boolean;
  /** Quiet time after the last change event before files are re-read (default 100 ms). */
  debounceMs?: number;
}

/** The loaded presets of a list of folders, kept up to date; see the module doc. */
export interface PresetLibrary extends PresetSource {
  /** Every loaded preset name, sorted. */
  names(): string[];
  /** The preset of that name: the user's when both folders have it. */
  get(name: string): Preset | undefined;
  /** The file the preset of that name was read from. */
  path(name: string): string | undefined;
  /** Current problems, one line per field (`file: field: message`), sorted by file. */
  errors(): string[];
  /**
   * Validates the name and the content, then writes `<name>.json` into the user folder
   * atomically (temp file + fsync + rename), keeping the previous version as `<name>.json.bak`.
   * Nothing on disk changes when validation fails. The library's copy updates at once.
   * @returns the preset as saved (sanitized, defaults filled in).
   * @throws Error naming the file and each bad field, or the file system error.
   */
  save(name: string, content: PresetContent): Promise<Preset>;
  /** Registers a listener for changes (reloads and saves); returns its removal. */
  onChange(fn: PresetListener): () => void;
  /** Stops watching the folders. */
  close(): void;
}

interface Entry {
  preset: Preset;
  /** The file's text as last read (a reload of the same text changes nothing). */
  text: string;
  file: string;
}

const DEFAULT_DEBOUNCE_MS = 100;
/** A burst of changes is read at the latest this long after its first event. */
const MAX_WAIT_MS = 1000;

/** A preset file: `*.json`, not hidden (temp files are `.…tmp`; backups end in `.bak`). */
const isPresetFile = (file: string): boolean => file.endsWith('.json') && !file.startsWith('.');

/** Opens the library: reads every folder, then (by default) watches them. */
export async function openPresetLibrary(opts: PresetLibraryOptions): Promise<PresetLibrary> {
  if (opts.dirs.length === 0) throw new Error('openPresetLibrary: give at least one preset folder');
  const dirs = opts.dirs.map((d) => resolve(d));
  const log = opts.log ?? createLogger('presets');
  const debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const entries = dirs.map(() => new Map<string, Entry>());
  const problems = new Map<string, string>();
  const listeners = new Set<PresetListener>();
  const watchers = new Map<number, FSWatcher>();
  /** Folder index → file names to re-read ('all' when the event named none). */
  const pending = new Map<number, Set<string> | 'all'>();
  let timer: NodeJS.Timeout | null = null;
  let firstEventAt = 0;
  let closed = false;
  /** Reads and writes run one at a time, in order. */
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job);
    queue = run.catch(() => {});
    return run;
  };

  const effective = (name: string): Entry | undefined => {
    for (const m of entries) {
      const e = m.get(name);
      if (e) return e;
    }
    return undefined;
  };
  const notify = (name: string, before: Entry | undefined): void => {
    const after = effective(name);
    if (after === before) return;
    for (const fn of listeners) {
      try {
        fn(name, after?.preset);
      } catch (err) {
        log.warn(`preset listener failed on "${name}": ${(err as Error).message}`);
      }
    }
  };
  const report = (file: string, error: string): void => {
    if (problems.get(file) !== error) log.warn(error);
    problems.set(file, error);
  };

  /** Re-reads one file of folder `d` (gone → dropped; broken → reported, previous kept). */
  async function refresh(d: number, file: string): Promise<void> {
    if (!isPresetFile(file)) return;
    const path = join(dirs[d], file);
    const name = file.slice(0, -'.json'.length);
    const before = effective(name);
    let text: string | null;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') return report(path, `${path}: cannot read (${e.message})`);
      text = null;
    }
    if (text === null) {
      entries[d].delete(name);
      problems.delete(path);
    } else if (entries[d].get(name)?.text === text) {
      problems.delete(path);
    } else if (!PRESET_NAME.test(name)) {
      return report(path, `${path}: (file name): a preset name is letters, digits, '-', '_' and '.', up to 64, starting with a letter or digit`);
    } else {
      const r = parsePreset(text, name, path);
      if (!r.ok) return report(path, r.error);
      entries[d].set(name, { preset: r.preset, text, file: path });
      problems.delete(path);
    }
    notify(name, before);
  }

  /** Re-reads every preset file of folder `d`, and the ones it had (to notice deletions). */
  async function rescan(d: number): Promise<void> {
    let files: string[] = [];
    try {
      files = await readdir(dirs[d]);
      problems.delete(dirs[d]);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') report(dirs[d], `${dirs[d]}: cannot list the folder (${e.message})`);
    }
    const known = [...entries[d].values()].map((e) => basename(e.file));
    for (const f of new Set([...files.filter(isPresetFile).sort(), ...known])) await refresh(d, f);
  }

  const flush = (): void => {
    timer = null;
    const batch = [...pending];
    pending.clear();
    void serial(async () => {
      for (const [d, files] of batch) {
        if (closed) return;
        if (files === 'all') await rescan(d);
        else for (const f of files) await refresh(d, f);
      }
    });
  };
  const schedule = (d: number, file: string | null): void => {
    if (closed || (file !== null && !isPresetFile(file))) return;
    const now = Date.now();
    if (timer === null) firstEventAt = now;
    const set = pending.get(d);
    if (file === null) pending.set(d, 'all');
    else if (set !== 'all') pending.set(d, (set ?? new Set()).add(file));
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, Math.max(0, Math.min(debounceMs, firstEventAt + MAX_WAIT_MS - now)));
  };
  const startWatch = (d: number): void => {
    if (opts.watch === false || closed || watchers.has(d) || !existsSync(dirs[d])) return;
    try {
      const w = watchDir(dirs[d], { persistent: false }, (_event, file) => schedule(d, file === null ? null : String(file)));
      w.on('error', (err) => {
        log.warn(`${dirs[d]}: stopped watching (${err.message})`);
        w.close();
        watchers.delete(d);
      });
      watchers.set(d, w);
    } catch (err) {
      log.warn(`${dirs[d]}: cannot watch (${(err as Error).message}); changes need a restart`);
    }
  };

  await serial(async () => {
    for (let d = 0; d < dirs.length; d++) await rescan(d);
  });
  for (let d = 0; d < dirs.length; d++) startWatch(d);

  return {
    names: () => [...new Set(entries.flatMap((m) => [...m.keys()]))].sort(),
    get: (name) => effective(name)?.preset,
    path: (name) => effective(name)?.file,
    errors: () => [...problems.keys()].sort().flatMap((f) => problems.get(f)!.split('\n')),
    async save(name, content) {
      const fileName = `${name}.json`;
      const path = join(dirs[0], fileName);
      if (!PRESET_NAME.test(name)) {
        throw new Error(`preset name ${JSON.stringify(name)}: use letters, digits, '-', '_' and '.', up to 64, starting with a letter or digit`);
      }
      const { name: _ignored, ...body } = content;
      const r = parsePreset(JSON.stringify(body), name, path);
      if (!r.ok) throw new Error(r.error);
      const { name: _name, ...data } = r.preset;
      const text = `${JSON.stringify(data, null, 2)}\n`;
      return serial(async () => {
        await writeFileAtomic(dirs[0], fileName, text);
        const before = effective(name);
        entries[0].set(name, { preset: r.preset, text, file: path });
        problems.delete(path);
        notify(name, before);
        startWatch(0);
        return r.preset;
      });
    },
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      for (const w of watchers.values()) w.close();
      watchers.clear();
      listeners.clear();
    },
  };
}

let tempSeq = 0;

/**
 * Replaces `dir/fileName` with `text` so that a reader (or a crash) sees the old file or the new
 * one, never a mix: a hidden temp file in the same folder, fsync, then rename over the target.
 * The previous version becomes `fileName.bak` first (a hard link, or a copy where links fail).
 *
 * @remarks The temp file must be in the same folder: rename is atomic only within one file
 * system. A crash can leave a hidden `.…tmp` file behind, which the library ignores.
 */
export async function writeFileAtomic(dir: string, fileName: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, fileName);
  const stamp = `${process.pid}.${++tempSeq}`;
  const tmp = join(dir, `.${fileName}.${stamp}.tmp`);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await keepBackup(target, join(dir, `${fileName}.bak`), join(dir, `.${fileName}.bak.${stamp}.tmp`));
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await syncDir(dir);
}

/** Makes `bak` a complete copy of `target` as it is now (nothing when there is no target). */
async function keepBackup(target: string, bak: string, bakTmp: string): Promise<void> {
  try {
    await link(target, bakTmp);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    try {
      await copyFile(target, bakTmp);
    } catch (copyErr) {
      if ((copyErr as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw copyErr;
    }
  }
  await rename(bakTmp, bak);
}

/** Flushes the folder's entries (the rename) to disk where the platform allows it. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Not supported on every platform (Windows); the rename itself is still atomic.
  }
}

/** Reads one preset file (any name); the preset is named after the file. @throws Error naming the file and field. */
export async function readPresetFile(path: string): Promise<Preset> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`${path}: ${e.code === 'ENOENT' ? 'not found' : e.message}`);
  }
  const r = parsePreset(text, basename(path).replace(/\.json$/i, ''), path);
  if (!r.ok) throw new Error(r.error);
  return r.preset;
}

/**
 * The preset a `--preset` argument names: a path (it has a folder separator or ends in `.json`)
 * is read as a preset file; anything else is a library name, or, when the library has no such
 * name, a file of that name if one exists. Files in the old `{ "params": { … } }` form are
 * presets too.
 * @throws Error naming the file and field, or listing the library's names.
 */
export async function resolvePresetArg(arg: string, library: PresetSource): Promise<Preset> {
  const isPath = /\.json$/i.test(arg) || arg.includes('/') || arg.includes(sep);
  if (!isPath) {
    const preset = library.get(arg);
    if (preset) return preset;
    if (!existsSync(arg)) {
      throw new Error(`--preset ${arg}: no preset of that name (have: ${library.names().join(', ') || 'none'}) and no such file`);
    }
  }
  return readPresetFile(arg);
}
