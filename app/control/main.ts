/**
 * The operator's control page: parameter panels generated from the registry, the effect chain,
 * a live preview of the output, meters, presets, MIDI and show safety, all over one WebSocket
 * to the engine (controllers/ui/controlProtocol.ts). Every change goes to the engine; what the
 * page shows comes back from it, so two open pages stay in step.
 */
import type { UiEvent, UiState } from '../../controllers/ui/controlProtocol.js';
import { createChainPanel } from './chain.js';
import { connect, controlSocketUrl } from './connection.js';
import { el, section, type ControlContext } from './dom.js';
import { createInfoPanel } from './info.js';
import { createLearnButtons } from './learn.js';
import { createMetersPanel } from './meters.js';
import { describeControl, describeTarget, createMidiPanel } from './midi.js';
import { createParamPanels } from './panels.js';
import { createPresetsPanel } from './presets.js';
import { createShowControls } from './showKeys.js';

/** What the browser tests read. */
const debug: { state: UiState | null; connected: boolean; sent: number } = { state: null, connected: false, sent: 0 };
(window as unknown as { __vjControl: typeof debug }).__vjControl = debug;

const toasts = document.getElementById('toasts') as HTMLElement;
function toast(message: string, kind: 'error' | 'info' = 'error'): void {
  const t = el('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  toasts.append(t);
  setTimeout(() => t.remove(), 4000);
}

const url = controlSocketUrl(location);
const statusEl = el('span', { class: 'status', id: 'status' }, 'connecting');
const presetEl = el('span', { class: 'current-preset', id: 'current-preset' });
let lastRefusal = 0;
const conn = connect(url, {
  status(up) {
    debug.connected = up;
    statusEl.textContent = up ? 'connected' : 'reconnecting';
    statusEl.classList.toggle('up', up);
    document.body.classList.toggle('offline', !up);
  },
  event: onEvent,
});

const ctx: ControlContext = {
  send(req) {
    if (conn.send(req)) debug.sent++;
    else if (performance.now() - lastRefusal > 2000) {
      lastRefusal = performance.now();
      toast('Not connected to the engine: the change was not sent');
    }
  },
  state: () => debug.state,
  toast,
};

const learn = createLearnButtons(ctx);
const params = createParamPanels(ctx, learn);
const chain = createChainPanel(ctx);
const meters = createMetersPanel();
const presets = createPresetsPanel(ctx);
const midi = createMidiPanel(ctx);
const info = createInfoPanel(ctx);
const showControls = createShowControls(ctx, learn);

/** The output, small; hidden on request (it renders a second copy of the show: CPU and GPU). */
function createPreview(): HTMLElement {
  const { root, body, head } = section('Preview', 'preview');
  const toggle = el('button', { class: 'small', id: 'preview-toggle' });
  head.append(toggle);
  const frame = el('div', { class: 'preview-frame' });
  body.append(frame);
  const stored = localStorage.getItem('vj.preview');
  let on = new URLSearchParams(location.search).get('preview') !== 'off' && stored !== 'off';
  const show = (): void => {
    toggle.textContent = on ? 'hide' : 'show';
    frame.replaceChildren(on ? el('iframe', { src: '/?aspect=fit', title: 'output preview', width: 320, height: 180 }) : el('span', { class: 'dim' }, 'preview hidden'));
  };
  toggle.addEventListener('click', () => {
    on = !on;
    localStorage.setItem('vj.preview', on ? 'on' : 'off');
    show();
  });
  show();
  return root;
}

const group = (g: 'motion' | 'pulse' | 'class' | 'effects' | 'output'): HTMLElement => params.groups.get(g)!;
document.getElementById('top')!.append(el('h1', {}, 'vj control'), statusEl, presetEl, showControls.root);
document.getElementById('main')!.append(
  el('div', { class: 'col' }, group('motion'), group('pulse'), group('class')),
  el('div', { class: 'col' }, group('effects'), group('output'), chain.root),
  el('div', { class: 'col' }, createPreview(), meters.root),
  el('div', { class: 'col' }, presets.root, midi.root, info.root),
);

function onEvent(ev: UiEvent): void {
  switch (ev.type) {
    case 'state': {
      const state = ev.state;
      debug.state = state;
      presetEl.textContent = state.preset ?? 'no preset';
      for (const p of [learn, params, chain, meters, presets, midi, info, showControls]) p.update(state);
      break;
    }
    case 'meters':
      meters.meters(ev.meters);
      break;
    case 'error':
      toast(ev.message);
      // A refused change changed nothing: the controls go back to the engine's values.
      if (debug.state) for (const p of [params, chain, showControls]) p.update(debug.state);
      break;
    case 'learned':
      learn.learned();
      toast(`Learned: ${describeControl(ev.mapping)} → ${describeTarget(ev.mapping)}`, 'info');
      break;
  }
}
