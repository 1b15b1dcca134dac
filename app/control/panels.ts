/**
 * The parameter panels, generated from the registry and grouped by `group`: numbers as sliders
 * running 0..1 through the registry's curve (`toNorm`/`fromNorm`), switches as toggle buttons,
 * choices as selects. Double-click resets a control to its default.
 *
 * @remarks While a slider is dragged, sets are sent at most once per animation frame, and the
 * engine's echoes do not move the slider under the pointer; on release it shows the engine's value.
 */
import type { UiState } from '../../controllers/ui/controlProtocol.js';
import { fromNorm, PARAM_IDS, PARAMS, toNorm, type ParamGroup, type ParamId, type ParamSpec } from '../../engine/params/registry.js';
import { el, section, withUnit, type ControlContext } from './dom.js';
import type { LearnButtons } from './learn.js';

const GROUP_TITLES: Record<ParamGroup, string> = { motion: 'Motion', pulse: 'Pulse', class: 'Class', effects: 'Effects', output: 'Output' };

/** One panel per registry group, and the hook that shows a new state in them. */
export interface ParamPanels {
  groups: Map<ParamGroup, HTMLElement>;
  update(state: UiState): void;
}

interface Control {
  /** Shows a value from the engine. */
  show(value: unknown): void;
  /** True while the user holds it (the engine's values wait). */
  held(): boolean;
}

/** Queues sets and sends them once per animation frame (one message, the latest value per parameter). */
function createSetQueue(ctx: ControlContext): { set(id: ParamId, value: unknown): void; has(id: ParamId): boolean; flush(): void } {
  const pending = new Map<ParamId, unknown>();
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.size === 0) return;
    ctx.send({ type: 'command', commands: [...pending].map(([id, value]) => ({ type: 'set' as const, id, value })) });
    pending.clear();
  };
  return {
    set(id, value) {
      pending.set(id, value);
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(flush);
      // Hidden pages get no animation frames: a timer makes sure the change still goes out.
      setTimeout(() => scheduled && flush(), 100);
    },
    has: (id) => pending.has(id),
    flush,
  };
}

/** Builds a control per registry parameter, with its learn button, grouped in panels. */
export function createParamPanels(ctx: ControlContext, learn: LearnButtons): ParamPanels {
  const queue = createSetQueue(ctx);
  const controls = new Map<ParamId, Control>();
  const groups = new Map<ParamGroup, HTMLElement>();

  for (const id of PARAM_IDS) {
    const spec: ParamSpec = PARAMS[id];
    let g = groups.get(spec.group);
    if (!g) {
      const s = section(GROUP_TITLES[spec.group], `group-${spec.group}`);
      s.root.classList.add('params');
      groups.set(spec.group, s.root);
      g = s.root;
    }
    const { row, control } = paramRow(id, spec, queue, ctx);
    row.append(learn.create(id));
    g.querySelector('.body')!.append(row);
    controls.set(id, control);
  }

  return {
    groups,
    update(state) {
      for (const [id, c] of controls) if (!c.held() && !queue.has(id)) c.show(state.params[id]);
    },
  };
}

function paramRow(id: ParamId, spec: ParamSpec, queue: ReturnType<typeof createSetQueue>, ctx: ControlContext): { row: HTMLElement; control: Control } {
  const label = el('label', { title: spec.doc, for: `p-${id}` }, id);
  const row = el('div', { class: `row ${spec.kind}`, 'data-param': id, title: `${spec.doc} (double-click: default)` }, label);
  const set = (value: unknown): void => queue.set(id, value);
  row.addEventListener('dblclick', () => {
    control.show(spec.default);
    set(spec.default);
    queue.flush();
  });
  let control: Control;
  if (spec.kind === 'num') {
    const input = el('input', { type: 'range', id: `p-${id}`, min: 0, max: 1, step: 0.001, value: toNorm(spec, spec.default) });
    const out = el('output', { for: `p-${id}` }, withUnit(spec, spec.default));
    let holding = false;
    input.addEventListener('pointerdown', () => (holding = true));
    const release = (): void => {
      if (!holding) return;
      holding = false;
      queue.flush();
      const s = ctx.state();
      if (s) control.show(s.params[id]);
    };
    window.addEventListener('pointerup', release);
    window.addEventListener('pointercancel', release);
    input.addEventListener('input', () => {
      const v = fromNorm(spec, Number(input.value));
      out.textContent = withUnit(spec, v);
      set(v);
    });
    input.addEventListener('change', () => queue.flush());
    control = {
      held: () => holding,
      show(v) {
        if (typeof v !== 'number') return;
        input.value = String(toNorm(spec, v));
        out.textContent = withUnit(spec, v);
      },
    };
    row.append(input, out);
  } else if (spec.kind === 'bool') {
    const button = el('button', { class: 'toggle', id: `p-${id}`, 'aria-pressed': String(spec.default) }, spec.default ? 'on' : 'off');
    let value = spec.default;
    button.addEventListener('click', () => {
      control.show(!value);
      set(value);
      queue.flush();
    });
    control = {
      held: () => false,
      show(v) {
        if (typeof v !== 'boolean') return;
        value = v;
        button.textContent = v ? 'on' : 'off';
        button.classList.toggle('on', v);
        button.setAttribute('aria-pressed', String(v));
      },
    };
    row.append(button);
  } else {
    const select = el('select', { id: `p-${id}` }, ...spec.options.map((o) => el('option', { value: o }, o)));
    select.value = spec.default;
    select.addEventListener('change', () => {
      set(select.value);
      queue.flush();
    });
    control = {
      held: () => false,
      show(v) {
        if (typeof v === 'string') select.value = v;
      },
    };
    row.append(select);
  }
  control.show(spec.default);
  return { row, control };
}
