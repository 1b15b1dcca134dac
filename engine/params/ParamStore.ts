/**
 * The live parameter store: the one place the show's parameter values live while it runs.
 * Controllers change it (through the mapping layer in controllers/); each engine tick reads one
 * snapshot with {@link ParamStore.tick}, which also advances a preset morph and hands over the
 * triggers fired since the previous tick.
 *
 * @remarks Snapshots are immutable (a new object per change), so a tick that read one sees a
 * consistent set even if a bundle of changes lands mid-frame, and a bundle is one change.
 */
import { fromNorm, isParamId, PARAMS, sanitizeReason, toNorm, type ParamId, type ParamSpec, type ParamValues } from './registry.js';

/** One-shot actions. `flash`: a full-strength hit for the effects; `shuffle`: rotate the class
 *  list now; `keyframe`: jump to a new keyframe; `tap`: tap tempo. */
export const TRIGGERS = ['flash', 'shuffle', 'keyframe', 'tap'] as const;
export type TriggerName = (typeof TRIGGERS)[number];

export function isTrigger(name: string): name is TriggerName {
  return (TRIGGERS as readonly string[]).includes(name);
}

/** Who caused a change: echoes go to every controller, each may skip its own. */
export type ControlSource = 'osc' | 'midi' | 'ui' | 'preset' | 'api' | 'morph';

/** A trigger as fired, with the wall time (ms, `performance.now()` scale) it arrived. */
export interface TriggerEvent {
  name: TriggerName;
  at: number;
}

/** A change as subscribers see it: which parameters, the values after it, and who caused it. */
export interface ParamChange {
  ids: readonly ParamId[];
  values: Readonly<ParamValues>;
  source: ControlSource;
}

export interface ParamStore {
  /** The current values (immutable; a new object after every change). */
  current(): Readonly<ParamValues>;
  /** Advances a running morph to `now`; returns the values for this tick. */
  tick(now?: number): Readonly<ParamValues>;
  /** Applies already-sanitized values as one change; cancels the morph of those parameters. */
  apply(values: Partial<ParamValues>, source: ControlSource): ParamId[];
  /** Morphs from the current values to `target` over `seconds` (0 = at once). Numbers move
   *  linearly in their normalised (curve) space; switches and choices change halfway. */
  morph(target: Partial<ParamValues>, seconds: number, source: ControlSource, now?: number): void;
  /** Whether a morph is running. */
  morphing(): boolean;
  /** Queues a trigger for the next tick. */
  trigger(name: TriggerName, at?: number): void;
  /** The triggers fired since the last call, oldest first. */
  takeTriggers(): TriggerEvent[];
  /** Called after every change (including each morph step); returns an unsubscribe. */
  subscribe(fn: (change: ParamChange) => void): () => void;
}

interface Morph {
  from: ParamValues;
  to: Partial<ParamValues>;
  ids: ParamId[];
  start: number;
  ms: number;
}

/** Most triggers kept between ticks (a stuck controller cannot grow the queue without bound). */
const MAX_PENDING_TRIGGERS = 64;

/** `now` defaults to `performance.now()`; tests pass their own clock. */
export function createParamStore(initial: ParamValues, clock: () => number = () => performance.now()): ParamStore {
  let values: Readonly<ParamValues> = Object.freeze({ ...initial });
  let morph: Morph | null = null;
  let pending: TriggerEvent[] = [];
  const listeners = new Set<(c: ParamChange) => void>();

  const commit = (next: Partial<ParamValues>, source: ControlSource): ParamId[] => {
    const ids = (Object.keys(next) as ParamId[]).filter((id) => next[id] !== values[id]);
    if (ids.length === 0) return ids;
    values = Object.freeze({ ...values, ...next });
    const change: ParamChange = { ids, values, source };
    for (const fn of listeners) fn(change);
    return ids;
  };

  const step = (now: number): void => {
    if (!morph) return;
    const m = morph;
    const w = m.ms > 0 ? Math.min(1, (now - m.start) / m.ms) : 1;
    const next: Record<string, unknown> = {};
    for (const id of m.ids) next[id] = w >= 1 ? m.to[id] : between(PARAMS[id], m.from[id], m.to[id], w);
    if (w >= 1) morph = null;
    commit(next as Partial<ParamValues>, 'morph');
  };

  return {
    current: () => values,
    tick(now = clock()) {
      step(now);
      return values;
    },
    apply(next, source) {
      if (morph) {
        const ids = morph.ids.filter((id) => !(id in next));
        morph = ids.length ? { ...morph, ids } : null;
      }
      return commit(next, source);
    },
    morph(target, seconds, source, now = clock()) {
      const ids = (Object.keys(target) as ParamId[]).filter((id) => target[id] !== values[id]);
      if (!(seconds > 0)) {
        morph = null;
        commit(target, source);
        return;
      }
      morph = { from: { ...values }, to: target, ids, start: now, ms: seconds * 1000 };
    },
    morphing: () => morph !== null,
    trigger(name, at = clock()) {
      if (pending.length < MAX_PENDING_TRIGGERS) pending.push({ name, at });
    },
    takeTriggers() {
      if (pending.length === 0) return pending;
      const out = pending;
      pending = [];
      return out;
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** The value a fraction `w` of the way from `a` to `b`. */
function between(spec: ParamSpec, a: unknown, b: unknown, w: number): unknown {
  if (spec.kind !== 'num') return w < 0.5 ? a : b;
  const n = toNorm(spec, a as number) + (toNorm(spec, b as number) - toNorm(spec, a as number)) * w;
  return fromNorm(spec, n);
}

/** A normalised control value 0..1 → the parameter's value (for any kind). */
export function valueFromNorm(id: ParamId, norm: number): ParamValues[ParamId] {
  const spec: ParamSpec = PARAMS[id];
  const n = Math.min(1, Math.max(0, norm));
  if (spec.kind === 'num') return fromNorm(spec, n);
  if (spec.kind === 'bool') return n >= 0.5;
  return spec.options[Math.min(spec.options.length - 1, Math.floor(n * spec.options.length))] as ParamValues[ParamId];
}

/** A parameter's value → a normalised control value 0..1 (for any kind). */
export function normFromValue(id: ParamId, value: unknown): number {
  const spec: ParamSpec = PARAMS[id];
  if (spec.kind === 'num') return toNorm(spec, value as number);
  if (spec.kind === 'bool') return value ? 1 : 0;
  const i = spec.options.indexOf(value as string);
  return spec.options.length > 1 ? Math.max(0, i) / (spec.options.length - 1) : 0;
}

/**
 * Sanitizes every entry of `obj`; calls `onError(id, reason)` for each bad one (`reason` null:
 * not a parameter) and returns the good values.
 */
export function sanitizeEach(obj: Record<string, unknown>, onError: (id: string, reason: string | null) => void): Partial<ParamValues> {
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(obj)) {
    if (!isParamId(id)) {
      onError(id, null);
      continue;
    }
    const r = sanitizeReason(id, value);
    if (r.ok) out[id] = r.value;
    else onError(id, r.reason);
  }
  return out as Partial<ParamValues>;
}

/** Sanitizes every entry; returns the values or every error (naming `where` and the parameter). */
export function sanitizeAll(obj: Record<string, unknown>, where: string): { ok: true; values: Partial<ParamValues> } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const values = sanitizeEach(obj, (id, reason) => errors.push(reason === null ? `${where}: unknown parameter "${id}"` : `${where}: ${id}: ${reason}`));
  return errors.length ? { ok: false, errors } : { ok: true, values };
}
