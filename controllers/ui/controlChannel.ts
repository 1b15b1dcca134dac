/**
 * The operator window's adapter: a WebSocket per open UI, speaking controlProtocol.ts. Requests
 * go through the same mapping layer as MIDI and OSC (ControlHub); every UI gets the whole state
 * whenever it changes (whoever changed it: another UI, a MIDI knob, an OSC client, a morph), so
 * two open UIs and the hardware stay in sync, and meters at about 20 Hz.
 */
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { Logger } from '../../engine/log.js';
import { isShowState, PARAM_IDS, type ParamValues } from '../../engine/params/registry.js';
import { orderedEffects } from '../../shaders/index.js';
import type { ControlCommand } from '../commands.js';
import type { ControlHub } from '../ControlHub.js';
import type { MidiController } from '../midi/midiController.js';
import { MidiMappingSchema } from '../midi/MidiMapping.js';
import type { PresetLibrary } from '../presets/presetLibrary.js';
import type { UiChoices, UiEvent, UiMeters, UiRequest, UiState } from './controlProtocol.js';

/** What the channel reads from the running show. */
export interface ShowView {
  info(): Pick<UiState, 'input' | 'model' | 'busy'>;
  meters(): UiMeters;
}

/** Where the input and model choices come from (`vj start`: PortAudio's devices, the model folders). */
export interface ChoiceCatalog {
  inputs(): Promise<UiChoices['inputs']>;
  models(): Promise<string[]>;
}

export interface ControlChannelOptions {
  hub: ControlHub;
  presets: Pick<PresetLibrary, 'names' | 'get' | 'save'>;
  midi: MidiController | null;
  /** Absent: nothing to choose from (names and paths can still be typed). */
  catalog?: ChoiceCatalog;
  log: Logger;
  /** How often the state is compared and sent when changed (ms). */
  stateMs?: number;
  metersMs?: number;
}

export interface ControlChannel {
  /** Serves one UI's socket. */
  handle(ws: WebSocket): void;
  /** Sets the show the meters and info come from (the show starts after the controls). */
  attach(view: ShowView): void;
  clients(): number;
  close(): void;
}

/** Requests, checked before anything reads them (commands are then checked by the hub). */
const RequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('command'), commands: z.array(z.object({ type: z.string() }).passthrough()).max(256) }),
  z.object({ type: z.literal('chain'), order: z.array(z.string()).max(64) }),
  z.object({ type: z.literal('savePreset'), name: z.string(), description: z.string().max(500).optional() }),
  z.object({ type: z.literal('learn'), target: z.string().nullable() }),
  z.object({ type: z.literal('mappings'), mappings: z.array(MidiMappingSchema).max(1024) }),
  z.object({ type: z.literal('input'), name: z.string().min(1).max(1000), routes: z.string().max(1000).nullable() }),
  z.object({ type: z.literal('model'), model: z.string().min(1).max(1000) }),
  z.object({ type: z.literal('rescan') }),
]);

