import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { AudioSource, InputRoute } from '../audio/AudioBlock.js';
import { listInputs, openInput } from '../audio/openInput.js';
import { listModels } from '../generator/modelCatalog.js';
import { defaultRoutes, parseRoutes, validateRoutes } from '../audio/route.js';
import { parseProviders } from '../generator/session.js';
import { createLogger } from '../log.js';
import { isLoopback } from '../server/requestGuard.js';
import { paramsFromOptions } from '../params/paramFile.js';
import { startShow, type Show } from '../show/liveShow.js';
import { createParamStore } from '../params/ParamStore.js';
import { parseOscTarget } from '../../controllers/osc/oscOut.js';
import { startControls } from '../../controllers/startControls.js';
import { intOption, presetsFromOption } from './options.js';
import { openOutput } from './outputWindow.js';

/** `vj start`: the show. See the usage in vj.ts. */
export async function startCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      input: { type: 'string', default: 'default' },
      channels: { type: 'string' },
      rate: { type: 'string', default: '48000' },
      buffer: { type: 'string', default: '256' },
      pulse: { type: 'string' },
      motion: { type: 'string' },
      class: { type: 'string' },
      model: { type: 'string' },
      size: { type: 'string', default: '256' },
      seed: { type: 'string', default: '1' },
      preset: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      fps: { type: 'string', default: '60' },
      providers: { type: 'string' },
      port: { type: 'string', default: '7070' },
      'osc-port': { type: 'string', default: '9000' },
      'osc-bind': { type: 'string', default: '127.0.0.1' },
      'osc-reply-port': { type: 'string' },
      'osc-out': { type: 'string', multiple: true, default: [] },
      'no-osc': { type: 'boolean', default: false },
      midi: { type: 'string', multiple: true, default: [] },
      'no-midi': { type: 'boolean', default: false },
      'control-remote': { type: 'boolean', default: false },
      bind: { type: 'string', default: '127.0.0.1' },
      display: { type: 'string' },
      headless: { type: 'boolean', default: false },
      window: { type: 'boolean', default: false },
    },
  });
  const log = createLogger('start');
  const framesPerBuffer = intOption(values.buffer, '--buffer', 16, 8192);
  const rate = intOption(values.rate, '--rate', 8000, 384000);
  const size = intOption(values.size, '--size', 16, 2048);
  const seed = intOption(values.seed, '--seed', 0, 2 ** 31);
  const fps = intOption(values.fps, '--fps', 1, 240);
  const port = intOption(values.port, '--port', 0, 65535);
  const providers = values.providers ? parseProviders(values.providers) : undefined;
  const osc = values['no-osc'] ? null : {
    port: intOption(values['osc-port'], '--osc-port', 0, 65535), bind: values['osc-bind'],
    replyPort: values['osc-reply-port'] ? intOption(values['osc-reply-port'], '--osc-reply-port', 1, 65535) : undefined,
  };
  const oscOut = values['osc-out'].map(parseOscTarget);
  // Beyond this machine (a --bind beyond loopback), everything but the public scripts needs this
  // token; the operator window only when asked for, and then with the token too.
  const remote = !isLoopback(values.bind);
  const access = { token: remote || values['control-remote'] ? randomBytes(16).toString('hex') : null, controlRemote: values['control-remote'] };
  const routes: InputRoute[] | null = values.channels ? parseRoutes(values.channels) : null;
  // The preset first: a bad one is an error before any device opens.
  const { library, preset } = await presetsFromOption(values.preset, { watch: true, log });
  // Whatever fails to start, what did start is closed again (sockets, watchers, the input), so
  // the error line is the end of it.
  const cleanup: (() => unknown)[] = [() => library.close()];
  const guard = async <T>(step: () => T | Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (err) {
      for (const fn of cleanup.reverse()) await Promise.resolve().then(fn).catch(() => {});
      throw err;
    }
  };
  const params = await guard(() => paramsFromOptions(preset?.params, values.set));

  // A device, a file (looped in real time: rehearsal without the sound card) or the demo clip.
  const open = (name: string): Promise<AudioSource> => openInput(name, { sampleRate: rate, framesPerBuffer, note: (l) => log.info(l) });
  const source = await guard(() => open(values.input));
  cleanup.push(() => source.stop());
  const inputs = routes ?? defaultRoutes(source.channelCount);
  await guard(() => validateRoutes(inputs, source.channelCount));

  const store = createParamStore(params);
  let show: Show | null = null;
  const controls = await guard(() => startControls({
    store, presets: library, initialPreset: preset, tempo: () => show?.tempo() ?? null,
    osc, oscOut, midi: values['no-midi'] ? null : { devices: values.midi },
    onPresetFile: (fn) => library.onChange(fn), catalog: { inputs: listInputs, models: () => listModels() }, log,
  }));
  cleanup.push(() => controls.close());
  show = await guard(() => startShow({
    source, inputName: values.input, openInput: open, routes: inputs, framesPerBuffer, store,
    effectOrder: () => controls.hub.presetState().chain, stateExtras: controls.state, api: controls.api, onFrame: controls.onFrame,
    pages: controls.pages, sockets: controls.sockets, access,
    stems: { pulse: values.pulse, motion: values.motion, class: values.class },
    model: values.model ?? preset?.model ?? 'builtin', size, seed, providers, fps, port, bind: values.bind, log,
  }));
  controls.attachShow(show);
  const url = show.server.url;
  process.stderr.write(`vj: output at ${url}  (state ${url}api/state, stats ${url}api/stats)\n`);
  const beyond = `http://<this machine>:${show.server.port}`;
  if (remote) process.stderr.write(`vj: outputs on other machines: ${beyond}/?token=${access.token}\n`);
  process.stderr.write(`vj: operator window at ${url}control${access.controlRemote && remote ? `  (from other machines: ${beyond}/control?token=${access.token})` : ''}\n`);
  if (controls.osc) process.stderr.write(`vj: OSC in on ${values['osc-bind']}:${controls.osc.port} (addresses ${url}api/osc)\n`);
  const output = values.headless ? null : await openOutput(url, { display: values.display, kiosk: !values.window, controlUrl: `${url}control`, log });

  const tty = process.stderr.isTTY === true;
  const status = setInterval(() => {
    const s = show.stats();
    const p = s.latencyMs.presented;
    const line = `in ${s.inputLevelDb.toFixed(0).padStart(4)} dB | inference ${s.inferenceFps.toFixed(0).padStart(3)} fps ${s.inferenceMs.p50?.toFixed(1) ?? '-'} ms | output ${s.outputFps.toFixed(0).padStart(3)} fps | audio→light p50 ${p.p50?.toFixed(0) ?? '-'} p95 ${p.p95?.toFixed(0) ?? '-'} ms | outputs ${s.outputs}`;
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
  }, 500);

  await new Promise<void>((resolve) => {
    const quit = () => resolve();
    process.once('SIGINT', quit);
    process.once('SIGTERM', quit);
  });
  clearInterval(status);
  if (tty) process.stderr.write('\n');
  output?.close();
  await show.stop();
  await controls.close();
  library.close();
  process.stderr.write('vj: stopped\n');
  return 0;
}
