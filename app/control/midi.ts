/**
 * MIDI: the devices, and the mapping list with its edits (range, curve, invert, delete), each
 * sent as the whole edited list.
 */
import type { UiState } from '../../controllers/ui/controlProtocol.js';
import type { MappingCurve, MidiMapping } from '../../controllers/midi/MidiMapping.js';
import { PARAMS, type ParamSpec } from '../../engine/params/registry.js';
import { el, section, type ControlContext } from './dom.js';

const CURVES: readonly MappingCurve[] = ['linear', 'exponential', 'logarithmic'];

/** A mapping of a continuous control (CC or pitch bend) to a parameter. */
type Continuous = MidiMapping & { kind: 'cc' | 'pitch' };

/** The MIDI panel and the hook that shows a new state in it. */
export interface MidiPanel {
  root: HTMLElement;
  update(state: UiState): void;
}

/** The control a mapping listens to, as the list shows it (`ch1 CC 20`, `any bend`). */
export function describeControl(m: MidiMapping): string {
  const ch = m.channel === undefined ? 'any' : `ch${m.channel}`;
  switch (m.kind) {
    case 'cc': return `${ch} CC ${m.controller}${m.lsb === undefined ? '' : `/${m.lsb}`}`;
    case 'pitch': return `${ch} bend`;
    case 'note': return `${ch} note ${m.note} ${m.action}`;
    case 'program': return `${ch} program`;
  }
}

/** What a mapping drives. */
export function describeTarget(m: MidiMapping): string {
  if (m.kind === 'cc' || m.kind === 'pitch') return m.param;
  if (m.kind === 'note') return m.target;
  return m.presets?.join(', ') ?? 'all presets';
}

/**
 * A continuous mapping with its range set from two fields: both empty → no range (the parameter's
 * own); one empty → that end of the parameter's range. Null when a field is not a number.
 */
export function withRange<M extends Continuous>(m: M, lo: string, hi: string): M | null {
  const { range: _old, ...rest } = m;
  if (lo.trim() === '' && hi.trim() === '') return rest as M;
  const spec: ParamSpec = PARAMS[m.param];
  const ends = spec.kind === 'num' ? spec.range : [0, 1];
  const a = lo.trim() === '' ? ends[0] : Number(lo);
  const b = hi.trim() === '' ? ends[1] : Number(hi);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  return { ...rest, range: [a, b] } as M;
}

/** Builds the MIDI panel; the mapping list is never rebuilt while the user edits in it. */
export function createMidiPanel(ctx: ControlContext): MidiPanel {
  const { root, body } = section('MIDI', 'midi');
  const devices = el('div', { class: 'devices' });
  const table = el('table', { class: 'mappings' });
  body.append(devices, el('div', { class: 'scroll-x' }, table));
  let mappings: MidiMapping[] = [];
  let shown = '';
  let waiting: UiState | null = null;

  const send = (next: MidiMapping[]): void => ctx.send({ type: 'mappings', mappings: next });
  /** Edits mapping `i` of the latest list (another UI may have edited it meanwhile). */
  const edit = (i: number, f: (m: Continuous) => Continuous | null): void => {
    const cur = mappings[i];
    const next = cur && (cur.kind === 'cc' || cur.kind === 'pitch') ? f(cur) : null;
    if (next) send(mappings.map((x, j) => (j === i ? next : x)));
  };

  const row = (m: MidiMapping, i: number): HTMLElement => {
    const del = el('button', { class: 'small', title: 'Delete this mapping' }, '✕');
    del.addEventListener('click', () => send(mappings.filter((_, j) => j !== i)));
    const cells: (Node | string)[] = [];
    if (m.kind === 'cc' || m.kind === 'pitch') {
      const spec: ParamSpec = PARAMS[m.param];
      const ends = spec.kind === 'num' ? spec.range : [0, 1];
      const lo = el('input', { type: 'number', class: 'range', step: 'any', placeholder: String(ends[0]), value: m.range?.[0] });
      const hi = el('input', { type: 'number', class: 'range', step: 'any', placeholder: String(ends[1]), value: m.range?.[1] });
      const onRange = (): void => edit(i, (cur) => {
        const next = withRange(cur, lo.value, hi.value);
        if (!next) ctx.toast('A range needs two numbers');
        return next;
      });
      lo.addEventListener('change', onRange);
      hi.addEventListener('change', onRange);
      const curve = el('select', { class: 'curve' }, ...CURVES.map((c) => el('option', { value: c }, c.slice(0, 3))));
      curve.value = m.curve;
      curve.addEventListener('change', () => edit(i, (cur) => ({ ...cur, curve: curve.value as MappingCurve })));
      const invert = el('input', { type: 'checkbox', class: 'invert', checked: m.invert, title: 'invert' });
      invert.addEventListener('change', () => edit(i, (cur) => ({ ...cur, invert: invert.checked })));
      cells.push(el('td', {}, lo, hi), el('td', {}, curve), el('td', {}, invert));
    } else {
      cells.push(el('td', { class: 'dim' }, '—'), el('td', { class: 'dim' }, '—'), el('td', { class: 'dim' }, '—'));
    }
    return el('tr', { title: m.device ? `device: ${m.device}` : 'any device' },
      el('td', {}, m.kind), el('td', {}, describeControl(m)), el('td', {}, describeTarget(m)), ...cells, el('td', {}, del));
  };

  const render = (state: UiState): void => {
    const midi = state.midi;
    const key = JSON.stringify(midi && [midi.inputs, midi.outputs, midi.mappings]);
    if (key === shown) return;
    shown = key;
    if (!midi) {
      mappings = [];
      devices.replaceChildren(el('p', { class: 'dim' }, 'MIDI unavailable'));
      table.replaceChildren();
      return;
    }
    mappings = midi.mappings;
    devices.replaceChildren(
      el('div', {}, el('b', {}, 'in '), midi.inputs.length ? midi.inputs.join(', ') : el('span', { class: 'dim' }, 'none')),
      el('div', {}, el('b', {}, 'out '), midi.outputs.length ? midi.outputs.join(', ') : el('span', { class: 'dim' }, 'none')),
    );
    const head = el('tr', {}, ...['kind', 'control', 'target', 'range', 'curve', 'inv', ''].map((h) => el('th', {}, h)));
    const rows = mappings.map(row);
    table.replaceChildren(head, ...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 7, class: 'dim' }, 'no mappings: press L beside a control, then move a knob'))]));
  };

  // Never rebuild the list under the user's typing: wait until the focus leaves it.
  table.addEventListener('focusout', () => setTimeout(() => {
    if (waiting && !table.contains(document.activeElement)) {
      render(waiting);
      waiting = null;
    }
  }));
  return {
    root,
    update(state) {
      mappings = state.midi?.mappings ?? [];
      if (table.contains(document.activeElement)) waiting = state;
      else render(state);
    },
  };
}
