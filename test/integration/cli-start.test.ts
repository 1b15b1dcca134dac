/**
 * `vj start` end to end: `node bin/vj.js start --headless` as a subprocess, driven from outside
 * as a VJ's rig drives it: liblo's `oscsend` in, `oscdump` reading the features out, the HTTP
 * state API, a preset edited on disk, SIGINT; and a start whose port is taken.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'vj.js');
const run = promisify(execFile);

async function until<T>(get: () => T | Promise<T>, ms: number, what: string): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A UDP port free now (bound exclusively, then released). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Vj {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

function startVj(args: string[], env: NodeJS.ProcessEnv = {}): Vj {
  const child = spawn(process.execPath, [BIN, 'start', '--headless', '--input', 'demo', '--size', '64', '--fps', '30', ...args], {
    cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, stderr: () => err, exited };
}

describe('vj start (subprocess)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vj-start-'));
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('oscsend sets a parameter and loads a preset (seen in /api/state), features and echoes reach oscdump, the preset on stage follows its file, SIGINT stops it', async () => {
    writeFileSync(join(dir, 'stage.json'), JSON.stringify({ version: 1, params: { kaleido_segments: 3 } }));
    const outPort = await freeUdpPort();
    const dump = spawn('oscdump', ['-L', String(outPort)], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(dump);
    let dumped = '';
    dump.stdout!.setEncoding('utf8').on('data', (s: string) => (dumped += s));
    const vj = startVj(['--port', '0', '--osc-port', '0', '--osc-out', `127.0.0.1:${outPort}`, '--preset', 'stage'], { VJ_PRESET_DIR: dir });
    children.push(vj.child);
    const [, httpPort] = await until(() => /vj: output at http:\/\/127\.0\.0\.1:(\d+)\//.exec(vj.stderr()), 30000, 'the output URL');
    const [, oscPort] = await until(() => /vj: OSC in on 127\.0\.0\.1:(\d+)/.exec(vj.stderr()), 5000, 'the OSC line');
    const state = async (): Promise<any> => (await fetch(`http://127.0.0.1:${httpPort}/api/state`)).json();
    assert.equal((await state()).preset, 'stage');
    assert.equal((await state()).params.kaleido_segments, 3);

    await run('oscsend', ['localhost', oscPort, '/vj/param/zoom_pulse', 'f', '0.3']);
    await until(async () => Math.abs((await state()).params.zoom_pulse - 0.3) < 1e-6, 5000, 'zoom_pulse 0.3 in /api/state');
    await until(() => dumped.includes('/vj/param/zoom_pulse f 0.300000'), 5000, 'the echo in oscdump');
    await until(() => /\/vj\/audio\/bpm f 1[12]\d\.\d+/.test(dumped) && dumped.includes('/vj/audio/chroma ffffffffffff'), 15000, 'features in oscdump');

    // The preset on stage, edited on disk: its new value at once.
    writeFileSync(join(dir, 'stage.json'), JSON.stringify({ version: 1, params: { kaleido_segments: 9 } }));
    await until(async () => (await state()).params.kaleido_segments === 9, 5000, 'the edited preset');
    await run('oscsend', ['localhost', oscPort, '/vj/preset', 'sf', 'glitch', '0']);
    await until(async () => (await state()).preset === 'glitch', 5000, 'glitch loaded');
    assert.equal((await state()).params.kaleido_segments, 6);

    vj.child.kill('SIGINT');
    assert.equal(await vj.exited, 0, vj.stderr());
    assert.match(vj.stderr(), /vj: stopped\n$/);
    // A quiet start: only the engine's own lines (ALSA, JACK and the WebGPU probe say nothing).
    const foreign = vj.stderr().split('\n').filter((l) => l !== '' && !/^(vj: |\[vj )/.test(l));
    assert.deepEqual(foreign, []);
  });

  it('VJ_LOG=debug shows the native libraries\' lines, marked as theirs', async () => {
    const vj = startVj(['--port', '0', '--no-osc', '--no-midi'], { VJ_LOG: 'debug' });
    children.push(vj.child);
    await until(() => /vj: output at /.exec(vj.stderr()), 30000, 'the output URL');
    vj.child.kill('SIGINT');
    assert.equal(await vj.exited, 0, vj.stderr());
    // Here PortAudio's ALSA host API always complains (no sound card); elsewhere it may not.
    assert.match(vj.stderr(), /^\[vj native\] debug: ALSA lib /m);
  });

  it('a taken HTTP or OSC port: one line naming it, exit 1, and the process ends (nothing left open)', async (t) => {
    /** Exit code, or 'still running' after 30 s (the child is then killed by `after`). */
    const exitOf = (vj: Vj): Promise<number | null | string> => Promise.race([vj.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 30000).unref())]);
    const taken = createServer();
    t.after(() => taken.close());
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const httpPort = (taken.address() as { port: number }).port;
    const a = startVj(['--port', String(httpPort), '--osc-port', '0', '--no-midi']);
    children.push(a.child);
    assert.equal(await exitOf(a), 1, a.stderr());
    assert.match(a.stderr(), new RegExp(`vj start: port ${httpPort} on 127\\.0\\.0\\.1 is in use \\(another vj start\\? --port N\\)`));

    const udp = createSocket('udp4');
    t.after(() => udp.close());
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    const oscPort = udp.address().port;
    const b = startVj(['--port', '0', '--osc-port', String(oscPort), '--no-midi']);
    children.push(b.child);
    assert.equal(await exitOf(b), 1, b.stderr());
    assert.match(b.stderr(), new RegExp(`OSC: cannot listen on 127\\.0\\.0\\.1:${oscPort}: the port is in use`));
  });
});
