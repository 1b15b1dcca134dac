/**
 * The effect chain: every effect in the engine's order, each with on/off and up/down. An effect
 * is on when its parameter makes it active; off sets the parameter to 0, on restores the last
 * value seen while it was on (else the default when that is on, else a quarter of the range).
 */
import type { UiState } from '../../controllers/ui/controlProtocol.js';
import { fromNorm, PARAMS, type NumParam, type ParamId, type ParamSpec, type ParamValues } from '../../engine/params/registry.js';
import { EFFECTS, type Effect } from '../../shaders/index.js';
import { el, section, withUnit, type ControlContext } from './dom.js';

/** The chain panel and the hook that shows a new state in it. */
export interface ChainPanel {
  root: HTMLElement;
  update(state: UiState): void;
}

/** The number parameter that switches an effect (its first input bound to a parameter). */
export function effectParam(e: Effect): { id: ParamId; spec: NumParam } | null {
  for (const input of e.inputs) {
    if (!input.param) continue;
    const spec: ParamSpec = PARAMS[input.param];
    if (spec.kind === 'num') return { id: input.param, spec };
  }
  return null;
}

/** The value that turns an effect on: the last one seen on, else the default if on, else 25 %. */
export function onValue(e: Effect, spec: NumParam, params: ParamValues, lastOn: number | undefined, id: ParamId): number {
  if (lastOn !== undefined) return lastOn;
  if (spec.default !== 0 && e.active({ ...params, [id]: spec.default })) return spec.default;
  return fromNorm(spec, 0.25);
}

/** Builds the effect chain panel (rows for every effect in `EFFECTS`, ordered by the state). */
export function createChainPanel(ctx: ControlContext): ChainPanel {
  const { root, body } = section('Effect chain', 'chain');
  const list = el('ol', { class: 'chain' });
  body.append(list);
  /** The last value of each effect's parameter while it was on. */
  const lastOn = new Map<ParamId, number>();
  let order: string[] = EFFECTS.map((e) => e.name);

  const move = (name: string, by: -1 | 1): void => {
    const i = order.indexOf(name);
    const j = i + by;
    if (i < 0 || j < 0 || j >= order.length) return;
    const next = [...order];
    [next[i], next[j]] = [next[j], next[i]];
    ctx.send({ type: 'chain', order: next });
  };

  const toggle = (e: Effect): void => {
    const state = ctx.state();
    const p = effectParam(e);
    if (!state || !p) return;
    const on = e.active(state.params);
    const value = on ? 0 : onValue(e, p.spec, state.params, lastOn.get(p.id), p.id);
    ctx.send({ type: 'command', commands: [{ type: 'set', id: p.id, value }] });
  };

  const rows = new Map<string, { li: HTMLElement; button: HTMLButtonElement; info: HTMLElement; up: HTMLButtonElement; down: HTMLButtonElement }>();
  for (const e of EFFECTS) {
    const p = effectParam(e);
    const button = el('button', { class: 'toggle', title: p ? `${p.id}: 0 turns it off` : '' }, 'off');
    button.addEventListener('click', () => toggle(e));
    const up = el('button', { class: 'small', title: 'earlier in the chain' }, '↑');
    up.addEventListener('click', () => move(e.name, -1));
    const down = el('button', { class: 'small', title: 'later in the chain' }, '↓');
    down.addEventListener('click', () => move(e.name, 1));
    const info = el('span', { class: 'dim value', title: p ? p.id : '' });
    const li = el('li', { 'data-effect': e.name }, button, el('span', { class: 'name' }, e.name), info, up, down);
    rows.set(e.name, { li, button, info, up, down });
  }
  let shown = '';

  return {
    root,
    update(state) {
      order = [...state.chain.filter((n) => rows.has(n)), ...EFFECTS.map((e) => e.name).filter((n) => !state.chain.includes(n))];
      if (order.join() !== shown) {
        shown = order.join();
        list.replaceChildren(...order.map((n) => rows.get(n)!.li));
      }
      order.forEach((name, i) => {
        const e = EFFECTS.find((x) => x.name === name)!;
        const r = rows.get(name)!;
        const p = effectParam(e);
        const on = e.active(state.params);
        const value = p ? (state.params[p.id] as number) : 0;
        if (p && on) lastOn.set(p.id, value);
        r.li.classList.toggle('on', on);
        r.button.classList.toggle('on', on);
        r.button.textContent = on ? 'on' : 'off';
        r.button.setAttribute('aria-pressed', String(on));
        r.info.textContent = p ? withUnit(p.spec, value) : '';
        r.up.disabled = i === 0;
        r.down.disabled = i === order.length - 1;
      });
    },
  };
}
