/**
 * The typed commands every controller sends (MIDI, OSC, the operator UI, presets): the only way
 * anything outside the engine changes a parameter or fires a trigger.
 */
import type { ControlSource, TriggerName } from '../engine/params/ParamStore.js';
import type { ParamId } from '../engine/params/registry.js';

export { isTrigger, TRIGGERS, type ControlSource, type TriggerName } from '../engine/params/ParamStore.js';

/** Sets a parameter in its own units (checked by the registry's `sanitize`). A number outside
 *  the range is rejected unless `clamp` (a MIDI mapping's own range may overshoot). */
export interface SetParam {
  type: 'set';
  id: ParamId;
  value: unknown;
  clamp?: boolean;
}

/** Sets a parameter from a normalised control value 0..1 (the registry's curve; for a switch,
 *  ≥ 0.5 is on; for a choice, the options spread evenly over 0..1). */
export interface SetParamNorm {
  type: 'setNorm';
  id: ParamId;
  norm: number;
}

export interface Trigger {
  type: 'trigger';
  name: TriggerName;
}

/** Morph time of a preset load: seconds, or beats at the current tempo. */
export type MorphTime = { seconds: number } | { beats: number };

/** Loads a preset by name, over the given morph time or the preset's own. */
export interface LoadPreset {
  type: 'preset';
  name: string;
  morph?: MorphTime;
}

export type ControlCommand = SetParam | SetParamNorm | Trigger | LoadPreset;

/** Switches the show's audio input: a device (name or index), a file or `demo`, with routes (`drums=1-2,keys=3`; null: every channel of a new input, the current routes of the same one). */
export interface SwitchInput {
  type: 'input';
  name: string;
  routes: string | null;
}

/** Switches the show's generator: `builtin[:SEED]`, a manifest or an .onnx path. */
export interface SwitchModel {
  type: 'model';
  model: string;
}

/**
 * A switch of what the show runs on. Not a parameter: it takes time (a device opens, a model
 * loads), runs one at a time, and is never part of a batch; the show keeps what it has if it fails.
 */
export type ShowSwitch = SwitchInput | SwitchModel;

/** The result of a dispatch: either everything applied, or nothing and the reasons. */
export type DispatchResult = { ok: true; changed: ParamId[] } | { ok: false; errors: string[] };
