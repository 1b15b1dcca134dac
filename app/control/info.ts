/** The audio input and the model, read-only. */
import type { UiState } from '../../controllers/ui/controlProtocol.js';
import { el, section } from './dom.js';

/** The info panel and the hook that shows a new state in it. */
export interface InfoPanel {
  root: HTMLElement;
  update(state: UiState): void;
}

/** The rows of the info panel: label and value. */
export function infoRows(state: UiState): [string, string][] {
  const { input, model } = state;
  return [
    ['input', input.name],
    ['rate', `${input.sampleRate} Hz, ${input.channels} ch`],
    ['routes', input.routes.map((r) => `${r.name} (${r.channels.map((c) => c + 1).join('+')})`).join(', ') || '—'],
    ['model', model.name],
    ['provider', model.provider],
    ['size', `${model.width}×${model.height}`],
  ];
}

/** Builds the input & model panel. */
export function createInfoPanel(): InfoPanel {
  const { root, body } = section('Input & model', 'info');
  const dl = el('dl');
  body.append(dl);
  let shown = '';
  return {
    root,
    update(state) {
      const rows = infoRows(state);
      const key = JSON.stringify(rows);
      if (key === shown) return;
      shown = key;
      dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
    },
  };
}
