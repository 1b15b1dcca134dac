/**
 * Everything that controls a running show, put together: the mapping layer over the parameter
 * store, OSC in and out, and what they add to the HTTP API. The show reads the store; nothing
 * here touches a stage.
 */
import type { Features } from '../engine/analysis/Features.js';
import type { Logger } from '../engine/log.js';
import type { ParamStore } from '../engine/params/ParamStore.js';
import type { WebSocket } from 'ws';
import type { Show } from '../engine/show/liveShow.js';
import { createAppPage } from '../engine/server/appPage.js';
import { createControlHub, type ControlHub } from './ControlHub.js';
import type { PresetLibrary } from './presets/presetLibrary.js';
import { createControlChannel, type ChoiceCatalog, type ControlChannel } from './ui/controlChannel.js';
import { oscAddresses } from './osc/oscAddresses.js';
import { createOscOut, type OscOut, type OscTarget } from './osc/oscOut.js';
import { startOscServer, type OscInput } from './osc/oscServer.js';
import type { Preset } from './presets/Preset.js';
import { openEasymidiBackend } from './midi/easymidiBackend.js';
import { createMidiController, type MidiController } from './midi/midiController.js';
import type { MidiBackend } from './midi/MidiPort.js';

export interface ControlOptions {
  store: ParamStore;
  presets: Pick<PresetLibrary, 'names' | 'get' | 'save'>;
  initialPreset?: Preset | null;
  /** The show's analysed tempo, for morphs in beats. */
  tempo: () => number | null;
  /** OSC in; null: no OSC server. */
  osc: { port: number; bind: string; replyPort?: number } | null;
  /** OSC out targets (features and parameter echoes). */
  oscOut: readonly OscTarget[];
  /** MIDI: device name substrings (empty: every device); null: no MIDI. */
  midi: { devices: readonly string[]; backend?: MidiBackend } | null;
  /** What the operator window offers as inputs and models. */
  catalog?: ChoiceCatalog;
  /** The preset library's change notices (hot reload); omitted: presets never change on disk. */
  onPresetFile?: (fn: (name: string, preset: Preset | undefined) => void) => () => void;
  log: Logger;
}

export interface Controls {
  readonly hub: ControlHub;
  readonly osc: OscInput | null;
  /** Null when MIDI is off or unavailable (why is logged once). */
  readonly midi: MidiController | null;
  /** The operator window's channel (attach the show to it once it runs). */
  readonly ui: ControlChannel;
  /** Pages and sockets for the HTTP server: the operator window. */
  readonly pages: Record<string, () => Promise<{ type: string; body: string }>>;
  readonly sockets: Record<string, (ws: WebSocket) => void>;
  /** Fields for `GET /api/state`. */
  state(): Record<string, unknown>;
  /** `GET` routes for the HTTP API. */
  readonly api: Record<string, () => unknown>;
  /** Connects the running show: its meters and info to the operator window. */
  attachShow(show: Show): void;
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
  const ui = createControlChannel({ hub, presets: opts.presets, midi, catalog: opts.catalog, log });
  const page = createAppPage('control');
  let offShow: Array<() => void> = [];
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
    ui,
    pages: {
      '/control': async () => ({ type: 'text/html; charset=utf-8', body: (await page()).html }),
      '/control.js': async () => ({ type: 'text/javascript', body: (await page()).js }),
    },
    sockets: { '/control/ws': (ws) => ui.handle(ws) },
    attachShow(show) {
      hub.attachShow({
        setInput: (name, routes) => show.setInput({ name, routes }),
        setModel: (spec) => show.setModel(spec),
      });
      offShow = [
        // A preset made on another model brings it along (the show keeps its model if that fails).
        hub.onPreset((preset, source) => {
          if (!preset.model || preset.model === show.state().model.spec) return;
          hub.switchShow({ type: 'model', model: preset.model }, source).catch((err: Error) => log.warn(`preset "${preset.name}": model ${preset.model}: ${err.message}`));
        }),
        // MIDI clock: the show's beat follows it.
        hub.onClock((bpm, beatAt) => show.syncClock(bpm, beatAt)),
      ];
      ui.attach({
        info() {
          const { input, model: m, busy } = show.state();
          return { input, busy, model: { name: m.name, spec: m.spec, provider: m.provider, width: m.width, height: m.height } };
        },
        meters() {
          const st = show.stats();
          const p = st.latencyMs.presented;
          return {
            ...show.meters(),
            stats: { inferenceFps: st.inferenceFps, outputFps: st.outputFps, latencyP50: p.p50 ?? null, latencyP95: p.p95 ?? null, outputs: st.outputs },
          };
        },
      });
    },
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
      for (const off of offShow) off();
      ui.close();
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
