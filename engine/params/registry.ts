/**
 * THE parameter registry: every react parameter, once, as data. OSC addresses, MIDI scaling,
 * the preset schema, the UI and the docs are derived from it; nothing else defines a parameter.
 * Names and defaults are Lucid Sonic Dreams' where it has them (deviations in `doc`).
 */

/** How a normalised control value 0..1 maps onto the range. */
export type Curve = 'lin' | 'exp' | 'log';
export type Unit = 'x' | 's' | 'fpm' | 'sd' | 'count' | 'deg/s';
export type ParamGroup = 'motion' | 'pulse' | 'class' | 'effects' | 'output';

interface Base<G extends ParamGroup> {
  group: G;
  /** One line for the UI, the OSC listing and the README table. */
  doc: string;
  /** Show state, not part of a look: presets neither save nor change it (panic keys, the projection). */
  show?: boolean;
}
export interface NumParam extends Base<ParamGroup> {
  kind: 'num';
  default: number;
  range: readonly [number, number];
  unit: Unit;
  curve: Curve;
  /** Whole numbers only. */
  integer?: boolean;
}
export interface BoolParam extends Base<ParamGroup> {
  kind: 'bool';
  default: boolean;
}
export interface EnumParam<O extends string = string> extends Base<ParamGroup> {
  kind: 'enum';
  default: O;
  options: readonly O[];
}
export type ParamSpec = NumParam | BoolParam | EnumParam;

function num(group: ParamGroup, def: number, range: readonly [number, number], unit: Unit, curve: Curve, doc: string, integer = false): NumParam {
  return { kind: 'num', group, default: def, range, unit, curve, doc, ...(integer ? { integer } : {}) };
}
function bool(group: ParamGroup, def: boolean, doc: string, show = false): BoolParam {
  return { kind: 'bool', group, default: def, doc, ...(show ? { show } : {}) };
}
function oneOf<const O extends string>(group: ParamGroup, def: O, options: readonly O[], doc: string, show = false): EnumParam<O> {
  return { kind: 'enum', group, default: def, options, doc, ...(show ? { show } : {}) };
}

