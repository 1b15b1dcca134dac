/**
 * OSC in: a thin adapter from node-osc's UDP server to the mapping layer. Messages become
 * commands (oscAddresses.ts); a bundle is dispatched as one batch, so it applies atomically
 * (all of it or, if any message in it is bad, none). `/vj/query` and `/vj/ping` are answered to
 * the sender's address, at the configured reply port if any, else at the sender's port.
 *
 * Bad input (malformed packets, unknown addresses, wrong types, out-of-range values) is dropped
 * with a rate-limited warning and changes nothing.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { Server } from 'node-osc';
import type { ControlCommand, ShowSwitch } from '../commands.js';
import type { ControlHub } from '../ControlHub.js';
import { rateLimited, type Logger } from '../../engine/log.js';
import { isLoopback } from '../../engine/server/requestGuard.js';
import { commandFromMessage, oscAddresses, PING_ADDRESS, QUERY_ADDRESS, type OscArg } from './oscAddresses.js';

export interface OscServerOptions {
  hub: ControlHub;
  port: number;
  bind: string;
  /** Answer queries at this port of the sender's host (TouchOSC listens on another port than it sends from). */
  replyPort?: number;
  log: Logger;
}

export interface OscStats {
  /** Packets received (messages and bundles). */
  packets: number;
  /** Packets whose commands were applied. */
  applied: number;
  /** Packets dropped: malformed, unknown, wrong type, out of range, empty. (Queries are neither.) */
  rejected: number;
}

export interface OscInput {
  readonly port: number;
  stats(): OscStats;
  close(): Promise<void>;
}

interface Remote {
  address: string;
  port: number;
}
type OscMessage = [string, ...OscArg[]];
interface OscBundle {
  elements: (OscMessage | OscBundle)[];
}

/** Most messages taken from one bundle (nested bundles included). */
const MAX_BUNDLE_MESSAGES = 1024;

export async function startOscServer(opts: OscServerOptions): Promise<OscInput> {
  const { hub, log } = opts;
  const warn = rateLimited(log, 1000);
  const stats: OscStats = { packets: 0, applied: 0, rejected: 0 };
  await assertPortFree(opts.port, opts.bind);
  const server = new Server(opts.port, opts.bind);

  const reply = (to: Remote, messages: OscMessage[]): void => {
    const port = opts.replyPort ?? to.port;
    for (const m of messages) {
      server.send(m as unknown as string[], port, to.address, (err?: Error | null) => {
        if (err) warn(`reply to ${to.address}:${port} failed: ${err.message}`);
      });
    }
  };

  /** Queries are answered at once; everything else becomes a command (or an error). */
  const handle = (msgs: OscMessage[], from: Remote): void => {
    stats.packets++;
    const cmds: ControlCommand[] = [];
    const errors: string[] = [];
    let answered = false;
    for (const [address, ...args] of msgs) {
      if (typeof address !== 'string') {
        errors.push('message without an address');
        continue;
      }
      if (address === QUERY_ADDRESS || address === PING_ADDRESS) {
        reply(from, address === QUERY_ADDRESS ? queryAnswer(hub) : [['/vj/pong']]);
        answered = true;
      } else {
        const p = commandFromMessage(address, args);
        if (!p.ok) errors.push(p.error);
        else if ('command' in p) cmds.push(p.command);
        else if (msgs.length > 1) errors.push(`${address}: a switch of input or model cannot be part of a bundle`);
        else return void switchShow(p.switch, from);
      }
    }
    if (answered && cmds.length === 0 && errors.length === 0) return;
    if (cmds.length === 0 && errors.length === 0) errors.push('empty bundle');
    const result = errors.length ? { ok: false as const, errors } : hub.dispatch(cmds, 'osc');
    if (result.ok) stats.applied++;
    else {
      stats.rejected++;
      warn(`ignored from ${from.address}:${from.port}: ${result.errors.join('; ')}`);
    }
  };

  /** An input or model switch: counted once the show has it (or has refused it). */
  const switchShow = (sw: ShowSwitch, from: Remote): Promise<void> => hub.switchShow(sw, 'osc').then(
    () => void stats.applied++,
    (err: Error) => {
      stats.rejected++;
      warn(`ignored from ${from.address}:${from.port}: /vj/${sw.type}: ${err.message}`);
    },
  );

  server.on('message', (msg: OscMessage, rinfo: Remote) => handle([msg], rinfo));
  server.on('bundle', (bundle: OscBundle, rinfo: Remote) => {
    const msgs: OscMessage[] = [];
    if (flatten(bundle, msgs)) handle(msgs, rinfo);
    else {
      stats.packets++;
      stats.rejected++;
      warn(`ignored from ${rinfo.address}:${rinfo.port}: bundle of more than ${MAX_BUNDLE_MESSAGES} messages`);
    }
  });
  server.on('error', (err: Error, rinfo?: Remote) => {
    stats.packets++;
    stats.rejected++;
    warn(`ignored${rinfo ? ` from ${rinfo.address}:${rinfo.port}` : ''}: ${err.message}`);
  });
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]) => {
      throw new Error(`OSC: cannot listen on ${opts.bind}:${opts.port}: ${(err as Error).message}`);
    }),
  ]);
  if (!isLoopback(opts.bind)) log.warn(`OSC listening on ${opts.bind}:${server.port}: reachable beyond this machine`);
  return {
    port: server.port,
    stats: () => ({ ...stats }),
    close: async () => {
      await server.close();
    },
  };
}

/**
 * node-osc binds with SO_REUSEADDR, so a second engine (or another OSC app) on the same port
 * would bind too and silently take some of the messages. An exclusive bind first tells.
 */
async function assertPortFree(port: number, bind: string): Promise<void> {
  if (port === 0) return;
  const probe = createSocket({ type: bind.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
  try {
    await new Promise<void>((ok, fail) => {
      probe.once('error', fail);
      probe.bind(port, bind, () => ok());
    });
  } catch (err) {
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    throw new Error(`OSC: cannot listen on ${bind}:${port}: ${inUse ? 'the port is in use (another vj start, or another OSC app: --osc-port N, or --no-osc)' : (err as Error).message}`);
  } finally {
    try {
      probe.close();
    } catch {
      // already closed by the failed bind
    }
  }
}

/** Every message of a bundle, nested bundles included, in order; false if it holds too many. */
function flatten(b: OscBundle, out: OscMessage[]): boolean {
  for (const e of b.elements) {
    if (Array.isArray(e)) out.push(e);
    else if (!flatten(e, out)) return false;
    if (out.length > MAX_BUNDLE_MESSAGES) return false;
  }
  return true;
}

/** `/vj/info address types min max value` per address, then `/vj/info/end count`. */
function queryAnswer(hub: ControlHub): OscMessage[] {
  const list = oscAddresses(hub.store.current());
  const f = (value: number) => ({ type: 'f', value }) as unknown as OscArg;
  const msgs: OscMessage[] = list.map((a) => [
    '/vj/info', a.address, a.types, f(a.min ?? 0), f(a.max ?? (a.options ? a.options.length - 1 : 0)),
    typeof a.value === 'number' ? f(a.value) : a.value ?? '',
  ]);
  msgs.push(['/vj/info/end', list.length]);
  return msgs;
}
