/**
 * Small DOM helpers for the control page (no framework): element creation, number formatting,
 * and the context every panel is given.
 */
import type { UiRequest, UiState } from '../../controllers/ui/controlProtocol.js';
import type { NumParam } from '../../engine/params/registry.js';

/** What a panel may do: send a request, read the latest state, show a message. */
export interface ControlContext {
  send(req: UiRequest): void;
  /** The latest state from the engine (null before the first). */
  state(): UiState | null;
  /** Shows a message for 4 s (an error unless `info`). */
  toast(message: string, kind?: 'error' | 'info'): void;
}

type Attrs = Record<string, string | number | boolean | undefined>;

/**
 * Creates an element: `attrs` become attributes (`class`, `title`, `data-*`…; `false` and
 * `undefined` are left out), `children` are appended (strings as text).
 */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children);
  return e;
}

/** A titled panel section; returns the section and its body. */
export function section(title: string, id: string): { root: HTMLElement; body: HTMLElement; head: HTMLElement } {
  const head = el('h2', {}, title);
  const body = el('div', { class: 'body' });
  const root = el('section', { id }, head, body);
  return { root, body, head };
}

/** A number shown with about three significant digits (whole numbers as they are). */
export function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
}

/** A parameter's value with its unit, as the UI shows it (`0.50×`, `12.0 fpm`). */
export function withUnit(spec: NumParam, v: number): string {
  const n = spec.integer ? String(Math.round(v)) : fmt(v);
  return spec.unit === 'x' ? `${n}×` : spec.unit === 'count' ? n : `${n} ${spec.unit}`;
}

/** Whether a key event comes from a field the user types into (keys go to it, not to the show). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['range', 'checkbox', 'button', 'radio'].includes(target.type);
}
