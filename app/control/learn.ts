/**
 * MIDI learn buttons ("L"): one per parameter and trigger. Clicking arms learn for its target
 * (the next MIDI control moved binds it); the armed button blinks until the engine reports the
 * mapping learned or learn cancelled; clicking it again cancels.
 */
import type { UiState } from '../../controllers/ui/controlProtocol.js';
import type { TriggerName } from '../../controllers/commands.js';
import type { ParamId } from '../../engine/params/registry.js';
import { el, type ControlContext } from './dom.js';

/** Every learn button of the page, kept in step with `state.midi.learning`. */
export interface LearnButtons {
  /** A new button for `target`. */
  create(target: ParamId | TriggerName): HTMLButtonElement;
  /** Marks the armed one (or none) and enables the buttons only when MIDI is there. */
  update(state: UiState): void;
  /** A mapping was learned: nothing is armed any more. */
  learned(): void;
}

/** The page's learn buttons; `ctx` sends the learn requests. */
export function createLearnButtons(ctx: ControlContext): LearnButtons {
  const buttons = new Map<string, HTMLButtonElement>();
  let armed: string | null = null;
  const show = (): void => {
    for (const [t, b] of buttons) b.classList.toggle('armed', t === armed);
  };
  return {
    create(target) {
      const b = el('button', { class: 'learn', title: `MIDI learn: move a control to map it to ${target}`, 'data-learn': target }, 'L');
      b.addEventListener('click', (ev) => {
        ev.stopPropagation();
        armed = armed === target ? null : target;
        ctx.send({ type: 'learn', target: armed === null ? null : target });
        show();
      });
      b.addEventListener('dblclick', (ev) => ev.stopPropagation());
      buttons.set(target, b);
      return b;
    },
    update(state) {
      armed = state.midi?.learning ?? null;
      for (const b of buttons.values()) b.disabled = state.midi === null;
      show();
    },
    learned() {
      armed = null;
      show();
    },
  };
}