export function createControlChannel(opts: ControlChannelOptions): ControlChannel {
  const { hub, presets, midi, log } = opts;
  const clients = new Set<WebSocket>();
  let view: ShowView | null = null;
  let lastState = '';
  let choices: UiChoices = { inputs: [], models: [] };
  const rescan = async (): Promise<void> => {
    if (!opts.catalog) return;
    const [inputs, models] = await Promise.all([opts.catalog.inputs(), opts.catalog.models()]);
    choices = { inputs, models };
  };

  const send = (ws: WebSocket, e: UiEvent | string): void => {
    if (ws.readyState === ws.OPEN) ws.send(typeof e === 'string' ? e : JSON.stringify(e));
  };
  const all = (e: UiEvent): void => {
    const text = JSON.stringify(e);
    for (const ws of clients) send(ws, text);
  };
  const state = (): UiState => {
    const loaded = hub.presetState();
    const info = view?.info();
    return {
      params: hub.store.current() as ParamValues,
      preset: loaded.name,
      presets: presets.names().map((name) => {
        const description = presets.get(name)?.description;
        return description ? { name, description } : { name };
      }),
      chain: orderedEffects(loaded.chain).map((e) => e.name),
      midi: midi ? { inputs: midi.inputs(), outputs: midi.outputs(), mappings: midi.mappings(), learning: midi.learning() } : null,
      input: info?.input ?? { name: '', sampleRate: 0, channels: 0, routes: [] },
      model: info?.model ?? { name: '', spec: '', provider: '', width: 0, height: 0 },
      busy: info?.busy ?? null,
      choices,
    };
  };
  const stateText = (): string => JSON.stringify({ type: 'state', state: state() } satisfies UiEvent);
  /** Sends the state to every UI if it changed since the last time. */
  const sync = (): void => {
    if (clients.size === 0) return;
    const text = stateText();
    if (text === lastState) return;
    lastState = text;
    for (const ws of clients) send(ws, text);
  };

  const apply = async (req: UiRequest): Promise<string | null> => {
    switch (req.type) {
      case 'command': {
        const r = hub.dispatch(req.commands as ControlCommand[], 'ui');
        return r.ok ? null : r.errors.join('; ');
      }
      case 'chain': {
        const r = hub.setChain(req.order);
        return r.ok ? null : r.errors.join('; ');
      }
      case 'savePreset': {
        const values = hub.store.current();
        const params = Object.fromEntries(PARAM_IDS.filter((id) => !isShowState(id)).map((id) => [id, values[id]]));
        const old = presets.get(req.name);
        const chain = hub.presetState().chain;
        await presets.save(req.name, {
          description: req.description ?? old?.description,
          morph: old?.morph,
          params,
          ...(chain ? { chain: [...chain] } : {}),
          // The look includes the model it was made on.
          ...(view ? { model: view.info().model.spec } : old?.model ? { model: old.model } : {}),
          ...(midi ? { mappings: midi.mappings() } : old?.mappings ? { mappings: old.mappings } : {}),
        });
        hub.presetSaved(req.name);
        return null;
      }
      case 'learn':
        if (!midi) return 'MIDI is not available';
        if (req.target === null) midi.cancelLearn();
        else midi.learn(req.target as Parameters<MidiController['learn']>[0]);
        return null;
      case 'mappings':
        if (!midi) return 'MIDI is not available';
        midi.setMappings(req.mappings);
        return null;
      case 'input':
      case 'model':
        await hub.switchShow(req, 'ui');
        return null;
      case 'rescan':
        await rescan();
        return null;
    }
  };

  const offLearned = midi?.onLearned((mapping) => {
    all({ type: 'learned', mapping });
    sync();
  });
  const stateTimer = setInterval(sync, opts.stateMs ?? 100);
  const metersTimer = setInterval(() => {
    if (clients.size && view) all({ type: 'meters', meters: view.meters() });
  }, opts.metersMs ?? 50);
  stateTimer.unref();
  metersTimer.unref();

  return {
    handle(ws) {
      clients.add(ws);
      send(ws, stateText());
      ws.on('message', (data, isBinary) => {
        let req: UiRequest;
        try {
          if (isBinary) throw new Error('binary message');
          const parsed = RequestSchema.safeParse(JSON.parse(data.toString()));
          if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '));
          req = parsed.data as UiRequest;
        } catch (err) {
          send(ws, { type: 'error', message: `bad request: ${(err as Error).message}` });
          send(ws, stateText());
          return;
        }
        apply(req).then(
          (error) => {
            // A refused request: the reason, then the state as it is, so the UI snaps back.
            if (error) {
              send(ws, { type: 'error', message: error });
              send(ws, stateText());
            }
            sync();
          },
          (err: Error) => {
            log.warn(`control: ${err.message}`);
            send(ws, { type: 'error', message: err.message });
            send(ws, stateText());
          },
        );
      });
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
    },
    attach(v) {
      view = v;
      rescan().then(sync, (err: Error) => log.warn(`control: listing inputs and models: ${err.message}`));
    },
    clients: () => clients.size,
    close() {
      clearInterval(stateTimer);
      clearInterval(metersTimer);
      offLearned?.();
      for (const ws of clients) ws.terminate();
      clients.clear();
    },
  };
}
