/**
 * The engine ↔ operator window wire format (WebSocket `/control/ws`, JSON text messages). Pure
 * and browser-safe: the control page bundles this file too.
 *
 * Every change a UI makes is a request here and goes through the same mapping layer as MIDI and
 * OSC; the engine answers every UI (all of them, so two open UIs stay in sync) with the new
 * state, and streams meters at about 20 Hz.
 */
import type { ControlCommand, ShowSwitch, TriggerName } from '../commands.js';
import type { MidiMapping } from '../midi/MidiMapping.js';
import type { ParamId, ParamValues } from '../../engine/params/registry.js';
import type { ShowMeters } from '../../engine/show/liveShow.js';

/** UI → engine. */
export type UiRequest =
  /** Parameter sets, triggers, preset loads: applied as one batch (all or nothing). */
  | { type: 'command'; commands: ControlCommand[] }
  /** The effect order (every effect name, in order). */
  | { type: 'chain'; order: string[] }
  /** Saves the current values and effect order (and MIDI mappings) as a preset. */
  | { type: 'savePreset'; name: string; description?: string }
  /** Arms MIDI learn for a parameter or trigger; `null` cancels. */
  | { type: 'learn'; target: ParamId | TriggerName | null }
  /** Replaces the MIDI mappings (edit range/curve, delete). */
  | { type: 'mappings'; mappings: MidiMapping[] }
  /** Switches the audio input or the generator (through the hub, as OSC's `/vj/input` and `/vj/model`). */
  | ShowSwitch
  /** Lists the inputs and models again (a device plugged in, a model copied in). */
  | { type: 'rescan' };

/** A preset as listed. */
export interface UiPreset {
  name: string;
  description?: string;
}

/** Everything a UI shows that is not a meter. Sent whole on connect and on every change. */
export interface UiState {
  params: ParamValues;
  /** The loaded preset, null before any. */
  preset: string | null;
  presets: UiPreset[];
  /** Every effect, in the order they run. */
  chain: string[];
  midi: { inputs: string[]; outputs: string[]; mappings: MidiMapping[]; learning: ParamId | TriggerName | null } | null;
  input: { name: string; sampleRate: number; channels: number; routes: { name: string; channels: readonly number[] }[] };
  /** `spec`: what was asked for (`builtin`, a path). */
  model: { name: string; spec: string; provider: string; width: number; height: number };
  /** What the show is switching now (an input or a model), null when nothing. */
  busy: string | null;
  /** What the input and model choosers offer. */
  choices: UiChoices;
}

/** The inputs and models there are (any other file or path can be typed). */
export interface UiChoices {
  inputs: { name: string; channels: number }[];
  models: string[];
}

/** Live meters (about 20 Hz): the show's meters and its stats. */
export type UiMeters = ShowMeters & {
  stats: { inferenceFps: number; outputFps: number; latencyP50: number | null; latencyP95: number | null; outputs: number };
};

/** Engine → UI. */
export type UiEvent =
  | { type: 'state'; state: UiState }
  | { type: 'meters'; meters: UiMeters }
  /** A request was refused (nothing changed): the reasons, for a toast. */
  | { type: 'error'; message: string }
  /** A MIDI mapping was learned. */
  | { type: 'learned'; mapping: MidiMapping };
