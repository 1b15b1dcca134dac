/**
 * Presets: the list (current one highlighted), loading with an optional morph time, Save over
 * the current preset and Save as a new name.
 */
import type { UiState } from '../../controllers/ui/controlProtocol.js';
import type { LoadPreset } from '../../controllers/commands.js';
import { el, section, type ControlContext } from './dom.js';

/** Names a preset may have (the file name in the presets folder). */
export const PRESET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The presets panel and the hook that shows a new state in it. */
export interface PresetsPanel {
  root: HTMLElement;
  update(state: UiState): void;
}

/** The load command: the preset's own morph time when `morphField` is empty, else those seconds. */
export function loadCommand(name: string, morphField: string): LoadPreset {
  const seconds = morphField.trim() === '' ? NaN : Number(morphField);
  return Number.isFinite(seconds) && seconds >= 0 ? { type: 'preset', name, morph: { seconds } } : { type: 'preset', name };
}

/** Builds the presets panel. */
export function createPresetsPanel(ctx: ControlContext): PresetsPanel {
  const { root, body } = section('Presets', 'presets');
  const list = el('div', { class: 'preset-list' });
  const morph = el('input', { type: 'number', id: 'morph', min: 0, max: 600, step: 0.5, placeholder: 'own', title: 'Morph time in seconds (empty: the preset\'s own)' });
  const save = el('button', { id: 'save', title: 'Save the current look over the current preset' }, 'Save');
  const saveAsName = el('input', { type: 'text', id: 'save-as-name', placeholder: 'new name', maxlength: 64, spellcheck: false, autocomplete: 'off' });
  const saveAs = el('button', { id: 'save-as', title: 'Save the current look as a new preset' }, 'Save as');
  body.append(
    list,
    el('div', { class: 'inline' }, el('label', { for: 'morph' }, 'morph s'), morph, save),
    el('div', { class: 'inline' }, saveAsName, saveAs),
  );

  save.addEventListener('click', () => {
    const name = ctx.state()?.preset;
    if (name) ctx.send({ type: 'savePreset', name });
  });
  const doSaveAs = (): void => {
    const name = saveAsName.value.trim();
    if (!PRESET_NAME.test(name)) {
      saveAsName.classList.add('invalid');
      ctx.toast('A preset name: letters, digits, then also _ . - (up to 64, starting with a letter or digit)');
      return;
    }
    saveAsName.classList.remove('invalid');
    ctx.send({ type: 'savePreset', name });
    saveAsName.value = '';
  };
  saveAs.addEventListener('click', doSaveAs);
  saveAsName.addEventListener('keydown', (ev) => ev.key === 'Enter' && doSaveAs());
  saveAsName.addEventListener('input', () => saveAsName.classList.toggle('invalid', saveAsName.value !== '' && !PRESET_NAME.test(saveAsName.value.trim())));

  let shown = '';
  return {
    root,
    update(state) {
      save.disabled = state.preset === null;
      save.title = state.preset ? `Save the current look over "${state.preset}"` : 'No preset loaded: use Save as';
      const key = JSON.stringify([state.presets, state.preset]);
      if (key === shown) return;
      shown = key;
      list.replaceChildren(...state.presets.map((p) => {
        const b = el('button', { class: `preset${p.name === state.preset ? ' current' : ''}`, 'data-preset': p.name, title: p.description ?? p.name }, p.name);
        b.addEventListener('click', () => ctx.send({ type: 'command', commands: [loadCommand(p.name, morph.value)] }));
        return b;
      }));
    },
  };
}
