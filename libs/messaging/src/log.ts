/** Structured logs: one JSON object per line on stdout, for Nest and for kafkajs. */
import type { LoggerService } from '@nestjs/common';
import { logLevel, type LogEntry } from 'kafkajs';

export type Level = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<Level | 'silent', number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };
/** LOG_LEVEL: debug | info (default) | warn | error | silent. */
const threshold = () => RANK[(process.env.LOG_LEVEL as Level) ?? 'info'] ?? RANK.info;

/** Writes `{"time","level","app","msg",...fields}` lines. */
export function logLine(app: string, level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (RANK[level] < threshold()) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, app, msg, ...fields });
  if (level === 'error' || level === 'warn') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
}

/** A Nest logger that writes {@link logLine}s. `LOG_LEVEL=debug` shows debug lines. */
export class JsonLogger implements LoggerService {
  constructor(private readonly app: string) {}
  log(message: unknown, context?: string) {
    logLine(this.app, 'info', String(message), context ? { context } : {});
  }
  error(message: unknown, ...rest: unknown[]) {
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const stack = typeof rest[0] === 'string' && rest.length > 1 ? rest[0] : undefined;
    logLine(this.app, 'error', String(message), { ...(context && { context }), ...(stack && { stack }) });
  }
  warn(message: unknown, context?: string) {
    logLine(this.app, 'warn', String(message), context ? { context } : {});
  }
  debug(message: unknown, context?: string) {
    logLine(this.app, 'debug', String(message), context ? { context } : {});
  }
  verbose(message: unknown, context?: string) {
    this.debug(message, context);
  }
}

/** A kafkajs `logCreator` writing {@link logLine}s. */
export function kafkaLogCreator(app: string) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, timestamp: _t, logger: _l, ...fields } = log;
      const lvl: Level =
        level <= logLevel.ERROR
          ? 'error'
          : level === logLevel.WARN
            ? 'warn'
            : level === logLevel.INFO
              ? 'info'
              : 'debug';
      logLine(app, lvl, `kafkajs: ${message}`, fields);
    };
}
