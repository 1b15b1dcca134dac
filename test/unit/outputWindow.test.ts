/**
 * Output window launcher: browser discovery over an injected environment and file system, the
 * exact browser arguments, the compiled Electron shell, and openOutput's fallbacks. No real
 * browser or Electron is started: launches use a stand-in executable that records its arguments.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { Logger } from '../../engine/log.js';
import { browserArgs, buildShell, findBrowser, findElectron, openOutput } from '../../engine/cli/outputWindow.js';

const run = promisify(execFile);
const URL_ = 'http://127.0.0.1:4321/';

/** A logger that keeps each line as `level: message`. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (msg: string) => void lines.push(`${level}: ${msg}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** `exists` over a fixed set of files. */
const only = (...files: string[]) => (file: string) => files.includes(file);

test('findBrowser: VJ_BROWSER wins over everything on PATH', () => {
  const env = { VJ_BROWSER: '/opt/my/chrome', PATH: '/usr/bin' };
  assert.equal(findBrowser(env, 'linux', only('/opt/my/chrome', '/usr/bin/chromium')), '/opt/my/chrome');
});

test('findBrowser: a VJ_BROWSER that does not exist gives null, not another browser', () => {
  const env = { VJ_BROWSER: '/nonexistent/chrome', PATH: '/usr/bin' };
  assert.equal(findBrowser(env, 'linux', only('/usr/bin/chromium')), null);
});

test('findBrowser: a bare VJ_BROWSER name is looked up on PATH', () => {
  const env = { VJ_BROWSER: 'brave-browser', PATH: '/usr/bin:/snap/bin' };
  assert.equal(findBrowser(env, 'linux', only('/snap/bin/brave-browser', '/usr/bin/chromium')), '/snap/bin/brave-browser');
  assert.equal(findBrowser({ VJ_BROWSER: 'brave', PATH: 'C:\\Brave' }, 'win32', only('C:\\Brave\\brave.exe')), 'C:\\Brave\\brave.exe');
});

test('findBrowser: PATH order is by name preference first, then by PATH entry', () => {
  const env = { PATH: '/usr/local/bin:/usr/bin' };
  const all = ['/usr/local/bin/google-chrome', '/usr/bin/chromium-browser', '/usr/bin/microsoft-edge'];
  assert.equal(findBrowser(env, 'linux', only(...all)), '/usr/bin/chromium-browser');
  assert.equal(findBrowser(env, 'linux', only('/usr/local/bin/google-chrome', '/usr/bin/microsoft-edge')), '/usr/local/bin/google-chrome');
  assert.equal(findBrowser(env, 'linux', only('/usr/bin/google-chrome-stable', '/usr/local/bin/microsoft-edge')), '/usr/bin/google-chrome-stable');
  assert.equal(findBrowser(env, 'linux', only('/usr/bin/chromium', '/usr/local/bin/chromium')), '/usr/local/bin/chromium');
});

test('findBrowser: macOS app bundles, system then ~/Applications', () => {
  const chrome = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
  const userChromium = '/Users/vj/Applications/Chromium.app/Contents/MacOS/Chromium';
  assert.equal(findBrowser({ PATH: '/usr/bin', HOME: '/Users/vj' }, 'darwin', only(chrome, userChromium)), userChromium);
  assert.equal(findBrowser({ PATH: '/usr/bin', HOME: '/Users/vj' }, 'darwin', only(chrome)), chrome);
});

test('findBrowser: Windows installs, with case-insensitive variable names', () => {
  const env = { Path: 'C:\\Windows', LOCALAPPDATA: 'C:\\Users\\vj\\AppData\\Local', ProgramFiles: 'C:\\Program Files', 'ProgramFiles(x86)': 'C:\\Program Files (x86)' };
  const edge = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe';
  const chrome = 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe';
  assert.equal(findBrowser(env, 'win32', only(edge)), edge);
  assert.equal(findBrowser(env, 'win32', only(edge, chrome)), chrome);
  assert.equal(findBrowser(env, 'win32', only(edge, 'C:\\Windows\\msedge.exe')), 'C:\\Windows\\msedge.exe');
});

