/**
 * The OSC address space, derived from the parameter registry: what `/vj/query` and
 * `GET /api/osc` list, what the docs table shows, and how an incoming message becomes a command.
 */
import { isTrigger, TRIGGERS, type ControlCommand, type ShowSwitch } from '../commands.js';
import { normFromValue } from '../../engine/params/ParamStore.js';
import { isParamId, PARAM_IDS, PARAMS, type ParamId, type ParamSpec, type ParamValues } from '../../engine/params/registry.js';

export const OSC_PREFIX = '/vj';

/** One address as listed: OSC type tags it takes, its range and current value. */
export interface OscAddress {
  address: string;
  /** OSC type tags accepted: `f` (int or float), `s`, `T/F` (or 0/1), or none. */
  types: string;
  min?: number;
  max?: number;
  options?: readonly string[];
  value?: number | boolean | string;
  unit?: string;
  doc: string;
}

/** Incoming addresses that answer rather than change anything. */
export const QUERY_ADDRESS = `${OSC_PREFIX}/query`;
export const PING_ADDRESS = `${OSC_PREFIX}/ping`;

/** Every address the engine listens to, with current values. */
export function oscAddresses(values: Readonly<ParamValues>): OscAddress[] {
  const out: OscAddress[] = [];
  for (const id of PARAM_IDS) {
    const spec: ParamSpec = PARAMS[id];
    const base = `${OSC_PREFIX}/param/${id}`;
    if (spec.kind === 'num') {
      out.push({ address: base, types: 'f', min: spec.range[0], max: spec.range[1], value: values[id] as number, unit: spec.unit, doc: spec.doc });
    } else if (spec.kind === 'bool') {
      out.push({ address: base, types: 'T/F', min: 0, max: 1, value: values[id] as boolean, doc: spec.doc });
    } else {
      out.push({ address: base, types: 's', options: spec.options, value: values[id] as string, doc: spec.doc });
    }
    out.push({ address: `${base}/norm`, types: 'f', min: 0, max: 1, value: normFromValue(id, values[id]), doc: `${id}, normalised 0..1${spec.kind === 'num' ? ` (${spec.curve} curve)` : ''}` });
  }
  out.push({ address: `${OSC_PREFIX}/preset`, types: 's [f]', doc: 'Load a preset by name; optional morph seconds (else the preset\'s own morph time)' });
  out.push({ address: `${OSC_PREFIX}/input`, types: 's [s]', doc: 'Switch the audio input: a device name or index, a file or demo; optional routes (drums=1-2,keys=3). Alone, never in a bundle' });
  out.push({ address: `${OSC_PREFIX}/model`, types: 's', doc: 'Switch the generator: builtin, builtin:N or a manifest path. Alone, never in a bundle' });
  for (const t of TRIGGERS) out.push({ address: `${OSC_PREFIX}/trigger/${t}`, types: '', doc: TRIGGER_DOCS[t] });
  out.push({ address: QUERY_ADDRESS, types: '', doc: 'Answers with one /vj/info message per address (address, types, min, max, value), then /vj/info/end <count>' });
  out.push({ address: PING_ADDRESS, types: '', doc: 'Answers /vj/pong' });
  return out;
}

const TRIGGER_DOCS: Record<(typeof TRIGGERS)[number], string> = {
  flash: 'A full-strength hit for the effects (flash, contrast, zoom, RGB split)',
  shuffle: 'Rotate the class list now (by class_shuffle_strength × 12 places)',
  keyframe: 'Jump to a new keyframe',
  tap: 'Tap tempo',
};

/** An OSC argument as node-osc decodes it. */
export type OscArg = number | string | boolean | null | Uint8Array | Record<string, unknown>;

/** A message's command (or show switch), or why it is not one. */
export type Parsed = { ok: true; command: ControlCommand } | { ok: true; switch: ShowSwitch } | { ok: false; error: string };

/** Turns one message (address and arguments) into a command for the mapping layer. */
export function commandFromMessage(address: string, args: readonly OscArg[]): Parsed {
  const bad = (error: string): Parsed => ({ ok: false, error: `${address}: ${error}` });
  if (!address.startsWith(`${OSC_PREFIX}/`)) return bad('unknown address');
  const parts = address.slice(OSC_PREFIX.length + 1).split('/');
  if (parts[0] === 'param' && (parts.length === 2 || (parts.length === 3 && parts[2] === 'norm'))) {
    const id = parts[1];
    if (!isParamId(id)) return bad('unknown parameter');
    if (args.length !== 1) return bad(`expected 1 argument, got ${args.length}`);
    const v = args[0];
    if (parts.length === 3) return typeof v === 'number' ? { ok: true, command: { type: 'setNorm', id, norm: v } } : bad('expected a number 0..1');
    return { ok: true, command: { type: 'set', id: id as ParamId, value: v } };
  }
  if (parts[0] === 'trigger' && parts.length === 2) {
    return isTrigger(parts[1]) ? { ok: true, command: { type: 'trigger', name: parts[1] } } : bad('unknown trigger');
  }
  if (parts[0] === 'preset' && parts.length === 1) {
    const [name, seconds] = args;
    if (typeof name !== 'string' || args.length > 2) return bad('expected a preset name and optional morph seconds');
    if (seconds === undefined) return { ok: true, command: { type: 'preset', name } };
    if (typeof seconds !== 'number' || !(seconds >= 0 && seconds <= 600)) return bad('morph seconds must be 0..600');
    return { ok: true, command: { type: 'preset', name, morph: { seconds } } };
  }
  if (parts[0] === 'input' && parts.length === 1) {
    const [name, routes] = args;
    if (typeof name !== 'string' || name === '' || args.length > 2 || (routes !== undefined && typeof routes !== 'string')) return bad('expected an input name and optional routes');
    return { ok: true, switch: { type: 'input', name, routes: routes ?? null } };
  }
  if (parts[0] === 'model' && parts.length === 1) {
    const [model] = args;
    if (typeof model !== 'string' || model === '' || args.length !== 1) return bad('expected a model');
    return { ok: true, switch: { type: 'model', model } };
  }
  return bad('unknown address');
}

/** The docs table of the address space (defaults as values). */
export function oscMarkdownTable(values: Readonly<ParamValues>): string {
  const rows = oscAddresses(values).map((a) => {
    const range = a.options ? a.options.join(' / ') : a.min !== undefined ? `${a.min}–${a.max}` : '';
    return `| \`${a.address}\` | ${a.types || '–'} | ${range} | ${a.unit ?? ''} | ${a.doc} |`;
  });
  return ['| address | args | range | unit | description |', '|---|---|---|---|---|', ...rows].join('\n');
}
