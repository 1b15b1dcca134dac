/**
 * The control page's WebSocket to the engine (`/control/ws`, with the page's `?token=`),
 * reconnecting by itself with a growing pause (0.5 s up to 4 s) when it closes.
 */
import type { UiEvent, UiRequest } from '../../controllers/ui/controlProtocol.js';
import { socketUrl } from '../../engine/server/protocol.js';

/** A live connection: send requests, know whether it is up. */
export interface Connection {
  /** Sends a request; false (and nothing sent) while disconnected. */
  send(req: UiRequest): boolean;
  connected(): boolean;
}

/** The socket URL for a page at `loc`: same host, `ws:` or `wss:`, the page's token passed on. */
export function controlSocketUrl(loc: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  return socketUrl(loc, '/control/ws');
}

/** Opens the socket to `url` and keeps it open: `on.event` gets each engine event, `on.status` each change of connection. */
export function connect(url: string, on: { event(ev: UiEvent): void; status(connected: boolean): void }): Connection {
  let sock: WebSocket | null = null;
  let up = false;
  let pause = 500;
  const open = (): void => {
    const s = new WebSocket(url);
    sock = s;
    s.onopen = () => {
      up = true;
      pause = 500;
      on.status(true);
    };
    s.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let msg: UiEvent;
      try {
        msg = JSON.parse(ev.data) as UiEvent;
      } catch {
        return;
      }
      on.event(msg);
    };
    s.onclose = () => {
      if (sock !== s) return;
      sock = null;
      up = false;
      on.status(false);
      setTimeout(open, pause);
      pause = Math.min(4000, pause * 2);
    };
  };
  open();
  return {
    send(req) {
      if (!sock || !up) return false;
      sock.send(JSON.stringify(req));
      return true;
    },
    connected: () => up,
  };
}
