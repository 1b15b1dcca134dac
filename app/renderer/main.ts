/**
 * The output page: full-screen WebGL (regl). Receives frames over WebSocket, crossfades between
 * consecutive generated frames (so a 60 Hz display stays smooth when inference is slower), runs
 * the effect chain compiled from shaders/, and reports when each frame was presented.
 */
import createREGL from 'regl';
import { decodeFrame, socketUrl, wallNow, type Aspect, type FrameHeader, type ServerMessage, type Upscale } from '../../engine/server/protocol.js';
import { compileChain } from '../../shaders/compile.js';
import { EFFECTS } from '../../shaders/index.js';
import { createClockSync } from './clockSync.js';

const canvas = document.getElementById('out') as HTMLCanvasElement;
const statusEl = document.getElementById('status') as HTMLDivElement;
const params = new URLSearchParams(location.search);
/** `?aspect=` pins this output's aspect mode; otherwise the engine's `aspect` parameter rules. */
const pinnedAspect: Aspect | null = (['fit', 'fill', 'stretch'] as const).find((a) => a === params.get('aspect')) ?? null;
let aspect: Aspect = pinnedAspect ?? 'fit';
let upscale: Upscale = 'bicubic';
const regl = createREGL({ canvas, attributes: { antialias: false, alpha: false, preserveDrawingBuffer: true } });

/** State the browser tests read. */
const debug = { frames: 0, presented: 0, lastSeq: 0, chainKey: '', errors: [] as string[], lastPixels: null as Uint8Array | null, lastHeader: null as FrameHeader | null };
/** `?test`: keep a copy of the last frame's pixels for the browser tests. */
const keepPixels = params.has('test');
(window as unknown as { __vj: typeof debug }).__vj = debug;

// Two frame textures: the newest and the one before (crossfade), swapped on each frame.
const textures = [0, 1].map(() => regl.texture({ width: 1, height: 1, mag: 'linear', min: 'linear', wrapS: 'clamp', wrapT: 'clamp' }));
let newest = 0;
let header: FrameHeader | null = null;
let fadeStart = 0;
let fadeMs = 1;
let lastArrival = 0;
let pendingPresent = 0;

// Feedback needs the previous output: two framebuffers at canvas size, ping-ponged.
const fbos = [0, 1].map(() => regl.framebuffer({ width: 1, height: 1, depthStencil: false }));
let fboIndex = 0;
let fboSize = [1, 1];

const quad = regl.buffer([-1, -1, 1, -1, -1, 1, -1, 1, 1, -1, 1, 1]);
const vert = `
precision highp float;
attribute vec2 position;
uniform vec2 u_scale;
varying vec2 v_uv;
void main() {
  // Screen position → frame coordinate (0..1, top-left origin), scaled for the aspect mode.
  vec2 uv = (position * vec2(0.5, -0.5)) * u_scale + 0.5;
  v_uv = uv;
  gl_Position = vec4(position, 0.0, 1.0);
}`;

const blit = regl({
  vert: `precision highp float; attribute vec2 position; varying vec2 v; void main(){ v = position * 0.5 + 0.5; gl_Position = vec4(position, 0.0, 1.0); }`,
  frag: `precision highp float; uniform sampler2D src; varying vec2 v; void main(){ gl_FragColor = texture2D(src, v); }`,
  attributes: { position: quad },
  uniforms: { src: regl.prop<{ src: unknown }, 'src'>('src') as never },
  count: 6,
  depth: { enable: false },
});

type DrawCmd = (props: Record<string, unknown>) => void;
let chainCmd: DrawCmd | null = null;
let chainKey = '';
/** The operator's panic keys, as the engine last said. */
const panic = { blackout: false, freeze: false };
(debug as Record<string, unknown>).panic = panic;
(debug as Record<string, unknown>).view = () => ({ aspect, upscale });
let chainUniforms: string[] = [];

function buildChain(names: string[]): void {
  const chain = names.map((n) => EFFECTS.find((e) => e.name === n)).filter((e) => e !== undefined);
  const compiled = compileChain(chain);
  if (compiled.key === chainKey && chainCmd) return;
  const uniforms: Record<string, unknown> = {
    u_frame: regl.prop('frame' as never),
    u_prevFrame: regl.prop('prevFrame' as never),
    u_mix: regl.prop('mix' as never),
    u_feedback: regl.prop('feedback' as never),
    u_time: regl.prop('time' as never),
    u_resolution: regl.prop('resolution' as never),
    u_scale: regl.prop('scale' as never),
    u_upscale: regl.prop('upscale' as never),
    u_frameSize: regl.prop('frameSize' as never),
  };
  for (const u of compiled.uniforms) uniforms[u.name] = regl.prop(u.name as never);
  chainCmd = regl({ vert, frag: compiled.frag, attributes: { position: quad }, uniforms: uniforms as never, count: 6, depth: { enable: false }, framebuffer: regl.prop('fbo' as never) }) as unknown as DrawCmd;
  chainKey = compiled.key;
  chainUniforms = compiled.uniforms.map((u) => u.name);
  debug.chainKey = chainKey;
}

function aspectScale(frameW: number, frameH: number): [number, number] {
  if (aspect === 'stretch' || frameW === 0) return [1, 1];
  const screen = canvas.width / canvas.height;
  const frame = frameW / frameH;
  // fit: the whole frame visible (coordinates beyond 0..1 are letterbox); fill: cover, cropped.
  const wider = screen > frame;
  if (aspect === 'fit') return wider ? [screen / frame, 1] : [1, frame / screen];
  return wider ? [1, frame / screen] : [screen / frame, 1];
}