test('findBrowser: nothing found gives null', () => {
  assert.equal(findBrowser({ PATH: '/usr/bin:/bin' }, 'linux', () => false), null);
  assert.equal(findBrowser({}, 'linux', () => true), null);
  assert.equal(findBrowser({ HOME: '/Users/vj' }, 'darwin', () => false), null);
  assert.equal(findBrowser({}, 'win32', () => false), null);
});

test('browserArgs: kiosk on a given display', () => {
  assert.deepEqual(browserArgs(URL_, { kiosk: true, display: { x: 1920, y: -120 }, userDataDir: '/tmp/vj-browser-x' }), [
    '--app=http://127.0.0.1:4321/',
    '--kiosk',
    '--window-position=1920,-120',
    '--user-data-dir=/tmp/vj-browser-x',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-features=Translate',
    '--autoplay-policy=no-user-gesture-required',
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
  ]);
});

test('browserArgs: windowed, no display', () => {
  assert.deepEqual(browserArgs(URL_, { kiosk: false, userDataDir: '/tmp/p' }), [
    '--app=http://127.0.0.1:4321/',
    '--user-data-dir=/tmp/p',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-features=Translate',
    '--autoplay-policy=no-user-gesture-required',
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
  ]);
});

test('findElectron: null, or an existing binary when the optional package is installed', () => {
  const bin = findElectron();
  assert.ok(bin === null || fs.existsSync(bin), String(bin));
});

test('buildShell: an ESM main and a CJS preload that node --check accepts', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vj-shell-test-'));
  try {
    const { main, preload } = await buildShell(dir);
    assert.equal(main, path.join(dir, 'main.mjs'));
    assert.equal(preload, path.join(dir, 'preload.cjs'));
    await run(process.execPath, ['--check', main]);
    await run(process.execPath, ['--check', preload]);
    const mainJs = await readFile(main, 'utf8');
    assert.match(mainJs, /from "electron"/, 'electron stays an external ESM import');
    assert.match(await readFile(preload, 'utf8'), /require\("electron"\)/, 'the preload requires electron (CJS)');
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')), { name: 'vj-shell', productName: 'VJ', private: true, main: 'main.mjs' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('openOutput: no Electron and VJ_BROWSER missing → kind none, the URL logged', async () => {
  const log = recordingLogger();
  const out = await openOutput(URL_, { log, electron: null, env: { VJ_BROWSER: '/nonexistent/vj-browser', PATH: '', DISPLAY: ':0' } });
  assert.equal(out.kind, 'none');
  out.close();
  out.close();
  assert.ok(log.lines.some((l) => l.startsWith('warn: ') && l.includes('VJ_BROWSER="/nonexistent/vj-browser" was not found')), log.lines.join('\n'));
  assert.ok(log.lines.some((l) => l.startsWith('info: ') && l.includes(`open ${URL_}`)), log.lines.join('\n'));
});

test('openOutput: nothing injected → kind none', async () => {
  const log = recordingLogger();
  const out = await openOutput(URL_, { log, electron: null, browser: null });
  assert.equal(out.kind, 'none');
  assert.ok(log.lines.some((l) => l.includes(URL_)));
});

test('openOutput: on Linux without a screen nothing is started', { skip: process.platform !== 'linux' }, async () => {
  const log = recordingLogger();
  const out = await openOutput(URL_, { log, electron: null, browser: '/bin/false', env: {} });
  assert.equal(out.kind, 'none');
  assert.ok(log.lines.some((l) => l.includes('DISPLAY and WAYLAND_DISPLAY are unset')), log.lines.join('\n'));
});

