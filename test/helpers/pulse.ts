/**
 * A hermetic PulseAudio daemon for real-capture tests (see /work/shared/ENVIRONMENT.md): a null
 * sink `test_sink` (48 kHz, stereo, s16le) whose monitor PortAudio sees, through an ALSA `pulse`
 * PCM named `test_in`, as a capture device. Everything lives in one temp dir, removed on stop.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** A running daemon. */
export interface PulseEnv {
  readonly dir: string;
  /** `unix:<dir>/native`. */
  readonly server: string;
  /** Environment for a process that captures through PortAudio (ALSA_CONFIG_PATH, PULSE_SERVER). */
  readonly env: NodeJS.ProcessEnv;
  /** Plays interleaved s16le stereo 48 kHz samples into the sink with pacat; resolves when done. */
  play(samples: Int16Array): Promise<void>;
  /** Kills the daemon (SIGKILL, as a crash would) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts the daemon again on the same socket. */
  restart(): Promise<void>;
  /** Kills the daemon and removes the temp dir; safe to call twice. */
  stop(): Promise<void>;
}

const ALSA_PULSE_PLUGIN = ['/usr/lib/x86_64-linux-gnu/alsa-lib', '/usr/lib/aarch64-linux-gnu/alsa-lib', '/usr/lib/alsa-lib'];

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why real capture cannot run here (undefined when it can). */
export function pulseMissing(): string | undefined {
  for (const cmd of ['pulseaudio', 'pacat', 'pactl']) {
    if (!onPath(cmd)) return `${cmd} not found (apt-get install pulseaudio pulseaudio-utils libasound2-plugins)`;
  }
  if (!ALSA_PULSE_PLUGIN.some((d) => existsSync(join(d, 'libasound_module_pcm_pulse.so')))) {
    return 'ALSA pulse plugin not found (apt-get install libasound2-plugins)';
  }
  return undefined;
}

/**
 * Skips the test (returns false) when `reason` is set, except under CI=true, where a missing
 * prerequisite is a failure: CI must run the real-component tests.
 */
export function requireOrSkip(t: TestContext, reason: string | undefined): boolean {
  if (reason === undefined) return true;
  if (process.env.CI === 'true') throw new Error(`real-capture prerequisite missing under CI: ${reason}`);
  t.skip(reason);
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a daemon in a fresh temp dir; waits until it answers. */
export async function startPulse(): Promise<PulseEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'vj-pulse-'));
  const runDir = join(dir, 'run');
  const home = join(dir, 'home');
  mkdirSync(runDir, { mode: 0o700 });
  mkdirSync(home);
  const server = `unix:${dir}/native`;
  writeFileSync(
    join(dir, 'default.pa'),
    `load-module module-native-protocol-unix socket=${dir}/native auth-anonymous=1\n` +
      'load-module module-null-sink sink_name=test_sink rate=48000 channels=2 format=s16le\n',
  );
  const alsaConf = join(dir, 'asound.conf');
  writeFileSync(alsaConf, `pcm.test_in { type pulse server "${server}" device "test_sink.monitor" }\n`);
  const daemonEnv = { ...process.env, XDG_RUNTIME_DIR: runDir, HOME: home };
  const pidFile = join(runDir, 'pulse', 'pid');
  const readPid = (): number | undefined => {
    try {
      return Number(readFileSync(pidFile, 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  /** True while the process exists and is not a zombie (containers may not reap the daemon). */
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return true;
    }
  };
  let pid: number | undefined;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const r = spawnSync(
      'pulseaudio',
      ['--daemonize=yes', '--use-pid-file=yes', '--exit-idle-time=-1', '-n', '-F', join(dir, 'default.pa'),
        '--disallow-exit', '--realtime=no', '--high-priority=no', '--disable-shm=yes'],
      { env: daemonEnv, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`pulseaudio failed to start (exit ${r.status}): ${r.stderr.trim().split('\n').pop()}`);
    for (let i = 0; i < 100; i++) {
      const ok = spawnSync('pactl', [`--server=${server}`, 'info'], { env: daemonEnv, stdio: 'ignore' }).status === 0;
      if (ok && (pid = readPid()) !== undefined) return;
      await sleep(50);
    }
    throw new Error('pulseaudio did not answer within 5 s');
  };

  const killDaemon = async (): Promise<void> => {
    const p = pid ?? readPid();
    pid = undefined;
    if (p === undefined || !alive(p)) return;
    process.kill(p, 'SIGKILL');
    for (let i = 0; i < 100 && alive(p); i++) await sleep(20);
  };

  const cleanupSync = (): void => {
    const p = pid ?? readPid();
    if (p !== undefined && alive(p)) process.kill(p, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanupSync);

  try {
    await launch();
  } catch (e) {
    cleanupSync();
    throw e;
  }

  return {
    dir,
    server,
    env: { ...process.env, ALSA_CONFIG_PATH: alsaConf, PULSE_SERVER: server },
    play(samples) {
      return new Promise((resolve, reject) => {
        const child = spawn(
          'pacat',
          ['--playback', `--server=${server}`, '-d', 'test_sink', '--raw', '--format=s16le', '--rate=48000', '--channels=2'],
          { env: daemonEnv, stdio: ['pipe', 'ignore', 'pipe'] },
        );
        let err = '';
        child.stderr.on('data', (b: Buffer) => (err += b.toString()));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pacat exited ${code}: ${err.trim()}`))));
        child.stdin.end(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
      });
    },
    kill: killDaemon,
    restart: launch,
    async stop() {
      if (stopped) return;
      stopped = true;
      await killDaemon();
      process.removeListener('exit', cleanupSync);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
