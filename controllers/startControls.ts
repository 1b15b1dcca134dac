/**
 * Everything that controls a running show, put together: the mapping layer over the parameter
 * store, OSC in and out, and what they add to the HTTP API. The show reads the store; nothing
 * here touches a stage.
 */
import type { Features } from '../engine/analysis/Features.js';
import type { Logger } from '../engine/log.js';
import type { ParamStore } from '../engine/params/ParamStore.js';
import { createControlHub, type ControlHub, type PresetSource } from './ControlHub.js';
import { oscAddresses } from './osc/oscAddresses.js';
import { createOscOut, type OscOut, type OscTarget } from './osc/oscOut.js';
import { startOscServer, type OscInput } from './osc/oscServer.js';
import type { Preset } from './presets/Preset.js';
import { openEasymidiBackend } from './midi/easymidiBackend.js';
import { createMidiController, type MidiController } from './midi/midiController.js';
import type { MidiBackend } from './midi/MidiPort.js';

export interface ControlOptions {
  store: ParamStore;
  presets: PresetSource;
  initialPreset?: Preset | null;
  /** The show's analysed tempo, for morphs in beats. */
  tempo: () => number | null;
  /** OSC in; null: no OSC server. */
  osc: { port: number; bind: string; replyPort?: number } | null;
  /** OSC out targets (features and parameter echoes). */
  oscOut: readonly OscTarget[];
  /** MIDI: device name substrings (empty: every device); null: no MIDI. */
  midi: { devices: readonly string[]; backend?: MidiBackend } | null;
  /** The preset library's change notices (hot reload); omitted: presets never change on disk. */
  onPresetFile?: (fn: (name: string, preset: Preset | undefined) => void) => () => void;
  log: Logger;
}

export interface Controls {
  readonly hub: ControlHub;
  readonly osc: OscInput | null;
  /** Null when MIDI is off or unavailable (why is logged once). */
  readonly midi: MidiController | null;
  /** Fields for `GET /api/state`. */
  state(): Record<string, unknown>;
  /** `GET` routes for the HTTP API. */
  readonly api: Record<string, () => unknown>;
  /** Per frame: features out over OSC. */
  onFrame(f: Features): void;
  close(): Promise<void>;
}

export async function startControls(opts: ControlOptions): Promise<Controls> {
  const { store, log } = opts;
  const hub = createControlHub({ store, presets: opts.presets, tempo: opts.tempo, initialPreset: opts.initialPreset });
  const osc = opts.osc ? await startOscServer({ hub, ...opts.osc, log }) : null;
  const out: OscOut | null = opts.oscOut.length ? createOscOut(opts.oscOut, store, log) : null;
  const midi = opts.midi ? await startMidi(opts.midi, hub, opts, log) : null;
  // Hot reload: the preset on stage changed on disk → its new values, at once.
  const offFile = opts.onPresetFile?.((name, preset) => {
    if (!preset || name !== hub.presetState().name) return;
    const r = hub.dispatch({ type: 'preset', name, morph: { seconds: 0 } }, 'preset');
    if (r.ok) log.info(`preset "${name}" reloaded from disk`);
  });
  return {
    hub,
    osc,
    midi,
    state: () => ({
      preset: hub.presetState().name,
      chain: hub.presetState().chain,
      tempo: hub.tempo(),
      presets: opts.presets.names(),
      osc: osc ? { port: osc.port, ...osc.stats() } : null,
      midi: midi ? { inputs: midi.inputs(), outputs: midi.outputs(), mappings: midi.mappings(), learning: midi.learning() } : null,
    }),
    api: {
      '/api/osc': () => oscAddresses(store.current()),
    },
    onFrame: (f) => out?.sendFeatures(f),
    async close() {
      offFile?.();
      midi?.close();
      await osc?.close();
      await out?.close();
    },
  };
}

/** MIDI on the given (or the easymidi) backend; where there is none, one line and no MIDI. */
async function startMidi(midi: NonNullable<ControlOptions['midi']>, hub: ControlHub, opts: ControlOptions, log: Logger): Promise<MidiController | null> {
  let backend: MidiBackend;
  try {
    backend = midi.backend ?? (await openEasymidiBackend());
  } catch (err) {
    log.info(`${(err as Error).message.split('\n')[0]} (the show goes on without MIDI)`);
    return null;
  }
  return createMidiController({
    backend, hub, devices: midi.devices, mappings: opts.initialPreset?.mappings ?? [], presetNames: () => opts.presets.names(), log,
  });
}
