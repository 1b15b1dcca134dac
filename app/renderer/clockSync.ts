/**
 * The engine's clock as seen from an output: offset = engine wall clock − ours, estimated from
 * ping/pong round trips (NTP's rule: of the recent exchanges, trust the one with the shortest
 * round trip, whose unknown asymmetry is smallest, at most ±rtt/2).
 *
 * @remarks Only the recent exchanges count (`window`), so a clock that drifts is followed, and a
 * page that was busy when a pong arrived (shader compiles at start, a stalled tab) gives a long
 * round trip that loses to the next clean one instead of skewing every report after it.
 */
export interface ClockSync {
  /** One exchange: ping sent at `sent` (our clock), stamped `server` by the engine, pong received at `received` (ours). */
  sample(sent: number, server: number, received: number): void;
  /** Engine clock − ours (ms); 0 before any exchange. */
  offset(): number;
  /** Round trip of the exchange behind `offset()` (ms); Infinity before any. */
  rtt(): number;
}

export function createClockSync(window = 16): ClockSync {
  const rtts = new Float64Array(window).fill(Infinity);
  const offsets = new Float64Array(window);
  let next = 0;
  let best = -1;
  const pick = () => {
    best = 0;
    for (let i = 1; i < window; i++) if (rtts[i] < rtts[best]) best = i;
  };
  return {
    sample(sent, server, received) {
      const rtt = received - sent;
      if (!(rtt >= 0) || !Number.isFinite(server)) return;
      rtts[next] = rtt;
      offsets[next] = server - (sent + rtt / 2);
      next = (next + 1) % window;
      pick();
    },
    offset: () => (best < 0 || rtts[best] === Infinity ? 0 : offsets[best]),
    rtt: () => (best < 0 ? Infinity : rtts[best]),
  };
}
