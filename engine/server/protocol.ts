/**
 * The engine ↔ output wire format (WebSocket). Pure and browser-safe: the renderer page bundles
 * this file too.
 *
 * A frame is ONE binary message: `[u32 LE header length][header JSON, UTF-8][RGBA8 pixels]`,
 * so a header can never be paired with the wrong pixels. Everything else is a JSON text message.
 */

/** Per-frame state sent with the pixels. */
export interface FrameHeader {
  seq: number;
  width: number;
  height: number;
  /** Active effect chain, in order (effect names), and every uniform value by uniform name. */
  chain: string[];
  uniforms: Record<string, number>;
  /** Engine time (s) of the audio that drove this frame. */
  audioTime: number;
  /** Wall-clock ms (engine clock: `performance.timeOrigin + performance.now()`) per stage. */
  capturedAt: number;
  sentAt: number;
  /** A few features for display (level, onset, beat). */
  features: { envelope: number; onset: boolean; beat: boolean; bpm: number; percussive: number };
}

/** Output → engine. */
export type ClientMessage =
  | { type: 'hello'; width: number; height: number; userAgent: string }
  | { type: 'ping'; t: number }
  /**
   * The frame `seq` is on screen since `at`, in the engine's wall clock (offset-corrected), known
   * to ± `err` ms (half the round trip behind the offset).
   */
  | { type: 'presented'; seq: number; at: number; err?: number };

/** Engine → output (besides frames). */
export type ServerMessage =
  | { type: 'pong'; t: number; server: number }
  /**
   * How every output shows the frames (the registry's show-state parameters), sent on connect and
   * on every change: panic (black, or hold the current picture: frames keep coming, and are not
   * shown), the aspect mode and the upscaling filter.
   */
  | { type: 'output'; blackout: boolean; freeze: boolean; aspect: Aspect; upscale: Upscale };

export type Aspect = 'fit' | 'fill' | 'stretch';
export type Upscale = 'bilinear' | 'bicubic';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Encodes a frame message (one allocation: the message). */
export function encodeFrame(header: FrameHeader, pixels: Uint8Array): Uint8Array {
  const json = enc.encode(JSON.stringify(header));
  const out = new Uint8Array(4 + json.length + pixels.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  out.set(pixels, 4 + json.length);
  return out;
}

/** Decodes a frame message; the pixels are a view into `buf`. @throws RangeError on a malformed message. */
export function decodeFrame(buf: ArrayBuffer | Uint8Array): { header: FrameHeader; pixels: Uint8Array } {
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  if (bytes.length < 4) throw new RangeError('frame message shorter than its header length');
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (4 + n > bytes.length) throw new RangeError('frame header runs past the message');
  const header = JSON.parse(dec.decode(bytes.subarray(4, 4 + n))) as FrameHeader;
  const pixels = bytes.subarray(4 + n);
  if (pixels.length !== header.width * header.height * 4) throw new RangeError(`frame has ${pixels.length} pixel bytes for ${header.width}×${header.height}`);
  return { header, pixels };
}

/** The engine's wall clock in ms, comparable across its threads (and, offset-corrected, outputs). */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The URL of the engine's socket at `path` for a page at `loc`: same host, `ws:` or `wss:`, and the
 * page's `?token=` passed on (a page opened from another machine needs it on its socket too).
 */
export function socketUrl(loc: Pick<Location, 'protocol' | 'host' | 'search'>, path: string): string {
  const token = new URLSearchParams(loc.search).get('token');
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${path}${query}`;
}
