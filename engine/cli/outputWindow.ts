/**
 * Opens the output page in a window of its own, and the operator window beside it: the Electron
 * shell when the optional `electron` package is installed, else a Chromium-family browser (the
 * output in app/kiosk mode, the operator window in a second, normal window), else it only says
 * which URL to open. Node only: nothing here imports Electron; the shell is a separate process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { BuildOptions } from 'esbuild';
import type { Logger } from '../log.js';
import { projectPath } from '../paths.js';

/** Which kind of window shows the output; `'none'` when the user must open the URL. */
export type OutputKind = 'electron' | 'browser' | 'none';

/** A launched output window (or the lack of one). */
export interface OutputWindow {
  readonly kind: OutputKind;
  /** Closes the window (ends its process) and removes its temp files; safe to call twice. */
  close(): void;
}

/** Options of {@link openOutput}. */
export interface OpenOutputOptions {
  /**
   * The screen for the output. Electron: an index into its display list (0-based), a substring of
   * a display's name, or a pixel point `"X,Y"`. Browser: only a pixel origin `"X,Y"` (e.g.
   * `"1920,0"`). Default: the first non-primary display (Electron), the browser's choice otherwise.
   */
  display?: string;
  /** Full screen from the start (default true); the shell's F/Escape toggle it. */
  kiosk?: boolean;
  /**
   * The operator window's URL: the browser opens it too, in a normal window of its own (the
   * Electron shell always opens its control window). Default: none.
   */
  controlUrl?: string;
  log: Logger;
  /** The Electron binary; `null` forces "not installed". Default: {@link findElectron}. */
  electron?: string | null;
  /** The browser executable; `null` forces "none found". Default: {@link findBrowser}. */
  browser?: string | null;
  /** Environment for discovery and the child (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** The compiled shell: main process (ESM) and preload (CJS), side by side. */
export interface ShellFiles {
  main: string;
  preload: string;
}

/** Where the shell's TypeScript sources are, relative to this file. */
const SHELL_MAIN = projectPath('app', 'shell', 'main.ts');
const SHELL_PRELOAD = projectPath('app', 'shell', 'preload.ts');

/** A child that exits within this long after starting counts as "failed to open". */
const EARLY_EXIT_MS = 5000;

/** Lines of a child's output kept to explain an early exit. */
const TAIL_LINES = 12;

/** The prefix of the shell's own log lines, forwarded at info level (see app/shell/main.ts). */
const SHELL_LOG_PREFIX = '[vj shell] ';

/** Executable names searched on PATH, most preferred first. */
const PATH_NAMES: Record<'posix' | 'win32', readonly string[]> = {
  posix: ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge'],
  win32: ['chromium.exe', 'chrome.exe', 'msedge.exe'],
};

/** macOS app bundles, most preferred first; also looked up under ~/Applications. */
const MAC_APPS: readonly string[] = [
  'Chromium.app/Contents/MacOS/Chromium',
  'Google Chrome.app/Contents/MacOS/Google Chrome',
  'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
];

/** Windows installs (under LOCALAPPDATA, PROGRAMFILES, PROGRAMFILES(X86)), most preferred first. */
const WIN_INSTALLS: readonly string[] = [
  'Chromium\\Application\\chrome.exe',
  'Google\\Chrome\\Application\\chrome.exe',
  'Microsoft\\Edge\\Application\\msedge.exe',
];

/**
 * The Electron binary when the optional `electron` package is installed (with its binary
 * downloaded), else null. The package's main export is the binary's path.
 */
export function findElectron(): string | null {
  try {
    const bin: unknown = createRequire(import.meta.url)('electron');
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/**
 * A Chromium-family browser: `VJ_BROWSER` (a path, or a name looked up on PATH) when set — and
 * then nothing else, so a wrong value is noticed — else chromium, chrome or edge on PATH, else the
 * usual macOS / Windows install locations. Null when none exists.
 */
export function findBrowser(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  exists: (file: string) => boolean = fs.existsSync,
): string | null {
  const win = platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const get = (name: string): string | undefined => envValue(env, name, win);
  const dirs = (get('PATH') ?? '').split(p.delimiter).map((d) => d.replace(/^"(.*)"$/, '$1')).filter((d) => d !== '');
  const onPath = (name: string): string | null => {
    for (const dir of dirs) {
      const file = p.join(dir, name);
      if (exists(file)) return file;
    }
    return null;
  };

  const chosen = get('VJ_BROWSER');
  if (chosen) {
    if (/[\\/]/.test(chosen)) return exists(chosen) ? chosen : null;
    return onPath(chosen) ?? (win && !/\.exe$/i.test(chosen) ? onPath(`${chosen}.exe`) : null);
  }
  for (const name of PATH_NAMES[win ? 'win32' : 'posix']) {
    const file = onPath(name);
    if (file) return file;
  }
  const installs: string[] = [];
  if (platform === 'darwin') {
    const home = get('HOME');
    for (const app of MAC_APPS) {
      installs.push(p.join('/Applications', app));
      if (home) installs.push(p.join(home, 'Applications', app));
    }
  } else if (win) {
    const bases = ['LOCALAPPDATA', 'PROGRAMFILES', 'PROGRAMFILES(X86)'].map(get).filter((b): b is string => !!b);
    for (const install of WIN_INSTALLS) for (const base of bases) installs.push(p.join(base, install));
  }
  return installs.find((file) => exists(file)) ?? null;
}

/** An environment variable; on Windows names are case-insensitive. */
function envValue(env: NodeJS.ProcessEnv, name: string, win: boolean): string | undefined {
  if (!win) return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

/**
 * Command-line arguments that open `url` as a bare app window of a Chromium-family browser.
 *
 * @remarks The three `--disable-*background*` flags keep the output rendering at full rate while
 * another window covers it (the control UI on the same screen, for instance).
 */
export function browserArgs(url: string, opts: { kiosk: boolean; display?: { x: number; y: number }; size?: { width: number; height: number }; userDataDir: string }): string[] {
  return [
    `--app=${url}`,
    ...(opts.kiosk ? ['--kiosk'] : []),
    ...(opts.display ? [`--window-position=${opts.display.x},${opts.display.y}`] : []),
    ...(opts.size ? [`--window-size=${opts.size.width},${opts.size.height}`] : []),
    `--user-data-dir=${opts.userDataDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-features=Translate',
    '--autoplay-policy=no-user-gesture-required',
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
  ];
}

/**
 * Compiles the Electron shell (app/shell/main.ts → `main.mjs`, app/shell/preload.ts →
 * `preload.cjs`) into `outDir`, with a package.json naming the main, so that `electron outDir` runs it.
 *
 * @remarks The preload is CJS because sandboxed preloads cannot be ES modules; `electron` stays
 * external in both (it is provided by the Electron runtime).
 */
export async function buildShell(outDir: string): Promise<ShellFiles> {
  const main = path.join(outDir, 'main.mjs');
  const preload = path.join(outDir, 'preload.cjs');
  const { build } = await import('esbuild');
  const common: BuildOptions = { bundle: true, platform: 'node', target: 'node20', external: ['electron'], sourcemap: 'inline', logLevel: 'silent' };
  await Promise.all([
    build({ ...common, entryPoints: [SHELL_MAIN], outfile: main, format: 'esm' }),
    build({ ...common, entryPoints: [SHELL_PRELOAD], outfile: preload, format: 'cjs' }),
  ]);
  await writeFile(path.join(outDir, 'package.json'), `${JSON.stringify({ name: 'vj-shell', productName: 'VJ', private: true, main: 'main.mjs' }, null, 2)}\n`);
  return { main, preload };
}

/**
 * Opens the output page at `url`: the Electron shell (output full screen plus the control window)
 * when installed, else a browser app window with a throwaway profile, else logs the URL to open.
 * A window that fails to start, or exits early, is logged; it never throws or ends the engine.
 */
export async function openOutput(url: string, opts: OpenOutputOptions): Promise<OutputWindow> {
  const { log } = opts;
  const env = opts.env ?? process.env;
  const kiosk = opts.kiosk ?? true;
  const electron = opts.electron !== undefined ? opts.electron : findElectron();
  const browser = opts.browser !== undefined ? opts.browser : findBrowser(env);
  if (opts.browser === undefined && env.VJ_BROWSER && browser === null) log.warn(`VJ_BROWSER="${env.VJ_BROWSER}" was not found`);

  const found = electron ?? browser;
  if (found && process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    log.info(`no screen to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); not starting ${found}`);
    return none(url, log);
  }
  if (electron) {
    try {
      return await launchElectron(electron, url, { ...opts, kiosk, env });
    } catch (err) {
      log.warn(`could not start Electron (${message(err)})${browser ? '; trying the browser' : ''}`);
    }
  }
  if (browser) {
    let output: OutputWindow;
    try {
      output = await launchBrowser(browser, url, { ...opts, kiosk, env });
    } catch (err) {
      log.warn(`could not start the browser ${browser} (${message(err)})`);
      return none(url, log);
    }
    const controlUrl = opts.controlUrl;
    if (!controlUrl) return output;
    // The operator window: a browser of its own (own profile), windowed, at the primary screen's origin.
    const control = await launchBrowser(browser, controlUrl, { ...opts, display: undefined, kiosk: false, env }, 'control').catch((err: unknown) => {
      log.warn(`could not open the control window (${message(err)}); open ${controlUrl} yourself`);
      return null;
    });
    return {
      kind: 'browser',
      close() {
        output.close();
        control?.close();
      },
    };
  }
  return none(url, log);
}

/** The operator window's size in the browser. */
const CONTROL_WINDOW = { width: 1280, height: 800 };

type LaunchOptions = OpenOutputOptions & { kiosk: boolean; env: NodeJS.ProcessEnv };

/** What a window shows: the output, or the operator window (the browser's second window). */
type WindowRole = 'output' | 'control';

function none(url: string, log: Logger): OutputWindow {
  log.info(`open ${url} in a browser for the output (full screen: F11); install Electron or Chromium, or set VJ_BROWSER, to have it opened for you`);
  return { kind: 'none', close() {} };
}

async function launchElectron(bin: string, url: string, opts: LaunchOptions): Promise<OutputWindow> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vj-shell-'));
  try {
    await buildShell(dir);
    const args = [dir, `--vj-url=${url}`];
    if (opts.display !== undefined) args.push(`--vj-display=${opts.display}`);
    if (!opts.kiosk) args.push('--vj-windowed');
    args.push(...rootSandboxArgs(opts.log));
    const env = { ...opts.env };
    delete env.ELECTRON_RUN_AS_NODE;
    return await supervise('electron', 'output', spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }), url, opts.log, dir);
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
}

async function launchBrowser(bin: string, url: string, opts: LaunchOptions, role: WindowRole = 'output'): Promise<OutputWindow> {
  const origin = opts.display === undefined ? undefined : parseOrigin(opts.display);
  if (opts.display !== undefined && origin === undefined) {
    opts.log.warn(`the browser takes --display as a pixel origin "X,Y" (e.g. "1920,0"), not "${opts.display}"; opening on its default screen`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vj-browser-'));
  try {
    const size = role === 'control' ? CONTROL_WINDOW : undefined;
    const args = [...browserArgs(url, { kiosk: opts.kiosk, display: origin, size, userDataDir: dir }), ...rootSandboxArgs(opts.log)];
    return await supervise('browser', role, spawn(bin, args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] }), url, opts.log, dir);
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
}

/** `"X,Y"` in pixels (negative allowed, for screens left of or above the primary), else undefined. */
function parseOrigin(spec: string): { x: number; y: number } | undefined {
  const m = /^\s*(-?\d+)\s*,\s*(-?\d+)\s*$/.exec(spec);
  return m ? { x: Number(m[1]), y: Number(m[2]) } : undefined;
}

/**
 * Chromium refuses to run as root with its sandbox on; the engine run as root (a container, a
 * kiosk box) then gets `--no-sandbox`, said out loud.
 */
function rootSandboxArgs(log: Logger): string[] {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return [];
  log.warn('running as root: starting the window with --no-sandbox (Chromium will not start as root otherwise)');
  return ['--no-sandbox'];
}

/**
 * Waits for `child` to start (rejecting when it cannot, e.g. ENOENT), then watches it: an exit
 * before {@link EARLY_EXIT_MS} is a warning with the child's last output and the URL to open by
 * hand; a later one (the user closed the window) is info. `tempDir` is removed once it has exited.
 */
async function supervise(kind: 'electron' | 'browser', role: WindowRole, child: ChildProcess, url: string, log: Logger, tempDir: string): Promise<OutputWindow> {
  const name = role === 'control' ? 'control' : kind;
  const tail: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        if (line.startsWith(SHELL_LOG_PREFIX)) log.info(line.slice(SHELL_LOG_PREFIX.length));
        else log.debug(`${kind}: ${line}`);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  await once(child, 'spawn');

  const started = Date.now();
  let closing = false;
  child.on('error', (err) => log.warn(`${name} window: ${err.message}`));
  child.on('exit', (code, signal) => {
    void removeDir(tempDir);
    if (closing) return;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (Date.now() - started < EARLY_EXIT_MS) {
      const last = tail.length > 0 ? `; its last output:\n  ${tail.join('\n  ')}` : '';
      log.warn(`the ${name} window exited right after starting (${how}); open ${url} yourself${last}`);
    } else {
      log.info(`the ${name} window was closed (${how}); open ${url} to see it again`);
    }
  });
  log.info(`${role} window: ${kind} (pid ${child.pid}) showing ${url}`);
  return {
    kind,
    close() {
      if (closing) return;
      closing = true;
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
