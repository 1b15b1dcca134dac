/**
 * Child processes and a small worker pool for the evaluation: every external tool (fluidsynth,
 * sox, aubioonset, our CLI) goes through `runTool`, and all fan-out goes through `mapPool`.
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';

/** What a finished child process left behind. */
export interface ToolResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/**
 * Runs `cmd args`, optionally writing `input` to its stdin; rejects on a non-zero exit status
 * (with the tool's stderr in the message) unless `allowFail` is set.
 */
export function runTool(
  cmd: string,
  args: readonly string[],
  opts: { input?: Uint8Array; cwd?: string; allowFail?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const res: ToolResult = { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString(), code: code ?? -1 };
      if (res.code !== 0 && !opts.allowFail) {
        reject(new Error(`${cmd} ${args.join(' ')} exited ${res.code}: ${res.stderr.slice(-800)}`));
      } else resolve(res);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? Buffer.alloc(0));
  });
}

/** True when `cmd` can be started (looked up on PATH). */
export async function hasTool(cmd: string, probeArgs: readonly string[] = ['--version']): Promise<boolean> {
  try {
    await runTool(cmd, probeArgs, { allowFail: true });
    return true;
  } catch {
    return false;
  }
}

/** Worker count: the `EVAL_JOBS` environment variable, else min(2, cores). */
export function defaultJobs(): number {
  const env = Number(process.env.EVAL_JOBS);
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, Math.min(2, cpus().length));
}

/** Maps `fn` over `items` with at most `jobs` calls in flight; results keep the input order. */
export async function mapPool<T, R>(items: readonly T[], jobs: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}