/** Every react parameter. Add one here and OSC, MIDI, presets and the UI know it. */
export const PARAMS = {
  speed_fpm: num('motion', 12, [0, 60], 'fpm', 'exp', 'Base motion: new keyframes per minute (0 = one still image)'),
  truncation: num('motion', 1, [0.1, 2], 'sd', 'lin', 'Keyframe spread: truncated normal (±2) times this; also where motion turns back (±2·truncation)'),
  interpolation: oneOf('motion', 'linear', ['linear', 'spherical'] as const, 'Keyframe interpolation (the original is linear)'),
  motion_react: num('motion', 0.5, [0, 2], 'x', 'lin', 'Drift speed per unit of motion amplitude'),
  motion_percussive: bool('motion', false, 'Motion follows the percussive part'),
  motion_harmonic: bool('motion', true, 'Motion follows the harmonic part'),
  motion_randomness: num('motion', 0.5, [0, 1], 'x', 'lin', 'Per-dimension speed factor drawn from {1, 1 − this}, redrawn every 4 s'),
  motion_smooth_seconds: num('motion', 0.081, [0.005, 1], 's', 'exp', 'Smoothing time constant of the drift (the original: 0.75 per frame at 43 fps)'),
  pulse_react: num('pulse', 0.5, [0, 2], 'x', 'lin', 'Transient kick of the latent on onsets'),
  pulse_percussive: bool('pulse', true, 'Pulse follows the percussive part'),
  pulse_harmonic: bool('pulse', false, 'Pulse follows the harmonic part'),
  pulse_decay_seconds: num('pulse', 0.081, [0.005, 1], 's', 'exp', 'Decay time constant of a pulse (the original: 0.75 per frame at 43 fps)'),
  dominant_classes_first: bool('class', false, 'The first class goes to the most dominant pitch class so far'),
  class_pitch_react: num('class', 0.5, [0, 2], 'x', 'lin', 'How strongly the pitch classes push the class vector'),
  class_chord_root: num('class', 0, [0, 1], 'x', 'lin', 'Share of the class push that comes from the chord estimate\'s root (× its confidence) instead of the chroma: 1 = the chord root alone picks the class'),
  class_smooth_seconds: num('class', 1, [0, 10], 's', 'exp', 'Causal smoothing of the class vector (the original averages blocks, looking ahead)'),
  class_complexity: num('class', 1, [0, 1], 'x', 'lin', 'Scale of the class vector'),
  class_shuffle_seconds: num('class', 0, [0, 60], 's', 'exp', 'Rotate the class list this often (0 = never; the original: None)'),
  class_shuffle_strength: num('class', 0.5, [0, 1], 'x', 'lin', 'Rotation per shuffle: round(this × 12) places'),
  contrast_strength: num('effects', 0.5, [0, 1], 'x', 'lin', 'Contrast boost with percussive amplitude'),
  flash_strength: num('effects', 0.5, [0, 1], 'x', 'lin', 'Brightening flash with percussive amplitude'),
  zoom_pulse: num('effects', 0, [0, 0.5], 'x', 'lin', 'Zoom toward the centre on percussive hits: scale 1 + this × percussive amplitude'),
  hue_speed: num('effects', 0, [0, 180], 'deg/s', 'exp', 'Steady hue rotation around the grey axis'),
  hue_react: num('effects', 0, [0, 1], 'x', 'lin', 'Hue jump on onsets: this × onset strength × 180°'),
  feedback_amount: num('effects', 0, [0, 0.97], 'x', 'log', 'Trails: the previous output fades by this factor per output frame (0 = off)'),
  kaleido_segments: num('effects', 0, [0, 12], 'count', 'lin', 'Kaleidoscope: mirrored wedges around the centre, rounded (below 2 = off; 2 = left–right mirror; odd counts leave one seam)'),
  rgb_split: num('effects', 0, [0, 0.05], 'x', 'exp', 'Chromatic split: red and blue shifted apart by this × (0.25 + percussive amplitude), in frame widths'),
  vignette: num('effects', 0.35, [0, 1], 'x', 'lin', 'Darkening of the corners (1 = black corners)'),
  grain: num('effects', 0, [0, 0.3], 'x', 'lin', 'Animated film grain: noise amplitude as a fraction of full scale, new every 1/24 s (0 = off)'),
  blackout: bool('output', false, 'Panic: every output shows black (not part of presets)', true),
  freeze: bool('output', false, 'Panic: every output holds its current picture (not part of presets)', true),
  aspect: oneOf('output', 'fit', ['fit', 'fill', 'stretch'] as const, 'How the frame meets the screen: fit (letterbox), fill (cropped) or stretch; an output\'s ?aspect= overrides it (not part of presets)', true),
  upscale: oneOf('output', 'bicubic', ['bilinear', 'bicubic'] as const, 'Upscaling of the generated frame to the screen: bicubic (Catmull-Rom, sharper) or bilinear (cheaper) (not part of presets)', true),
} as const satisfies Record<string, ParamSpec>;

export type ParamId = keyof typeof PARAMS;
/** The value type of one parameter. */
export type ParamValue<K extends ParamId> = (typeof PARAMS)[K] extends { kind: 'num' } ? number
  : (typeof PARAMS)[K] extends { kind: 'bool' } ? boolean
  : (typeof PARAMS)[K] extends EnumParam<infer O> ? O : never;
/** A value for every parameter. */
export type ParamValues = { [K in ParamId]: ParamValue<K> };

export const PARAM_IDS = Object.keys(PARAMS) as ParamId[];

export function isParamId(id: string): id is ParamId {
  return Object.prototype.hasOwnProperty.call(PARAMS, id);
}

