/**
 * The live meters (about 20 Hz from the engine): input levels in dB, the three bands, onset and
 * beat lamps, BPM, the pulse and motion drive, a 12-pitch-class wheel, and the engine's stats.
 */
import type { UiMeters, UiState } from '../../controllers/ui/controlProtocol.js';
import { el, fmt, section } from './dom.js';

/** The pitch classes, C first, as the chroma comes. */
export const PITCH_CLASSES = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B'];

/** The meters panel, and the hooks for new meters and a new state (the input routes). */
export interface MetersPanel {
  root: HTMLElement;
  meters(m: UiMeters): void;
  update(state: UiState): void;
}

/** How fast a bar falls back (fraction of its length per second): short hits stay visible. */
export const FALL_PER_SECOND = 1.5;

/** A bar's next length: up at once, down at most {@link FALL_PER_SECOND} × `dt`. */
export function ballistic(shown: number, value: number, dt: number): number {
  return Math.max(value, shown - FALL_PER_SECOND * dt);
}

/** The bar fraction 0..1 of a level, −60..0 dBFS. */
export function dbFraction(db: number): number {
  return Number.isFinite(db) ? Math.min(1, Math.max(0, (db + 60) / 60)) : 0;
}

interface Bar {
  row: HTMLElement;
  /** Shows `fraction` (with the fall-back over `dt` seconds) and `text`. */
  set(fraction: number, text: string, dt: number, hot?: boolean): void;
}

function bar(name: string): Bar {
  const fill = el('div', { class: 'fill' });
  const text = el('span', { class: 'num' });
  const row = el('div', { class: 'meter' }, el('span', { class: 'mname' }, name), el('div', { class: 'bar' }, fill), text);
  let shown = 0;
  return {
    row,
    set(f, t, dt, hot = false) {
      shown = ballistic(shown, f, dt);
      fill.style.width = `${(shown * 100).toFixed(1)}%`;
      fill.classList.toggle('hot', hot);
      text.textContent = t;
    },
  };
}

function lamp(name: string): { root: HTMLElement; flash(): void } {
  const root = el('span', { class: 'lamp' }, name);
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    root,
    flash() {
      root.classList.add('lit');
      clearTimeout(timer);
      timer = setTimeout(() => root.classList.remove('lit'), 120);
    },
  };
}

/** Draws the chroma wheel: 12 wedges, C at the top going clockwise, radius by value 0..1. */
export function drawWheel(canvas: HTMLCanvasElement, chroma: readonly number[]): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const size = canvas.width;
  const c = size / 2;
  const outer = c - 14 * (size / 150);
  const inner = outer * 0.12;
  ctx.clearRect(0, 0, size, size);
  ctx.font = `${Math.round(size / 15)}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < 12; i++) {
    const a0 = ((i - 0.5) / 12) * 2 * Math.PI - Math.PI / 2;
    const a1 = a0 + (2 * Math.PI) / 12;
    const v = Math.min(1, Math.max(0, chroma[i] ?? 0));
    ctx.beginPath();
    ctx.moveTo(c, c);
    ctx.arc(c, c, outer, a0, a1);
    ctx.closePath();
    ctx.fillStyle = '#1c1f26';
    ctx.fill();
    ctx.beginPath();
    ctx.moveTo(c, c);
    ctx.arc(c, c, inner + v * (outer - inner), a0 + 0.02, a1 - 0.02);
    ctx.closePath();
    ctx.fillStyle = `hsl(${i * 30}, 75%, ${35 + 25 * v}%)`;
    ctx.fill();
    const am = (a0 + a1) / 2;
    ctx.fillStyle = '#9aa3b2';
    ctx.fillText(PITCH_CLASSES[i], c + Math.cos(am) * (outer + 8 * (size / 150)), c + Math.sin(am) * (outer + 8 * (size / 150)));
  }
}

/** Builds the meters panel (the level rows follow the input routes of the state). */
export function createMetersPanel(): MetersPanel {
  const { root, body } = section('Meters', 'meters');
  const levels = el('div', { class: 'levels' });
  const bands = ['low', 'mid', 'high'].map(bar);
  const pulse = bar('pulse');
  const motion = bar('motion');
  const onset = lamp('onset');
  const beat = lamp('beat');
  const bpm = el('span', { class: 'bpm' }, '— BPM');
  const wheel = el('canvas', { class: 'wheel', width: 300, height: 300 });
  const stats = el('div', { class: 'stats dim' }, '—');
  const bars = el('div', { class: 'bars' }, levels, ...bands.map((b) => b.row), pulse.row, motion.row, el('div', { class: 'lamps' }, onset.root, beat.root, bpm));
  body.append(el('div', { class: 'meters-grid' }, bars, wheel), stats);
  drawWheel(wheel, []);

  let levelBars: Bar[] = [];
  let routesKey = '';
  let last = performance.now();
  return {
    root,
    update(state) {
      const names = state.input.routes.map((r) => r.name);
      if (names.join('\u0000') === routesKey) return;
      routesKey = names.join('\u0000');
      levelBars = names.map(bar);
      levels.replaceChildren(...levelBars.map((b) => b.row));
    },
    meters(m) {
      const now = performance.now();
      const dt = Math.min(1, (now - last) / 1000);
      last = now;
      m.levelsDb.forEach((db, i) => levelBars[i]?.set(dbFraction(db), db > -120 ? `${db.toFixed(0)} dB` : '−∞ dB', dt, db > -3));
      m.bands.forEach((v, i) => bands[i].set(v, v.toFixed(2), dt));
      pulse.set(m.pulse, m.pulse.toFixed(2), dt);
      motion.set(m.motion, m.motion.toFixed(2), dt);
      if (m.onset) onset.flash();
      if (m.beat) beat.flash();
      bpm.textContent = m.bpm > 0 ? `${m.bpm.toFixed(1)} BPM` : '— BPM';
      drawWheel(wheel, m.chroma);
      const s = m.stats;
      const ms = (v: number | null): string => (v === null ? '—' : `${fmt(v)} ms`);
      stats.textContent = `inference ${s.inferenceFps.toFixed(1)} fps · output ${s.outputFps.toFixed(1)} fps · latency p50 ${ms(s.latencyP50)} / p95 ${ms(s.latencyP95)} · outputs ${s.outputs}`;
    },
  };
}
