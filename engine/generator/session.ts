/**
 * ONNX Runtime sessions with execution-provider selection: each provider in the configured
 * order is tried on its own; the first that opens the model wins, and the log says what was
 * chosen and why each one before it was not. CPU is always last, so a session always opens
 * when the model itself is sound.
 */
import * as ort from 'onnxruntime-node';
import type { Logger } from '../log.js';
import { PROVIDER_ORDER, type ProviderName } from './Generator.js';

// ONNX Runtime's own log goes to stderr in colour; probing absent providers makes it print
// errors that {@link openSession} already reports as one line. Keep it for VJ_LOG=debug.
ort.env.logLevel = process.env.VJ_LOG === 'debug' ? 'warning' : 'fatal';

export interface SessionChoice {
  session: ort.InferenceSession;
  provider: ProviderName;
  /** Providers tried before the chosen one, with the reason each was passed over. */
  rejected: { provider: ProviderName; reason: string }[];
}

export interface SessionOptions {
  /** Providers to try, in order (default {@link PROVIDER_ORDER}); `cpu` is appended if missing. */
  providers?: readonly ProviderName[];
  /** Intra-op threads (default: ONNX Runtime's choice, the physical cores). */
  threads?: number;
}

/** Parses a comma-separated provider list (`--providers cuda,cpu`). */
export function parseProviders(spec: string): ProviderName[] {
  const out: ProviderName[] = [];
  for (const raw of spec.split(',')) {
    const p = raw.trim().toLowerCase();
    if (!(PROVIDER_ORDER as readonly string[]).includes(p)) {
      throw new Error(`unknown execution provider "${raw.trim()}" (known: ${PROVIDER_ORDER.join(', ')})`);
    }
    if (!out.includes(p as ProviderName)) out.push(p as ProviderName);
  }
  return out;
}

/** Why a provider that this build does not list cannot run here. */
function unavailableReason(p: ProviderName): string {
  if (p === 'coreml') return 'not in this build (macOS only)';
  if (p === 'dml') return 'not in this build (Windows only)';
  return `not in this onnxruntime-node build for ${process.platform}-${process.arch}`;
}

/** A one-line reason from a provider's failure. */
function failureReason(p: ProviderName, err: unknown): string {
  const msg = String(err instanceof Error ? err.message : err);
  if ((p === 'cuda' || p === 'tensorrt') && /shared library/i.test(msg)) {
    return 'not installed (on an NVIDIA machine: npm rebuild onnxruntime-node --onnxruntime-node-install=cuda12)';
  }
  if (p === 'webgpu' && /adapter/i.test(msg)) return 'no WebGPU adapter (no usable GPU driver)';
  const line = msg.split('\n').find((l) => l.trim() !== '') ?? msg;
  return `failed: ${line.length > 160 ? `${line.slice(0, 157)}...` : line}`;
}

/**
 * Opens `model` (a path or ONNX bytes) on the first provider that works.
 * @throws the CPU provider's error when even CPU cannot open the model (a bad model file).
 */
export async function openSession(model: string | Uint8Array, opts: SessionOptions = {}, log?: Logger): Promise<SessionChoice> {
  const order = [...(opts.providers ?? PROVIDER_ORDER)];
  if (!order.includes('cpu')) order.push('cpu');
  const listed = new Set(ort.listSupportedBackends().map((b) => b.name));
  const rejected: SessionChoice['rejected'] = [];
  for (const provider of order) {
    if (provider !== 'cpu' && !listed.has(provider)) {
      rejected.push({ provider, reason: unavailableReason(provider) });
      continue;
    }
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      // Idle pool threads sleep instead of spinning: on a 2-core laptop spinning steals the core
      // the engine thread (audio, effects, encoding) needs.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
      ...(opts.threads ? { intraOpNumThreads: opts.threads } : {}),
    };
    try {
      const session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
      log?.info(`execution provider: ${provider}${rejected.length ? ` (${rejected.map((r) => `${r.provider}: ${r.reason}`).join('; ')})` : ''}`);
      return { session, provider, rejected };
    } catch (err) {
      if (provider === 'cpu') throw err;
      rejected.push({ provider, reason: failureReason(provider, err) });
    }
  }
  throw new Error('unreachable: cpu is always tried');
}
