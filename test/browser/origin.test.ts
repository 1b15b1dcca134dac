/**
 * No other web page can drive the show: a page served from another port, open in real Chromium
 * beside the engine, tries the operator's socket, the output stream and the state API, and is
 * refused; the engine's own pages still connect. Host and Origin checks by raw HTTP (a DNS
 * rebinding's Host header, a forged Origin), and clients without an Origin (scripts) still pass.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { chromiumSkip, launchChromium } from '../helpers/chromium.js';
import { startControlShow, type ControlShow } from '../helpers/controlShow.js';

/** The attacker's page: tries everything against the engine on `port`, reports in `window.__result`. */
const evilPage = (port: number) => `<!doctype html><script>
const r = { control: 'pending', output: 'pending', state: 'pending' };
window.__result = r;
const blackout = JSON.stringify({ type: 'command', commands: [{ type: 'set', id: 'blackout', value: true }] });
const tryWs = (path, key) => {
  const ws = new WebSocket('ws://127.0.0.1:${port}' + path);
  ws.onopen = () => { r[key] = 'open'; ws.send(blackout); };
  ws.onerror = () => { if (r[key] === 'pending') r[key] = 'refused'; };
  ws.onclose = () => { if (r[key] === 'pending') r[key] = 'refused'; };
};
tryWs('/control/ws', 'control');
tryWs('/ws', 'output');
fetch('http://127.0.0.1:${port}/api/state', { mode: 'no-cors' }).then((res) => { r.state = 'answered ' + res.type; }, () => { r.state = 'refused'; });
</script>`;

/** A raw GET with chosen headers → status code. */
function get(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket with chosen options → 'open' or the refusal's status. */
function wsOpen(url: string, opts: WebSocket.ClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, opts);
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    ws.on('error', (e) => resolve(`error ${e.message}`));
  });
}

describe('foreign origins', () => {
  let cs: ControlShow;
  let port: number;
  before(async () => {
    cs = await startControlShow();
    port = Number(new URL(cs.url).port);
  });
  after(async () => cs.stop());

  it('Host must name this machine (DNS rebinding); Origin must be the engine\'s; no Origin passes', async () => {
    const api = `${cs.url}api/state`;
    assert.equal(await get(api, {}), 200, 'a script without Origin');
    assert.equal(await get(api, { host: `localhost:${port}` }), 200);
    assert.equal(await get(api, { host: `[::1]:${port}` }), 200);
    assert.equal(await get(api, { host: `evil.example.com:${port}` }), 403);
    assert.equal(await get(api, { host: `127.0.0.1:${port + 1}` }), 403, 'another port is another origin');
    assert.equal(await get(api, { origin: `http://127.0.0.1:${port}` }), 200);
    assert.equal(await get(api, { origin: `http://localhost:${port}` }), 200);
    assert.equal(await get(api, { origin: 'http://evil.example.com' }), 403);
    assert.equal(await get(api, { origin: `http://127.0.0.1:${port + 1}` }), 403);
    assert.equal(await get(api, { origin: 'null' }), 403);
    assert.equal(await get(`${cs.url}control`, { origin: 'http://evil.example.com' }), 403);
    const ws = `ws://127.0.0.1:${port}/control/ws`;
    assert.equal(await wsOpen(ws, {}), 'open');
    assert.equal(await wsOpen(ws, { origin: `http://127.0.0.1:${port}` }), 'open');
    assert.equal(await wsOpen(ws, { origin: 'http://evil.example.com' }), '403');
    assert.equal(await wsOpen(`ws://127.0.0.1:${port}/ws`, { origin: 'http://evil.example.com' }), '403');
    assert.equal(await wsOpen(ws, { headers: { host: `evil.example.com:${port}` } }), '403');
    assert.equal((await cs.state()).params.blackout, false);
  });
});

describe('a foreign page in Chromium', { skip: chromiumSkip }, () => {
  let browser: Browser;
  let cs: ControlShow;
  let evil: Server;
  before(async () => {
    browser = await launchChromium();
    cs = await startControlShow();
    const port = Number(new URL(cs.url).port);
    evil = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(evilPage(port)));
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    await browser.close();
    await cs.stop();
    evil.close();
  });

  it('is refused on the operator socket, the output stream and the API; the engine\'s own page connects', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => Object.values((window as any).__result).every((v) => v !== 'pending'), null, { timeout: 10_000 });
    const result = await page.evaluate(() => (window as any).__result);
    // no-cors hides the status from the page: an opaque answer is all it can get, 403 or not.
    assert.deepEqual({ control: result.control, output: result.output }, { control: 'refused', output: 'refused' });
    assert.equal((await cs.state()).params.blackout, false, 'the show is not blacked out');

    // The same request from the engine's own origin goes through (the check is not vacuous).
    const own = await browser.newPage();
    await own.goto(`${cs.url}control?preview=off`);
    await own.waitForFunction(() => (window as any).__vjControl?.connected === true, null, { timeout: 10_000 });
    await own.evaluate(() => {
      const ws = new WebSocket(`ws://${location.host}/control/ws`);
      ws.onopen = () => ws.send(JSON.stringify({ type: 'command', commands: [{ type: 'set', id: 'blackout', value: true }] }));
    });
    const end = Date.now() + 5000;
    while ((await cs.state()).params.blackout !== true) {
      assert.ok(Date.now() < end, 'the own page\'s blackout never arrived');
      await new Promise((r) => setTimeout(r, 25));
    }
  });
});
