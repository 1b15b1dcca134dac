import type { AudioBlock, InputRoute } from './AudioBlock.js';
import type { Frames } from '../units.js';

/** Name of the input made when no route is given, or when a spec lists bare channels. */
export const DEFAULT_INPUT = 'main';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Parses a CLI channel-routing spec into named mono inputs.
 *
 * Grammar (channels 1-based in the spec, 0-based in the result):
 * - `drums=1-2,keys=3-4`: two inputs; `a-b` is an inclusive range;
 * - `main=1+2`: one input mixing channels 1 and 2; `+` joins channels and ranges (`x=1+3-4`);
 * - `1,2` or `1-2`: bare channels, all mixed into one input named `main`.
 *
 * Named and bare items cannot be mixed in one spec, names must be unique, and a channel may
 * appear only once per input.
 *
 * @throws Error naming the offending item when the spec is malformed.
 */
export function parseRoutes(spec: string): InputRoute[] {
  const text = spec.trim();
  if (text === '') throw new Error('route spec is empty (expected e.g. "drums=1-2,keys=3-4" or "1,2")');
  const items = text.split(',').map((s) => s.trim());
  const named = items.filter((s) => s.includes('='));
  if (named.length > 0 && named.length < items.length) {
    throw new Error(`route spec "${spec}": cannot mix named inputs and bare channels (write e.g. "main=1+2,drums=3")`);
  }
  if (named.length === 0) {
    const channels: number[] = [];
    for (const item of items) addChannels(channels, item, spec, DEFAULT_INPUT);
    return [{ name: DEFAULT_INPUT, channels }];
  }
  const routes: InputRoute[] = [];
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = item.slice(0, eq).trim();
    const list = item.slice(eq + 1).trim();
    if (!NAME_RE.test(name)) {
      throw new Error(`route spec "${spec}": bad input name "${name}" (letters, digits, _ and -, not starting with a digit)`);
    }
    if (routes.some((r) => r.name === name)) throw new Error(`route spec "${spec}": input "${name}" is defined twice`);
    if (list === '') throw new Error(`route spec "${spec}": input "${name}" has no channels`);
    const channels: number[] = [];
    for (const part of list.split('+')) addChannels(channels, part.trim(), spec, name);
    routes.push({ name, channels });
  }
  return routes;
}

/** Adds the 0-based channels of one `n` or `a-b` term to `out`. */
function addChannels(out: number[], term: string, spec: string, name: string): void {
  const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(term);
  if (!m) throw new Error(`route spec "${spec}": bad channel term "${term}" (expected a number like 3 or a range like 1-2)`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a < 1 || b < 1) throw new Error(`route spec "${spec}": channels are numbered from 1, got "${term}"`);
  if (b < a) throw new Error(`route spec "${spec}": range "${term}" runs backwards`);
  for (let c = a; c <= b; c++) {
    if (out.includes(c - 1)) throw new Error(`route spec "${spec}": channel ${c} appears twice in input "${name}"`);
    out.push(c - 1);
  }
}

/** Writes routes as a spec {@link parseRoutes} reads back (`drums=1-2,keys=3+5`); ranges where channels run on. */
export function formatRoutes(routes: readonly InputRoute[]): string {
  return routes.map((r) => {
    const terms: string[] = [];
    for (let i = 0; i < r.channels.length; ) {
      let j = i;
      while (j + 1 < r.channels.length && r.channels[j + 1] === r.channels[j] + 1) j++;
      terms.push(j > i ? `${r.channels[i] + 1}-${r.channels[j] + 1}` : `${r.channels[i] + 1}`);
      i = j + 1;
    }
    return `${r.name}=${terms.join('+')}`;
  }).join(',');
}

/** The route used when none is given: every channel of the source mixed into `main`. */
export function defaultRoutes(channelCount: number): InputRoute[] {
  if (!(channelCount >= 1)) throw new Error(`routes: a source needs at least one channel, got ${channelCount}`);
  return [{ name: DEFAULT_INPUT, channels: Array.from({ length: channelCount }, (_, i) => i) }];
}

/**
 * Checks routes against a source's channel count.
 *
 * @throws Error naming the input and the 1-based channel when a route uses a channel the source
 * does not have, or when there is no route at all.
 */
export function validateRoutes(routes: readonly InputRoute[], channelCount: number): void {
  if (routes.length === 0) throw new Error('routes: at least one input is needed');
  for (const r of routes) {
    if (r.channels.length === 0) throw new Error(`routes: input "${r.name}" has no channels`);
    for (const c of r.channels) {
      if (!Number.isInteger(c) || c < 0) throw new Error(`routes: input "${r.name}" has a bad channel index ${c}`);
      if (c >= channelCount) {
        throw new Error(
          `routes: input "${r.name}" uses channel ${c + 1} but the source has only ${channelCount} channel${channelCount === 1 ? '' : 's'}`,
        );
      }
    }
  }
}

/**
 * Maps a block to one mono signal per route (the mean of the route's channels).
 *
 * The returned function writes into arrays allocated once here and returns the same array of
 * views every call, each `block.frames` long: copy what must be kept.
 *
 * @remarks No allocation per block; a block of a new length (a file's shorter last block) builds
 * new views once.
 */
export function createRouter(
  routes: readonly InputRoute[],
  framesPerBuffer: Frames,
): (block: AudioBlock) => readonly Float32Array[] {
  if (routes.length === 0) throw new Error('routes: at least one input is needed');
  let storage = routes.map(() => new Float32Array(framesPerBuffer));
  const out: Float32Array[] = storage.slice();
  let outFrames = framesPerBuffer;
  const chans = routes.map((r) => Int32Array.from(r.channels));
  const gains = routes.map((r) => 1 / r.channels.length);
  const needed = Math.max(...routes.map((r) => Math.max(...r.channels))) + 1;

  return (block) => {
    const n = block.frames;
    if (n !== outFrames) {
      if (n > storage[0].length) storage = routes.map(() => new Float32Array(n));
      for (let r = 0; r < routes.length; r++) out[r] = n === storage[r].length ? storage[r] : storage[r].subarray(0, n);
      outFrames = n;
    }
    const src = block.channels;
    if (src.length < needed) throw new Error(`router: the routes need ${needed} channels, the block has ${src.length}`);
    for (let r = 0; r < chans.length; r++) {
      const dst = out[r];
      const ch = chans[r];
      const first = src[ch[0]];
      if (ch.length === 1) {
        dst.set(first.length === n ? first : first.subarray(0, n));
        continue;
      }
      for (let i = 0; i < n; i++) dst[i] = first[i];
      for (let k = 1; k < ch.length; k++) {
        const s = src[ch[k]];
        for (let i = 0; i < n; i++) dst[i] += s[i];
      }
      const g = gains[r];
      for (let i = 0; i < n; i++) dst[i] *= g;
    }
    return out;
  };
}
