/**
 * THE mapping layer: every controller (OSC, MIDI, the operator UI) turns its input into typed
 * commands and dispatches them here; this checks them against the registry and applies them to
 * the parameter store. Controllers never touch the store or the engine directly.
 */
import { sanitizeAll, valueFromNorm, type ParamStore } from '../engine/params/ParamStore.js';
import { defaultValues, isParamId, isShowState, PARAMS, type ParamId, type ParamSpec, type ParamValues } from '../engine/params/registry.js';
import type { InputRoute } from '../engine/audio/AudioBlock.js';
import { parseRoutes } from '../engine/audio/route.js';
import type { ControlCommand, ControlSource, DispatchResult, MorphTime, ShowSwitch } from './commands.js';
import { isTrigger, type TriggerName } from './commands.js';
import type { Preset } from './presets/Preset.js';
import { EFFECTS } from '../shaders/index.js';

/** Where presets come from (the preset library, or a fixed set in tests). */
export interface PresetSource {
  get(name: string): Preset | undefined;
  names(): string[];
}

export interface ControlHubOptions {
  store: ParamStore;
  presets: PresetSource;
  /** The show's current tempo (BPM), for morphs in beats; null when unknown. */
  tempo?: () => number | null;
  /** The preset the show started with, if any. */
  initialPreset?: Preset | null;
}

/** The loaded preset as the rest of the show sees it. */
export interface PresetState {
  name: string | null;
  /** Effect order from the preset (null: the default order). */
  chain: readonly string[] | null;
}

/** The running show's switches, as the hub drives them. */
export interface ShowSwitches {
  setInput(name: string, routes: InputRoute[] | null): Promise<void>;
  setModel(spec: string): Promise<void>;
}

export interface ControlHub {
  readonly store: ParamStore;
  /** Checks every command, then applies all of them as one change, or none (with the reasons). */
  dispatch(cmds: ControlCommand | readonly ControlCommand[], source: ControlSource): DispatchResult;
  presetState(): PresetState;
  /** Sets the effect order (null: the default); every name must be an effect, at most once. */
  setChain(order: readonly string[] | null): DispatchResult;
  /** The current look was saved as preset `name`: it is now the loaded preset. */
  presetSaved(name: string): void;
  /** Called after a preset load is accepted (MIDI takes its mappings and sends feedback). */
  onPreset(fn: (preset: Preset, source: ControlSource) => void): () => void;
  /**
   * Tempo from an external clock (MIDI clock); null hands tempo back to the analysis. `beatAt`:
   * the time (ms, `performance.now()`) of one of the clock's beats, where the clock knows them.
   */
  setClock(bpm: number | null, beatAt?: number | null): void;
  /** Called on every {@link setClock} but a repeated null (the show follows the clock). */
  onClock(fn: (bpm: number | null, beatAt: number | null) => void): () => void;
  /** The tempo used for beat-based morph times: the external clock's, else the show's. */
  tempo(): number | null;
  /** Connects the running show (it starts after the controls). */
  attachShow(show: ShowSwitches): void;
  /** Switches the show's input or model; rejects with the reason, the show unchanged, when it cannot. */
  switchShow(sw: ShowSwitch, source: ControlSource): Promise<void>;
}

/** Slack on range checks: an OSC float32 of 0.97 is 0.9700000286. */
const RANGE_SLACK = 1e-6;

/** Why a number is outside a parameter's range (null if inside, or not a number). */
function outOfRange(id: ParamId, value: unknown): string | null {
  const spec: ParamSpec = PARAMS[id];
  if (spec.kind !== 'num' || typeof value !== 'number' || !Number.isFinite(value)) return null;
  const [lo, hi] = spec.range;
  const slack = RANGE_SLACK * Math.max(1, hi - lo);
  return value < lo - slack || value > hi + slack ? `${id}: ${value} is outside ${lo}–${hi}` : null;
}

/** Tempo assumed for a morph in beats when none is known. */
export const FALLBACK_BPM = 120;

