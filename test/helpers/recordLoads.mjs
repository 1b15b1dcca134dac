// `node --import ./test/helpers/recordLoads.mjs …`: writes every module URL the process loads
// (ES imports and CommonJS requires, native addons included) to the file VJ_LOADS names, one a
// line, at exit. For the test that commands load only what they need.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const file = process.env.VJ_LOADS;
const seen = new Set();
register('data:text/javascript,' + encodeURIComponent(`
  let port;
  export function initialize(data) { port = data.port; }
  export async function resolve(spec, ctx, next) { const r = await next(spec, ctx); port.postMessage(r.url); return r; }
`), { parentURL: import.meta.url, data: { port: (globalThis.__vjLoadsChannel = new MessageChannel()).port2 }, transferList: [globalThis.__vjLoadsChannel.port2] });
globalThis.__vjLoadsChannel.port1.on('message', (url) => seen.add(url));
globalThis.__vjLoadsChannel.port1.unref();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  seen.add(Module._resolveFilename(request, parent, isMain));
  return load.apply(this, arguments);
};
process.on('exit', () => appendFileSync(file, [...seen].join('\n') + '\n'));
