/**
 * The Electron shell: a thin main process that opens the engine's pages and nothing more.
 * Started by engine/cli/outputWindow.ts as `electron <dir> --vj-url=URL [--vj-display=D] [--vj-windowed]`.
 *
 * - Output window: frameless, full screen on the chosen display, black, no cursor, never throttled.
 * - Control window: a normal window on the primary display with URL + `/control`.
 * - Both: context isolation, sandbox, no Node; no popups, no navigation or requests off the engine's
 *   origin. While the engine is unreachable a window shows black and retries every second.
 *
 * @remarks The switches are `--vj-*` because Chromium reads `--display` itself (the X11 display).
 */
import { app, BrowserWindow, powerSaveBlocker, screen, session, type Display, type WebContents } from 'electron';
import { fileURLToPath } from 'node:url';

/** What the engine passes on the command line. */
interface ShellArgs {
  /** The output page, e.g. `http://127.0.0.1:8787/`. */
  url: URL;
  /** Index into the display list, a substring of a display's label, or a point `"X,Y"`. */
  display?: string;
  /** Start windowed instead of full screen. */
  windowed: boolean;
}

/** Chromium's net error for a navigation that was superseded (not a failure to retry). */
const ERR_ABORTED = -3;
const RETRY_MS = 1000;
const BLACK_PAGE = 'data:text/html,<!doctype html><title>VJ</title><body style="margin:0;background:#000"></body>';
const HIDE_CURSOR = '*{cursor:none !important}';
const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));

const log = (msg: string): void => void process.stderr.write(`[vj shell] ${msg}\n`);

/** Reads `--name=value` or `--name value` from anywhere in argv (Electron may put its own switches first). */
function argValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1];
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  return undefined;
}

