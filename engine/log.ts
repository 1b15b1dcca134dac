/** Log levels, quietest last. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** A scoped logger writing one line per message to stderr (stdout stays for data). */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** A logger for one component; lines look like `[vj audio] warn: message`. */
export function createLogger(scope: string, level: LogLevel = envLevel()): Logger {
  const emit = (l: LogLevel) => (msg: string) => {
    if (order[l] >= order[level]) process.stderr.write(`[vj ${scope}] ${l}: ${msg}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

function envLevel(): LogLevel {
  const v = process.env.VJ_LOG;
  return v && v in order ? (v as LogLevel) : 'info';
}

/**
 * A warning line at most once per `ms`; the lines dropped in between are counted in the next.
 * For input a sender controls (OSC, MIDI), so a flood cannot flood the terminal.
 */
export function rateLimited(log: Logger, ms: number, now: () => number = () => performance.now()): (msg: string) => void {
  let last = -Infinity;
  let dropped = 0;
  return (msg) => {
    const t = now();
    if (t - last < ms) {
      dropped++;
      return;
    }
    last = t;
    log.warn(dropped ? `${msg} (and ${dropped} more since the last warning)` : msg);
    dropped = 0;
  };
}