export function createControlHub(opts: ControlHubOptions): ControlHub {
  const { store, presets } = opts;
  let clockBpm: number | null = null;
  let loaded: PresetState = { name: opts.initialPreset?.name ?? null, chain: opts.initialPreset?.chain ?? null };
  const presetListeners = new Set<(p: Preset, s: ControlSource) => void>();
  const clockListeners = new Set<(bpm: number | null, beatAt: number | null) => void>();
  const tempo = (): number | null => clockBpm ?? opts.tempo?.() ?? null;
  let show: ShowSwitches | null = null;

  const morphSeconds = (m: MorphTime): number => ('seconds' in m ? m.seconds : (m.beats * 60) / (tempo() ?? FALLBACK_BPM));

  return {
    store,
    dispatch(input, source) {
      const cmds: readonly ControlCommand[] = Array.isArray(input) ? input : [input as ControlCommand];
      const errors: string[] = [];
      const sets: Record<string, unknown> = {};
      const triggers: TriggerName[] = [];
      let preset: { p: Preset; seconds: number } | null = null;
      for (const c of cmds) {
        switch (c.type) {
          case 'set':
          case 'setNorm': {
            if (!isParamId(c.id)) {
              errors.push(`unknown parameter "${String(c.id)}"`);
              break;
            }
            if (c.type === 'setNorm' && !(typeof c.norm === 'number' && Number.isFinite(c.norm) && c.norm >= 0 && c.norm <= 1)) {
              errors.push(`${c.id}: normalised value must be 0..1, got ${String(c.norm)}`);
              break;
            }
            if (c.type === 'set' && !c.clamp) {
              const bad = outOfRange(c.id, c.value);
              if (bad) {
                errors.push(bad);
                break;
              }
            }
            sets[c.id] = c.type === 'set' ? c.value : valueFromNorm(c.id, c.norm);
            break;
          }
          case 'trigger':
            if (isTrigger(c.name)) triggers.push(c.name);
            else errors.push(`unknown trigger "${String(c.name)}"`);
            break;
          case 'preset': {
            const p = typeof c.name === 'string' ? presets.get(c.name) : undefined;
            if (!p) errors.push(`unknown preset "${String(c.name)}" (have: ${presets.names().join(', ') || 'none'})`);
            else preset = { p, seconds: morphSeconds(c.morph ?? p.morph) };
            break;
          }
          default:
            errors.push(`unknown command ${JSON.stringify((c as { type?: unknown }).type)}`);
        }
      }
      const checked = sanitizeAll(sets, source);
      if (!checked.ok || errors.length) return { ok: false, errors: checked.ok ? errors : [...errors, ...checked.errors] };

      if (preset) {
        // A preset is a whole look: what it leaves out goes back to the default. It morphs;
        // explicit values in the same bundle win over it.
        const target: Partial<ParamValues> = { ...defaultValues(), ...preset.p.params };
        for (const id of Object.keys(target) as ParamId[]) if (id in checked.values || isShowState(id)) delete target[id];
        store.morph(target, preset.seconds, 'preset');
        loaded = { name: preset.p.name, chain: preset.p.chain ?? null };
        for (const fn of presetListeners) fn(preset.p, source);
      }
      const changed = store.apply(checked.values, source);
      for (const t of triggers) store.trigger(t);
      return { ok: true, changed };
    },
    presetState: () => loaded,
    setChain(order) {
      if (order !== null) {
        const unknown = order.filter((n) => !EFFECTS.some((e) => e.name === n));
        if (unknown.length) return { ok: false, errors: [`unknown effect ${unknown.map((n) => `"${n}"`).join(', ')}`] };
        if (new Set(order).size !== order.length) return { ok: false, errors: ['an effect is listed twice'] };
      }
      loaded = { ...loaded, chain: order && order.length ? [...order] : null };
      return { ok: true, changed: [] };
    },
    presetSaved(name) {
      loaded = { ...loaded, name };
    },
    onPreset(fn) {
      presetListeners.add(fn);
      return () => presetListeners.delete(fn);
    },
    setClock(bpm, beatAt = null) {
      const next = bpm !== null && Number.isFinite(bpm) && bpm > 0 ? bpm : null;
      const at = next !== null && beatAt !== null && Number.isFinite(beatAt) ? beatAt : null;
      if (next === null && clockBpm === null) return;
      clockBpm = next;
      for (const fn of clockListeners) fn(next, at);
    },
    onClock(fn) {
      clockListeners.add(fn);
      return () => clockListeners.delete(fn);
    },
    tempo,
    attachShow(s) {
      show = s;
    },
    async switchShow(sw) {
      if (!show) throw new Error('the show has not started yet');
      if (sw.type === 'model') return show.setModel(sw.model);
      const routes = sw.routes === null || sw.routes.trim() === '' ? null : parseRoutes(sw.routes);
      return show.setInput(sw.name, routes);
    },
  };
}
