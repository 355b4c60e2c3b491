// Where a command reads and writes. The real process streams in main.ts; buffers in tests.
import type { Readable } from 'node:stream';

export interface Io {
  /** Results: tables, JSON, consumed records. */
  out(text: string): void;
  /** Progress, summaries, warnings, errors. */
  err(text: string): void;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); tests can pass their own. */
  onStop(listener: () => void): () => void;
  /** Ends the process now (a second Ctrl-C while shutting down). Tests leave it out. */
  exit?(code: number): never;
  /** True when `out` goes to a terminal (decides e.g. whether to colour or add summaries). */
  isTTY?: boolean;
}

export function processIo(): Io {
  return {
    out: (text) => {
      process.stdout.write(text.endsWith('\n') ? text : text + '\n');
    },
    err: (text) => {
      process.stderr.write(text.endsWith('\n') ? text : text + '\n');
    },
    stdin: process.stdin,
    env: process.env,
    isTTY: process.stdout.isTTY,
    exit: (code) => process.exit(code),
    onStop(listener) {
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
  };
}

/** An Io that records everything, for tests. */
export interface CapturedIo extends Io {
  stdout: string[];
  stderr: string[];
  stop(): void;
}

export function captureIo(stdin: Readable, env: NodeJS.ProcessEnv = {}): CapturedIo {
  const listeners = new Set<() => void>();
  const io: CapturedIo = {
    stdout: [],
    stderr: [],
    out: (text) => void io.stdout.push(text.replace(/\n$/, '')),
    err: (text) => void io.stderr.push(text.replace(/\n$/, '')),
    stdin,
    env,
    onStop(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      for (const l of [...listeners]) l();
    },
  };
  return io;
}
