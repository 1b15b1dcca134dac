/**
 * A live show with its controls, composed as `vj start` composes them (store → hub, OSC, MIDI on
 * a fake port, the preset library, the operator window), for the control page's browser tests
 * and its screenshot.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FACTORY_PRESET_DIR, openPresetLibrary, type PresetLibrary } from '../../controllers/presets/presetLibrary.js';
import { startControls, type Controls } from '../../controllers/startControls.js';
import { listInputs, openInput } from '../../engine/audio/openInput.js';
import { listModels } from '../../engine/generator/modelCatalog.js';
import { createLogger } from '../../engine/log.js';
import { createParamStore } from '../../engine/params/ParamStore.js';
import { defaultValues, type ParamValues } from '../../engine/params/registry.js';
import type { Show } from '../../engine/show/liveShow.js';
import { createFakeMidi, type FakeMidi } from './fakeMidi.js';
import { startTestShow } from './show.js';

export interface ControlShow {
  /** The engine's base URL (`http://127.0.0.1:PORT/`); the control page is `${url}control`. */
  url: string;
  show: Show;
  controls: Controls;
  /** One port pair, 'Test Knobs', open. */
  midi: FakeMidi;
  library: PresetLibrary;
  /** The user preset folder. */
  userDir: string;
  /** `GET /api/state`. */
  state(): Promise<any>;
  stop(): Promise<void>;
}

/**
 * The factory presets plus a temporary user folder (saves go there, and it is watched, as
 * `vj start` watches it); 128² built-in generator.
 * Inputs open as `vj start` opens them (`demo`, files, devices); models are listed from `modelDir`.
 */
export async function startControlShow(opts: { params?: Partial<ParamValues>; modelDir?: string } = {}): Promise<ControlShow> {
  const userDir = await mkdtemp(join(tmpdir(), 'vj-presets-'));
  const log = createLogger('test', 'silent');
  const library = await openPresetLibrary({ dirs: [userDir, FACTORY_PRESET_DIR], log });
  const midi = createFakeMidi({ inputs: ['Test Knobs'], outputs: ['Test Knobs'] });
  const store = createParamStore({ ...defaultValues(), ...opts.params });
  let show: Show | null = null;
  const controls = await startControls({
    store, presets: library, tempo: () => show?.tempo() ?? null, osc: { port: 0, bind: '127.0.0.1' }, oscOut: [],
    midi: { devices: [], backend: midi }, onPresetFile: (fn) => library.onChange(fn), log,
    catalog: { inputs: listInputs, models: () => listModels(opts.modelDir ? [opts.modelDir] : []) },
  });
  const s = await startTestShow({
    params: store.current(), store, size: 128, fps: 30,
    extras: {
      openInput: (name) => openInput(name, { sampleRate: 48000, framesPerBuffer: 256 }),
      effectOrder: () => controls.hub.presetState().chain, stateExtras: controls.state, api: controls.api,
      onFrame: controls.onFrame, pages: controls.pages, sockets: controls.sockets,
    },
  });
  show = s;
  controls.attachShow(s);
  return {
    url: s.server.url, show: s, controls, midi, library, userDir,
    state: async () => (await fetch(`${s.server.url}api/state`)).json(),
    async stop() {
      await s.stop();
      await controls.close();
      library.close();
      await rm(userDir, { recursive: true, force: true });
    },
  };
}