/** A stand-in browser: a shell script that writes its arguments, one a line, then runs `body`. */
async function fakeBrowser(dir: string, body: string): Promise<{ bin: string; argsFile: string }> {
  const bin = path.join(dir, 'fake-browser');
  const argsFile = path.join(dir, 'args.txt');
  await writeFile(bin, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n${body}\n`, { mode: 0o755 });
  return { bin, argsFile };
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('openOutput: launches the browser with the app arguments; close() ends it and removes its profile', { skip: process.platform === 'win32' }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vj-fake-'));
  try {
    const { bin, argsFile } = await fakeBrowser(dir, 'exec sleep 30');
    const log = recordingLogger();
    const out = await openOutput(URL_, { log, electron: null, browser: bin, display: '1920,0', env: { ...process.env, DISPLAY: ':0' } });
    assert.equal(out.kind, 'browser');
    await waitFor(() => fs.existsSync(argsFile) && fs.readFileSync(argsFile, 'utf8').includes('--disable-backgrounding-occluded-windows'));
    const args = fs.readFileSync(argsFile, 'utf8').trim().split('\n');
    const profile = args.find((a) => a.startsWith('--user-data-dir='))!.slice('--user-data-dir='.length);
    const root = process.platform === 'linux' && process.getuid?.() === 0 ? ['--no-sandbox'] : [];
    assert.deepEqual(args, [...browserArgs(URL_, { kiosk: true, display: { x: 1920, y: 0 }, userDataDir: profile }), ...root]);
    assert.ok(fs.existsSync(profile));
    out.close();
    await waitFor(() => !fs.existsSync(profile));
    assert.ok(!log.lines.some((l) => l.startsWith('warn: ') && l.includes('exited')), log.lines.join('\n'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('openOutput: with a control URL the browser opens the operator window too, windowed on its own profile; close() ends both', { skip: process.platform === 'win32' }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vj-fake-'));
  try {
    const bin = path.join(dir, 'fake-browser');
    await writeFile(bin, `#!/bin/sh\nprintf '%s\\n' "$@" > '${dir}/args-'$$.txt\nexec sleep 30\n`, { mode: 0o755 });
    const log = recordingLogger();
    const out = await openOutput(URL_, { log, electron: null, browser: bin, display: '1920,0', controlUrl: `${URL_}control`, env: { ...process.env, DISPLAY: ':0' } });
    assert.equal(out.kind, 'browser');
    const runs = (): string[][] => fs.readdirSync(dir).filter((f) => f.startsWith('args-')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n'));
    await waitFor(() => runs().length === 2 && runs().every((a) => a.includes('--disable-backgrounding-occluded-windows')));
    const control = runs().find((a) => a[0] === `--app=${URL_}control`)!;
    const output = runs().find((a) => a[0] === `--app=${URL_}`)!;
    const profile = (a: string[]) => a.find((x) => x.startsWith('--user-data-dir='))!.slice('--user-data-dir='.length);
    const root = process.platform === 'linux' && process.getuid?.() === 0 ? ['--no-sandbox'] : [];
    assert.deepEqual(control, [...browserArgs(`${URL_}control`, { kiosk: false, size: { width: 1280, height: 800 }, userDataDir: profile(control) }), ...root]);
    assert.ok(output.includes('--kiosk') && output.includes('--window-position=1920,0'));
    assert.notEqual(profile(control), profile(output));
    out.close();
    await waitFor(() => !fs.existsSync(profile(control)) && !fs.existsSync(profile(output)));
    assert.ok(log.lines.some((l) => l.startsWith('info: control window: browser')), log.lines.join('\n'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('openOutput: a browser that exits at once is a warning with its output and the URL', { skip: process.platform === 'win32' }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vj-fake-'));
  try {
    const { bin } = await fakeBrowser(dir, "echo 'Missing X server or $DISPLAY' >&2; exit 1");
    const log = recordingLogger();
    const out = await openOutput(URL_, { log, electron: null, browser: bin, display: 'HDMI', kiosk: false, env: { ...process.env, DISPLAY: ':0' } });
    assert.equal(out.kind, 'browser');
    await waitFor(() => log.lines.some((l) => l.includes('exited right after starting')));
    const warning = log.lines.find((l) => l.includes('exited right after starting'))!;
    assert.match(warning, /^warn: the browser window exited right after starting \(code 1\); open http:\/\/127\.0\.0\.1:4321\/ yourself/);
    assert.match(warning, /Missing X server or \$DISPLAY/);
    assert.ok(log.lines.some((l) => l.includes('pixel origin "X,Y"') && l.includes('"HDMI"')), 'a display name is not understood by the browser');
    out.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('openOutput: a browser that cannot be started falls back to none', async () => {
  const log = recordingLogger();
  const out = await openOutput(URL_, { log, electron: null, browser: '/nonexistent/dir/chromium', env: { DISPLAY: ':0', PATH: '' } });
  assert.equal(out.kind, 'none');
  assert.ok(log.lines.some((l) => l.startsWith('warn: could not start the browser /nonexistent/dir/chromium')), log.lines.join('\n'));
  assert.ok(log.lines.some((l) => l.includes(`open ${URL_}`)));
});
