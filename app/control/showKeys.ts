/**
 * Show safety: the big BLACKOUT and FREEZE buttons, the trigger buttons, the keyboard (B
 * blackout, F freeze, Space or T tap, Enter flash, K keyframe, S shuffle; ignored while typing
 * in a field), and no accidental reload (F5 / Ctrl+R / Cmd+R are swallowed, leaving asks).
 */
import type { UiState } from '../../controllers/ui/controlProtocol.js';
import { TRIGGERS, type TriggerName } from '../../controllers/commands.js';
import { el, isTyping, type ControlContext } from './dom.js';
import type { LearnButtons } from './learn.js';

type Panic = 'blackout' | 'freeze';

/** Keys (as `KeyboardEvent.key`, lower case) and what they do. */
export const KEYS: Readonly<Record<string, Panic | TriggerName>> = { b: 'blackout', f: 'freeze', t: 'tap', ' ': 'tap', enter: 'flash', k: 'keyframe', s: 'shuffle' };

/** The legend shown on the page. */
export const KEY_LEGEND: readonly [string, string][] = [['B', 'blackout'], ['F', 'freeze'], ['Space / T', 'tap'], ['Enter', 'flash'], ['K', 'keyframe'], ['S', 'shuffle']];

/** The show bar and the hook that shows a new state in it. */
export interface ShowControls {
  root: HTMLElement;
  update(state: UiState): void;
}

/** Whether a key press would reload the page (F5, Ctrl+R, Cmd+R, with or without Shift). */
export function isReloadKey(ev: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey'>): boolean {
  return ev.key === 'F5' || ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === 'r');
}

/** Builds the show bar and installs the page's keyboard and reload guards (once per page). */
export function createShowControls(ctx: ControlContext, learn: LearnButtons): ShowControls {
  /** The panic values as last sent or seen, so two quick presses toggle twice. */
  const panic: Record<Panic, boolean> = { blackout: false, freeze: false };
  const big: Record<Panic, HTMLButtonElement> = {
    blackout: el('button', { class: 'panic', id: 'blackout', title: 'Every output black (B)' }, 'BLACKOUT'),
    freeze: el('button', { class: 'panic', id: 'freeze', title: 'Every output holds its picture (F)' }, 'FREEZE'),
  };
  const togglePanic = (id: Panic): void => {
    if (!ctx.state()) return;
    panic[id] = !panic[id];
    big[id].classList.toggle('lit', panic[id]);
    ctx.send({ type: 'command', commands: [{ type: 'set', id, value: panic[id] }] });
  };
  const fire = (name: TriggerName): void => ctx.send({ type: 'command', commands: [{ type: 'trigger', name }] });
  big.blackout.addEventListener('click', () => togglePanic('blackout'));
  big.freeze.addEventListener('click', () => togglePanic('freeze'));

  const triggers = TRIGGERS.map((name) => {
    const b = el('button', { class: 'trigger', 'data-trigger': name }, name.toUpperCase());
    b.addEventListener('click', () => fire(name));
    return el('span', { class: 'with-learn' }, b, learn.create(name));
  });
  const legend = el('div', { class: 'legend' }, ...KEY_LEGEND.flatMap(([k, what]) => [el('kbd', {}, k), ` ${what} `]));
  const root = el('div', { class: 'show' }, ...triggers, big.blackout, big.freeze, legend);

  window.addEventListener('keydown', (ev) => {
    if (isReloadKey(ev)) {
      ev.preventDefault();
      ctx.toast('Reload is off during the show (close the tab to leave)', 'info');
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || isTyping(ev.target)) return;
    const action = KEYS[ev.key.toLowerCase()];
    if (!action) return;
    ev.preventDefault();
    if (ev.repeat) return;
    if (action === 'blackout' || action === 'freeze') togglePanic(action);
    else fire(action);
  });
  window.addEventListener('beforeunload', (ev) => {
    ev.preventDefault();
    ev.returnValue = '';
  });
  // A clicked button keeps no focus, so Space and Enter stay the show's keys.
  document.addEventListener('click', (ev) => {
    const b = ev.target instanceof Element ? ev.target.closest('button') : null;
    if (b) b.blur();
  });

  return {
    root,
    update(state) {
      for (const id of ['blackout', 'freeze'] as const) {
        panic[id] = state.params[id];
        big[id].classList.toggle('lit', panic[id]);
        big[id].setAttribute('aria-pressed', String(panic[id]));
      }
    },
  };
}
