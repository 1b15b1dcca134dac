/**
 * The engine's HTTP and WebSocket server: the output page, the state and stats API, and the
 * frame stream to any number of outputs.
 *
 * Loopback by default; listening beyond it is an explicit `--bind`. Each output gets the newest
 * frame: a client still busy with an earlier one is skipped for this frame, so a slow output
 * (a laptop on Wi-Fi) never stalls the engine or the other outputs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log.js';
import { wallNow, type ClientMessage, type ServerMessage } from './protocol.js';

export interface ServerOptions {
  port: number;
  bind: string;
  log: Logger;
  /** `GET /api/state` body. */
  state(): unknown;
  /** `GET /api/stats` body. */
  stats(outputs: number): unknown;
  /** More `GET` JSON routes: path → body. */
  api?: Record<string, () => unknown>;
  /** The page and its script (built once, on first request). */
  page(): Promise<{ html: string; js: string }>;
  /** An output reports it presented frame `seq` at `at` (engine wall clock, ms). */
  onPresented(seq: number, at: number): void;
}

export interface EngineServer {
  readonly port: number;
  readonly url: string;
  /** Sends a frame message to every output that is ready for one; returns how many got it. */
  broadcast(frame: Uint8Array): number;
  outputs(): number;
  close(): Promise<void>;
}

/** Largest control message accepted from an output. */
const MAX_MESSAGE = 4096;

export async function startServer(opts: ServerOptions): Promise<EngineServer> {
  const { log } = opts;
  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed\n');
    if (path === '/api/state') return send(res, 200, 'application/json', JSON.stringify(opts.state()));
    if (path === '/api/stats') return send(res, 200, 'application/json', JSON.stringify(opts.stats(outputs.size)));
    const route = opts.api && Object.prototype.hasOwnProperty.call(opts.api, path) ? opts.api[path] : undefined;
    if (route) return send(res, 200, 'application/json', JSON.stringify(route()));
    if (path === '/' || path === '/index.html' || path === '/renderer.js') {
      opts.page().then(
        (p) => (path === '/renderer.js' ? send(res, 200, 'text/javascript', p.js) : send(res, 200, 'text/html; charset=utf-8', p.html)),
        (err: Error) => send(res, 500, 'text/plain', `renderer page failed to build: ${err.message}\n`),
      );
      return;
    }
    send(res, 404, 'text/plain', 'not found\n');
  });
  const wss = new WebSocketServer({ server: http, path: '/ws', maxPayload: MAX_MESSAGE });
  const outputs = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    outputs.add(ws);
    log.info(`output connected (${outputs.size} now)`);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: ClientMessage;
      try {
        msg = JSON.parse(data.toString()) as ClientMessage;
      } catch {
        return;
      }
      if (msg.type === 'ping' && Number.isFinite(msg.t)) {
        ws.send(JSON.stringify({ type: 'pong', t: msg.t, server: wallNow() } satisfies ServerMessage));
      } else if (msg.type === 'presented' && Number.isFinite(msg.seq) && Number.isFinite(msg.at)) {
        opts.onPresented(msg.seq, msg.at);
      }
    });
    ws.on('close', () => {
      outputs.delete(ws);
      log.info(`output disconnected (${outputs.size} now)`);
    });
    ws.on('error', () => outputs.delete(ws));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.bind, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const host = opts.bind === '0.0.0.0' || opts.bind === '::' ? '127.0.0.1' : opts.bind;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  if (opts.bind !== '127.0.0.1' && opts.bind !== '::1' && opts.bind !== 'localhost') log.warn(`listening on ${opts.bind}:${port}: reachable beyond this machine`);
  return {
    port,
    url,
    broadcast(frame) {
      let n = 0;
      for (const ws of outputs) {
        // Newest frame only: skip an output that has not taken the previous one yet.
        if (ws.readyState !== ws.OPEN || ws.bufferedAmount > 0) continue;
        ws.send(frame, { binary: true });
        n++;
      }
      return n;
    },
    outputs: () => outputs.size,
    async close() {
      for (const ws of outputs) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
