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
import { rateLimited, type Logger } from '../log.js';
import { createRequestGuard, isLoopback, type AccessPolicy } from './requestGuard.js';
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
  /** More pages: path → content type and body (built on first request). */
  pages?: Record<string, () => Promise<{ type: string; body: string }>>;
  /** More WebSocket endpoints: path → connection handler. */
  sockets?: Record<string, (ws: WebSocket) => void>;
  /**
   * Access from beyond this machine (see requestGuard.ts): nothing but the public scripts without
   * the token; the operator's paths only with `controlRemote` too. Default: none.
   */
  access?: AccessPolicy;
  /** Messages each output gets when it connects (the panic state). */
  greeting?: () => ServerMessage[];
  /** The page and its script (built once, on first request). */
  page(): Promise<{ html: string; js: string }>;
  /** An output reports it presented frame `seq` at `at` (engine wall clock, ms, ± `err`). */
  onPresented(seq: number, at: number, err: number): void;
}

export interface EngineServer {
  readonly port: number;
  readonly url: string;
  /** Sends a frame message to every output that is ready for one; returns how many got it. */
  broadcast(frame: Uint8Array): number;
  /** Sends a control message to every output. */
  tell(msg: ServerMessage): void;
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
  let port = opts.port;
  const guard = createRequestGuard(opts.bind, () => port, opts.access ?? { token: null, controlRemote: false });
  const warnRefused = rateLimited(log, 10_000);
  /** The guard's verdict, logged (rate-limited: a hostile page may retry in a loop). */
  const refused = (req: IncomingMessage, path: string): string | null => {
    const why = guard(req, path);
    if (why) warnRefused(`refused ${req.method ?? 'GET'} ${path} from ${req.socket.remoteAddress ?? '?'}: ${why}`);
    return why;
  };
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed\n');
    const why = refused(req, path);
    if (why) return send(res, 403, 'text/plain', `forbidden: ${why}\n`);
    const page = own(opts.pages, path);
    if (page) {
      page().then((p) => send(res, 200, p.type, p.body), (err: Error) => send(res, 500, 'text/plain', `page failed to build: ${err.message}\n`));
      return;
    }
    if (path === '/api/state') return send(res, 200, 'application/json', JSON.stringify(opts.state()));
    if (path === '/api/stats') return send(res, 200, 'application/json', JSON.stringify(opts.stats(outputs.size)));
    const route = own(opts.api, path);
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
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  const extra = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE * 16 });
  http.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    const handler = path === '/ws' ? null : own(opts.sockets, path);
    if (path !== '/ws' && !handler) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const why = refused(req, path);
    if (why) {
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nforbidden: ${why}\n`);
      return;
    }
    if (handler) extra.handleUpgrade(req, socket, head, (ws) => handler(ws));
    else wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const outputs = new Set<WebSocket>();
  wss.on('connection', (ws: WebSocket) => {
    outputs.add(ws);
    for (const m of opts.greeting?.() ?? []) ws.send(JSON.stringify(m));
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
        const err = typeof msg.err === 'number' && msg.err >= 0 && msg.err < 1000 ? msg.err : 0;
        opts.onPresented(msg.seq, msg.at, err);
      }
    });
    ws.on('close', () => {
      outputs.delete(ws);
      log.info(`output disconnected (${outputs.size} now)`);
    });
    ws.on('error', () => outputs.delete(ws));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${opts.port} on ${opts.bind} is in use (another vj start? --port N)`, { cause: err }) : err));
    http.listen(opts.port, opts.bind, () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  const host = opts.bind === '0.0.0.0' || opts.bind === '::' ? '127.0.0.1' : opts.bind;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  if (!isLoopback(opts.bind)) log.warn(`listening on ${opts.bind}:${port}: reachable beyond this machine`);
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
    tell(msg) {
      const text = JSON.stringify(msg);
      for (const ws of outputs) if (ws.readyState === ws.OPEN) ws.send(text);
    },
    outputs: () => outputs.size,
    async close() {
      for (const ws of outputs) ws.terminate();
      for (const ws of extra.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => extra.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** `record[key]` when it is the record's own entry (not `toString` and the like). */
function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
