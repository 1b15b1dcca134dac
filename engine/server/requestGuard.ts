/**
 * Who may use the engine's HTTP routes and WebSockets: the checks every request passes before
 * any route sees it.
 *
 * @remarks Three rules, in this order:
 * 1. **Host** must name this machine (`localhost`, a loopback or interface address, the host
 *    name), with the server's port. A page on `evil.example.com` whose DNS is rebound to
 *    127.0.0.1 sends `Host: evil.example.com:7070` and is refused, so it cannot read
 *    `/api/state` even though its requests reach us.
 * 2. **Origin**, when there is one, must be the engine's own (`http://<this machine>:<port>`).
 *    Browsers send it on every WebSocket and on cross-origin fetches, so any other web page open
 *    on the laptop is refused; non-browser clients (scripts, tests, TouchDesigner) send none and
 *    pass. `Origin: null` (a sandboxed frame, a `file:` page) is refused.
 * 3. **Beyond this machine** (a peer that is not loopback, possible only with `--bind`), every
 *    path but the public scripts needs the run's token (`?token=`): the output page and its frame
 *    stream (a remote output reports presented times into the latency stats, and the frames are
 *    the show), `/api/*` (the state, the OSC table) and, with `--control-remote` only, the
 *    operator window.
 */
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

export interface AccessPolicy {
  /** The token for anything beyond this machine (null: only the public scripts from there). */
  token: string | null;
  /** The operator's paths (`/control…`) also from beyond this machine (with the token). */
  controlRemote: boolean;
}

/** Paths anyone who can reach the port may fetch: the pages' scripts are public code. */
const PUBLIC = new Set(['/renderer.js', '/control.js']);

/** Why a request is refused (the log line's and the 403's text), or null when it may go on. */
export type Verdict = string | null;

/**
 * The guard for a server on `port` (known after listen, hence a getter), reachable on `bind`.
 */
export function createRequestGuard(bind: string, port: () => number, policy: AccessPolicy): (req: IncomingMessage, path: string) => Verdict {
  const names = localNames(bind);
  const isLocal = (host: string): boolean => {
    const h = host.toLowerCase();
    return names.has(h) || h.endsWith('.localhost') || h.startsWith(`${hostname().toLowerCase()}.`);
  };
  return (req, path) => {
    const host = req.headers.host;
    if (host !== undefined) {
      const parsed = splitHost(host);
      if (!parsed || !isLocal(parsed.name) || (parsed.port !== null && parsed.port !== port())) return `Host "${clip(host)}" is not this engine`;
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let u: URL | null = null;
      try {
        u = new URL(origin);
      } catch {
        // not a URL: refused below
      }
      const ownPort = u && (u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port));
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || !isLocal(u.hostname) || ownPort !== port()) {
        return `foreign origin "${clip(origin)}"`;
      }
    }
    if (isLoopback(req.socket.remoteAddress) || PUBLIC.has(path)) return null;
    const isControl = path.startsWith('/control');
    if (isControl && !policy.controlRemote) return 'the operator window from beyond this machine needs vj start --control-remote';
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
    if (!policy.token || token !== policy.token) return 'from beyond this machine, the token printed at start is needed (?token=)';
    return null;
  };
}

/** Whether a bind address or a peer's address is this machine only (HTTP and OSC alike). */
export function isLoopback(addr: string | undefined): boolean {
  return addr === '127.0.0.1' || addr === '::1' || addr === 'localhost' || addr === '::ffff:127.0.0.1';
}

/** Names a browser may use for this machine: loopback, and with a wider bind its addresses and name. */
function localNames(bind: string): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  if (isLoopback(bind)) return names;
  if (bind !== '0.0.0.0' && bind !== '::') {
    names.add(bind.toLowerCase());
    return names;
  }
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) names.add(i.address.toLowerCase());
  names.add(hostname().toLowerCase());
  return names;
}

/** `name[:port]` or `[v6][:port]` → its parts; null when malformed. */
function splitHost(host: string): { name: string; port: number | null } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(host);
  if (!m) return null;
  return { name: m[1] ?? m[2], port: m[3] === undefined ? null : Number(m[3]) };
}

const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 80)}…` : s);