function parseArgs(argv: readonly string[]): ShellArgs {
  const raw = argValue(argv, 'vj-url');
  if (!raw) throw new Error('missing --vj-url=URL');
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--vj-url must be http(s), got ${raw}`);
  return { url, display: argValue(argv, 'vj-display'), windowed: argv.includes('--vj-windowed') };
}

/** The display named by `spec`; without one, the first non-primary display, else the primary. */
function pickDisplay(spec: string | undefined): Display {
  const all = screen.getAllDisplays();
  const primary = screen.getPrimaryDisplay();
  const fallback = all.find((d) => d.id !== primary.id) ?? primary;
  all.forEach((d, i) => {
    const { x, y, width, height } = d.bounds;
    log(`display ${i}: "${d.label}" ${width}×${height} at ${x},${y}${d.id === primary.id ? ' (primary)' : ''}`);
  });
  if (spec === undefined || spec.trim() === '') return fallback;
  const s = spec.trim();
  const point = /^(-?\d+)\s*,\s*(-?\d+)$/.exec(s);
  const found = point
    ? screen.getDisplayNearestPoint({ x: Number(point[1]), y: Number(point[2]) })
    : /^\d+$/.test(s)
      ? all[Number(s)]
      : all.find((d) => d.label.toLowerCase().includes(s.toLowerCase()));
  if (found) return found;
  log(`no display matches "${spec}"; using "${fallback.label}"`);
  return fallback;
}

/** Half the display, centred: where the output goes when it leaves full screen. */
function windowedBounds(d: Display): { x: number; y: number; width: number; height: number } {
  const { x, y, width, height } = d.bounds;
  const w = Math.round(width / 2);
  const h = Math.round(height / 2);
  return { x: x + Math.round((width - w) / 2), y: y + Math.round((height - h) / 2), width: w, height: h };
}

/** The engine's own http(s) or ws(s) URL (same host and port, matching security). */
function isEngineUrl(target: string, engine: URL): boolean {
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    return false;
  }
  const ws = engine.protocol === 'https:' ? 'wss:' : 'ws:';
  return (u.protocol === engine.protocol || u.protocol === ws) && u.host === engine.host;
}

/** Network schemes a page could reach the outside world with; others (data:, blob:, devtools:) stay local. */
const isNetwork = (target: string): boolean => /^(https?|wss?):/i.test(target);

/** No popups, no navigation and no network requests off the engine's origin; no permissions but full screen. */
function lockDown(engine: URL): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event) => {
      if (!isEngineUrl(event.url, engine)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (!isEngineUrl(event.url, engine)) event.preventDefault();
    });
  });
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const cancel = isNetwork(details.url) && !isEngineUrl(details.url, engine);
    if (cancel) log(`blocked a request to ${details.url}`);
    callback({ cancel });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === 'fullscreen'));
}

/**
 * Loads `url` into `win` and keeps it loaded: when the engine cannot be reached (or the page's
 * renderer dies), shows black and tries again every second, logging once per outage.
 */
function keepLoaded(win: BrowserWindow, url: string, engine: URL): void {
  const contents = win.webContents;
  let timer: NodeJS.Timeout | undefined;
  let down = false;
  const load = (): void => {
    timer = undefined;
    if (!win.isDestroyed()) contents.loadURL(url).catch(() => {});
  };
  const retry = (why: string): void => {
    if (timer !== undefined || win.isDestroyed()) return;
    if (!down) log(`${url}: ${why}; retrying every second`);
    down = true;
    contents.loadURL(BLACK_PAGE).catch(() => {});
    timer = setTimeout(load, RETRY_MS);
  };
  contents.on('did-fail-load', (_event, errorCode, errorDescription, validatedURL, isMainFrame) => {
    if (isMainFrame && errorCode !== ERR_ABORTED && isEngineUrl(validatedURL, engine)) retry(errorDescription);
  });
  contents.on('did-finish-load', () => {
    if (down && isEngineUrl(contents.getURL(), engine)) {
      down = false;
      log(`${url}: loaded`);
    }
  });
  contents.on('render-process-gone', (_event, details) => retry(`page ${details.reason} (exit code ${details.exitCode})`));
  win.on('closed', () => clearTimeout(timer));
  load();
}

const secure = { contextIsolation: true, sandbox: true, nodeIntegration: false, preload: PRELOAD } as const;

function openOutputWindow(args: ShellArgs): BrowserWindow {
  const display = pickDisplay(args.display);
  log(`output on "${display.label}"`);
  const win = new BrowserWindow({
    ...windowedBounds(display),
    title: 'VJ output',
    frame: false,
    fullscreen: !args.windowed,
    backgroundColor: '#000000',
    autoHideMenuBar: true,
    webPreferences: { ...secure, backgroundThrottling: false },
  });
  const contents: WebContents = win.webContents;
  contents.on('dom-ready', () => void contents.insertCSS(HIDE_CURSOR).catch(() => {}));
  contents.on('before-input-event', (event, input) => {
    if (input.type !== 'keyDown' || input.isAutoRepeat || input.control || input.alt || input.meta) return;
    if (input.key === 'Escape' || input.key === 'f' || input.key === 'F') {
      event.preventDefault();
      win.setFullScreen(!win.isFullScreen());
    }
  });
  keepLoaded(win, args.url.href, args.url);
  return win;
}

function openControlWindow(args: ShellArgs): BrowserWindow {
  const area = screen.getPrimaryDisplay().workArea;
  const width = Math.min(1100, area.width);
  const height = Math.min(800, area.height);
  const win = new BrowserWindow({
    x: area.x + Math.round((area.width - width) / 2),
    y: area.y + Math.round((area.height - height) / 2),
    width,
    height,
    title: 'VJ control',
    backgroundColor: '#000000',
    webPreferences: secure,
  });
  const control = new URL(args.url.href);
  control.pathname = `${control.pathname.replace(/\/+$/, '')}/control`;
  keepLoaded(win, control.href, args.url);
  return win;
}

function start(): void {
  let args: ShellArgs;
  try {
    args = parseArgs(process.argv);
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    app.exit(2);
    return;
  }
  app.on('window-all-closed', () => app.quit());
  app.whenReady().then(() => {
    lockDown(args.url);
    powerSaveBlocker.start('prevent-display-sleep');
    openOutputWindow(args);
    openControlWindow(args);
  }, (err: unknown) => {
    log(`could not start: ${err instanceof Error ? err.message : String(err)}`);
    app.exit(1);
  });
}

start();