export function defaultValues(): ParamValues {
  return Object.fromEntries(PARAM_IDS.map((id) => [id, PARAMS[id].default])) as ParamValues;
}

export type Sanitized<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * The one gate for untrusted values (OSC, MIDI, presets, UI): numbers out of range are clamped,
 * anything of the wrong type is rejected with the parameter's name.
 */
export function sanitize<K extends ParamId>(id: K, value: unknown): Sanitized<ParamValue<K>> {
  const r = sanitizeReason(id, value);
  return 'reason' in r ? { ok: false, error: `${id}: ${r.reason}` } : r;
}

/** {@link sanitize} for a caller that names the parameter itself (a path in a file): the reason without the name. */
export function sanitizeReason<K extends ParamId>(id: K, value: unknown): { ok: true; value: ParamValue<K> } | { ok: false; reason: string } {
  const spec: ParamSpec = PARAMS[id];
  const bad = (why: string) => ({ ok: false as const, reason: `${why}, got ${describe(value)}` });
  switch (spec.kind) {
    case 'num': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad('expected a finite number');
      const [lo, hi] = spec.range;
      let v = Math.min(hi, Math.max(lo, value));
      if (spec.integer) v = Math.round(v);
      return { ok: true, value: v as ParamValue<K> };
    }
    case 'bool':
      if (typeof value === 'boolean') return { ok: true, value: value as ParamValue<K> };
      if (value === 0 || value === 1) return { ok: true, value: (value === 1) as ParamValue<K> };
      return bad('expected true or false');
    case 'enum':
      if (typeof value === 'string' && spec.options.includes(value)) return { ok: true, value: value as ParamValue<K> };
      return bad(`expected one of ${spec.options.join(', ')}`);
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Steepness of the exp/log curves: exp gives fine control near the bottom of the range. */
const CURVE_K = 4;

/** A normalised control value 0..1 (clamped) → the parameter's value. */
export function fromNorm(spec: NumParam, n: number): number {
  const x = Math.min(1, Math.max(0, n));
  const [lo, hi] = spec.range;
  const shaped = spec.curve === 'lin' ? x
    : spec.curve === 'exp' ? Math.expm1(CURVE_K * x) / Math.expm1(CURVE_K)
    : Math.log1p(x * Math.expm1(CURVE_K)) / CURVE_K;
  const v = lo + shaped * (hi - lo);
  return spec.integer ? Math.round(v) : v;
}

/** The parameter's value (clamped to its range) → a normalised control value 0..1. */
export function toNorm(spec: NumParam, value: number): number {
  const [lo, hi] = spec.range;
  const x = hi === lo ? 0 : (Math.min(hi, Math.max(lo, value)) - lo) / (hi - lo);
  return spec.curve === 'lin' ? x
    : spec.curve === 'exp' ? Math.log1p(x * Math.expm1(CURVE_K)) / CURVE_K
    : Math.expm1(CURVE_K * x) / Math.expm1(CURVE_K);
}

/** Whether a parameter is show state (a panic key, the projection) that presets neither save nor change. */
export function isShowState(id: ParamId): boolean {
  const spec: ParamSpec = PARAMS[id];
  return spec.show === true;
}

/** The README/docs table, generated from the registry. */
export function markdownTable(): string {
  const rows = PARAM_IDS.map((id) => {
    const s: ParamSpec = PARAMS[id];
    const range = s.kind === 'num' ? `${s.range[0]}–${s.range[1]}` : s.kind === 'bool' ? 'true / false' : s.options.join(' / ');
    const unit = s.kind === 'num' ? s.unit : '';
    const curve = s.kind === 'num' ? s.curve : '';
    return `| \`${id}\` | ${s.group} | ${String(s.default)} | ${range} | ${unit} | ${curve} | ${s.doc} |`;
  });
  return ['| parameter | group | default | range | unit | curve | description |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}
