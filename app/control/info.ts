/**
 * The audio input and the model: what runs (rate, routes, provider, size) and the choosers that
 * switch them live. The show keeps what it has until the new input delivers or the new model
 * has loaded; a refused switch comes back as a toast.
 */
import type { UiState } from '../../controllers/ui/controlProtocol.js';
import { formatRoutes } from '../../engine/audio/route.js';
import { el, section, type ControlContext } from './dom.js';

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

/** A text field that shows the engine's value (see {@link chooser}); `nodes` go into the page. */
interface Chooser {
  field: HTMLInputElement;
  /** The suggestions (`withList` only). */
  list: HTMLDataListElement;
  nodes: HTMLElement[];
  show(value: string): void;
  sent(): void;
}

/**
 * A text field, with suggestions when `withList`, that shows the engine's value until the
 * operator edits it; once the edit is sent (`sent`), it shows what the engine runs again,
 * switched or not.
 */
function chooser(id: string, placeholder: string, withList: boolean): Chooser {
  const field = el('input', { type: 'text', id, list: withList ? `${id}-choices` : undefined, placeholder, spellcheck: false, autocomplete: 'off' });
  const list = el('datalist', { id: `${id}-choices` });
  let shown: string | null = null;
  return {
    field,
    list,
    nodes: withList ? [field, list] : [field],
    show(value) {
      // An edit in progress stays; a new engine value replaces an untouched field.
      if (value === shown || document.activeElement === field) return;
      if (shown === null || field.value === shown) field.value = value;
      shown = value;
    },
    sent() {
      shown = null;
      field.blur();
    },
  };
}

/** Builds the input & model panel. */
export function createInfoPanel(ctx: ControlContext): InfoPanel {
  const { root, body, head } = section('Input & model', 'info');
  const dl = el('dl');
  const input = chooser('input-name', 'device, file or demo', true);
  const routes = chooser('input-routes', 'every channel', false);
  routes.field.title = 'Channel routing, 1-based: drums=1-2,keys=3 (empty: every channel mixed into main)';
  const model = chooser('model-name', 'builtin, builtin:N or a manifest path', true);
  const switchInput = el('button', { id: 'input-apply', title: 'Switch to this input and routing' }, 'Switch input');
  const loadModel = el('button', { id: 'model-apply', title: 'Load this model (the output keeps the current one until it is ready)' }, 'Load model');
  const rescan = el('button', { id: 'rescan', class: 'small', title: 'List the devices and models again' }, '↻');
  const busy = el('p', { class: 'busy', id: 'busy' });
  head.append(rescan);
  body.append(
    dl,
    el('div', { class: 'inline' }, ...input.nodes),
    el('div', { class: 'inline' }, ...routes.nodes, switchInput),
    el('div', { class: 'inline' }, ...model.nodes, loadModel),
    busy,
  );
  const doInput = (): void => {
    const name = input.field.value.trim();
    if (name === '') return ctx.toast('Name an input: a device, a file or demo');
    const spec = routes.field.value.trim();
    ctx.send({ type: 'input', name, routes: spec === '' ? null : spec });
    input.sent();
    routes.sent();
  };
  const doModel = (): void => {
    const spec = model.field.value.trim();
    if (spec === '') return ctx.toast('Name a model: builtin, builtin:N or a manifest path');
    ctx.send({ type: 'model', model: spec });
    model.sent();
  };
  switchInput.addEventListener('click', doInput);
  loadModel.addEventListener('click', doModel);
  rescan.addEventListener('click', () => ctx.send({ type: 'rescan' }));
  for (const f of [input.field, routes.field]) f.addEventListener('keydown', (ev) => ev.key === 'Enter' && doInput());
  model.field.addEventListener('keydown', (ev) => ev.key === 'Enter' && doModel());

  let shown = '';
  let shownChoices = '';
  return {
    root,
    update(state) {
      input.show(state.input.name);
      routes.show(formatRoutes(state.input.routes));
      model.show(state.model.spec);
      busy.textContent = state.busy ? `${state.busy}…` : '';
      switchInput.disabled = loadModel.disabled = state.busy !== null;
      const choicesKey = JSON.stringify(state.choices);
      if (choicesKey !== shownChoices) {
        shownChoices = choicesKey;
        input.list.replaceChildren(...state.choices.inputs.map((i) => el('option', { value: i.name }, i.channels ? `${i.channels} ch` : '')));
        model.list.replaceChildren(...state.choices.models.map((m) => el('option', { value: m })));
      }
      const rows = infoRows(state);
      const key = JSON.stringify(rows);
      if (key === shown) return;
      shown = key;
      dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
    },
  };
}
