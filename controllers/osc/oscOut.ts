/**
 * OSC out: the audio features at frame rate, one bundle per frame, to every configured target
 * (TouchDesigner's OSC In CHOP, Max for Live's udpreceive), and every parameter change echoed as
 * `/vj/param/<id> value` so a TouchOSC layout or another controller stays in sync.
 *
 * Numbers always go as OSC floats (`f`), so a receiver sees one type per address.
 */
import { createSocket } from 'node:dgram';
import { encode } from 'node-osc';
import type { Features } from '../../engine/analysis/Features.js';
import { rateLimited, type Logger } from '../../engine/log.js';
import type { ParamChange, ParamStore } from '../../engine/params/ParamStore.js';
import { OSC_PREFIX } from './oscAddresses.js';

export interface OscTarget {
  host: string;
  port: number;
}

export interface OscOut {
  /** Sends this frame's features to every target. */
  sendFeatures(f: Features): void;
  close(): Promise<void>;
}

type Arg = { type: 'f'; value: number } | { type: 'i'; value: number } | { type: 's'; value: string } | { type: 'T' | 'F'; value: boolean };
interface Msg {
  oscType: 'message';
  address: string;
  args: Arg[];
}

const f = (value: number): Arg => ({ type: 'f', value });
const msg = (address: string, args: Arg[]): Msg => ({ oscType: 'message', address, args });

/** Parses `host:port` (or a bare port, meaning 127.0.0.1). */
export function parseOscTarget(text: string): OscTarget {
  const m = /^(?:(.+):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) throw new Error(`--osc-out ${text}: expected host:port or a port`);
  return { host: m[1] ?? '127.0.0.1', port };
}

/** The messages of one frame: rms, onset, chroma (12), bass (12), chord, bands (3), bpm, beat. */
export function featureMessages(x: Features): Msg[] {
  return [
    msg(`${OSC_PREFIX}/audio/rms`, [f(x.rms)]),
    msg(`${OSC_PREFIX}/audio/onset`, [f(x.onset ? 1 : 0), f(x.onsetStrengthNorm)]),
    msg(`${OSC_PREFIX}/audio/chroma`, Array.from(x.chroma, f)),
    msg(`${OSC_PREFIX}/audio/bass`, Array.from(x.bass, f)),
    // OSC has no null: in silence the root is −1 and the quality "none".
    msg(`${OSC_PREFIX}/audio/chord`, x.chord
      ? [{ type: 'i', value: x.chord.root }, { type: 's', value: x.chord.quality }, f(x.chord.confidence)]
      : [{ type: 'i', value: -1 }, { type: 's', value: 'none' }, f(0)]),
    msg(`${OSC_PREFIX}/audio/bands`, Array.from(x.bandsNorm, f)),
    msg(`${OSC_PREFIX}/audio/bpm`, [f(x.bpm)]),
    msg(`${OSC_PREFIX}/audio/beat`, [f(x.beat ? 1 : 0), f(x.beatPhase)]),
  ];
}

/** The echo of a parameter change. */
export function paramMessages(change: ParamChange): Msg[] {
  return change.ids.map((id) => {
    const v = change.values[id];
    const arg: Arg = typeof v === 'number' ? f(v) : typeof v === 'boolean' ? { type: v ? 'T' : 'F', value: v } : { type: 's', value: v };
    return msg(`${OSC_PREFIX}/param/${id}`, [arg]);
  });
}

export function createOscOut(targets: readonly OscTarget[], store: ParamStore, log: Logger): OscOut {
  const sock = createSocket('udp4');
  const warn = rateLimited(log, 5000);
  sock.on('error', (err) => warn(`OSC out: ${err.message}`));
  sock.unref();
  const send = (msgs: Msg[]): void => {
    if (msgs.length === 0 || targets.length === 0) return;
    const buf = encode({ oscType: 'bundle', timetag: 0, elements: msgs });
    for (const t of targets) sock.send(buf, t.port, t.host, (err) => err && warn(`OSC out to ${t.host}:${t.port}: ${err.message}`));
  };
  const unsubscribe = store.subscribe((c) => send(paramMessages(c)));
  return {
    sendFeatures: (x) => send(featureMessages(x)),
    async close() {
      unsubscribe();
      await new Promise<void>((r) => sock.close(() => r()));
    },
  };
}