function resize(): void {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  if (fboSize[0] !== w || fboSize[1] !== h) {
    for (const f of fbos) f.resize(w, h);
    fboSize = [w, h];
  }
}

// --- the connection -------------------------------------------------------------------------
let ws: WebSocket | null = null;
/** Engine wall clock minus ours: a burst of pings on connect, then one a second. */
let clock = createClockSync();
let pinger: ReturnType<typeof setInterval> | null = null;
const ping = (sock: WebSocket) => sock.readyState === 1 && sock.send(JSON.stringify({ type: 'ping', t: wallNow() }));

function connect(): void {
  const sock = new WebSocket(socketUrl(location, '/ws'));
  sock.binaryType = 'arraybuffer';
  sock.onopen = () => {
    statusEl.textContent = '';
    clock = createClockSync();
    sock.send(JSON.stringify({ type: 'hello', width: canvas.width, height: canvas.height, userAgent: navigator.userAgent }));
    for (let i = 0; i < 5; i++) setTimeout(() => ping(sock), i * 200);
    if (pinger) clearInterval(pinger);
    pinger = setInterval(() => ping(sock), 1000);
  };
  sock.onmessage = (ev) => {
    if (typeof ev.data === 'string') {
      const msg = JSON.parse(ev.data) as ServerMessage;
      if (msg.type === 'pong') {
        clock.sample(msg.t, msg.server, wallNow());
      } else if (msg.type === 'output') {
        panic.blackout = msg.blackout;
        panic.freeze = msg.freeze;
        aspect = pinnedAspect ?? msg.aspect;
        upscale = msg.upscale;
      }
      return;
    }
    try {
      onFrame(ev.data as ArrayBuffer);
    } catch (err) {
      debug.errors.push(String(err));
    }
  };
  sock.onclose = () => {
    ws = null;
    if (pinger) clearInterval(pinger);
    pinger = null;
    statusEl.textContent = 'engine not reachable: retrying…';
    setTimeout(connect, 500);
  };
  ws = sock;
}

function onFrame(buf: ArrayBuffer): void {
  const { header: h, pixels } = decodeFrame(buf);
  if (panic.freeze) return;
  const next = newest ^ 1;
  textures[next]({ width: h.width, height: h.height, data: pixels, mag: 'linear', min: 'linear', wrapS: 'clamp', wrapT: 'clamp' });
  newest = next;
  const now = performance.now();
  // Fade over the interval between frames (up to 1 s: a 4 fps model fades over its whole
  // interval too), so motion is continuous at display rate.
  if (lastArrival > 0) fadeMs = Math.min(1000, Math.max(1, now - lastArrival));
  lastArrival = now;
  fadeStart = now;
  header = h;
  if (h.chain.join(',') !== chainKey || !chainCmd) buildChain(h.chain);
  pendingPresent = h.seq;
  debug.frames++;
  debug.lastSeq = h.seq;
  debug.lastHeader = h;
  if (keepPixels) debug.lastPixels = pixels.slice();
}

const t0 = performance.now();
/** One output frame: the chain into the feedback framebuffer, then to the screen. */
function draw(): void {
  resize();
  if (!header || !chainCmd || panic.blackout) {
    regl.clear({ color: [0, 0, 0, 1] });
    return;
  }
  const mix = Math.min(1, (performance.now() - fadeStart) / fadeMs);
  const props: Record<string, unknown> = {
    frame: textures[newest],
    prevFrame: textures[newest ^ 1],
    mix: debug.frames > 1 ? mix : 1,
    feedback: fbos[fboIndex ^ 1],
    time: (performance.now() - t0) / 1000,
    resolution: [canvas.width, canvas.height],
    scale: aspectScale(header.width, header.height),
    upscale: upscale === 'bicubic' ? 1 : 0,
    frameSize: [header.width, header.height],
    fbo: fbos[fboIndex],
  };
  for (const name of chainUniforms) props[name] = header.uniforms[name] ?? 0;
  chainCmd(props);
  blit({ src: fbos[fboIndex] });
  fboIndex ^= 1;
}

/** The frame drawn in the previous animation frame, reported once it is on screen. */
let drawnSeq = 0;
regl.frame(() => {
  // The previous callback's draw has been composited by the time this one runs: that is when the
  // frame it drew was presented (reporting right after the draw would be a frame early).
  if (drawnSeq && ws && ws.readyState === 1) {
    ws.send(JSON.stringify({ type: 'presented', seq: drawnSeq, at: wallNow() + clock.offset(), err: clock.rtt() / 2 }));
    debug.presented++;
  }
  drawnSeq = 0;
  // Frozen: nothing is drawn, so the canvas keeps showing the last picture.
  if (panic.freeze && !panic.blackout) return;
  draw();
  if (header && pendingPresent) {
    drawnSeq = pendingPresent;
    pendingPresent = 0;
  }
});

/** The bench: mean ms per output frame over `n` draws, each waited for by reading a pixel back. */
(debug as Record<string, unknown>).benchDraw = (n: number): number => {
  const gl = regl._gl;
  const px = new Uint8Array(4);
  const sync = () => gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
  draw();
  sync();
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    draw();
    sync();
  }
  return (performance.now() - start) / n;
};

window.addEventListener('error', (e) => debug.errors.push(String(e.message)));
connect();
