/**
 * The mail catcher and the trace receiver in one worker thread of the demo process, so that in a
 * spike the broker's event loop does not also parse every consumer's spans and take every
 * confirmation e-mail (a CPU profile of the demo process during a spike had them at ~40 % of its busy
 * time, the broker at ~12 %). A thread, not a process: one more V8 isolate (~10 MiB), not one more
 * Node (~50 MiB), and the demo still starts and stops them with itself.
 *
 * The worker answers with the same shapes as the in-thread versions: {@link MailCatcher} (its
 * messages copied across) and the trace store's queries for `tracesApi`. `startMailCatcher` and
 * `TraceStore` stay usable on their own (the compose images and the apps' tests run them in-thread).
 *
 * The worker's script is `side-services.worker.js` beside this file when built; run from TypeScript
 * source (vitest, `node --import tsx`), it is the `.ts` file, loaded through tsx's loader.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CaughtMessage, MailCatcher, MailCatcherOptions } from './mail-catcher.js';
import type { TraceQueries } from './traces.js';

export interface SideWorkerData {
  /** Niceness the worker thread takes above the demo's (the consumers'): 0 keeps the demo's. */
  niceness: number;
}

export type SideRequest =
  | { op: 'mail.start'; options: MailCatcherOptions }
  | { op: 'mail.messages' | 'mail.clear' | 'mail.close' | 'traces.close' }
  | { op: 'traces.start'; port: number; host?: string; maxTraces?: number }
  | { op: 'traces.recent'; limit?: number }
  | { op: 'traces.byOrder'; orderId: string };

export type SideReply = { id: number; result?: unknown; error?: { message: string; code?: string } };

export interface SideServices {
  /** The mail catcher, in the worker ({@link startMailCatcher}'s options and errors). */
  startMail(options: MailCatcherOptions): Promise<MailCatcher>;
  /** The OTLP/HTTP receiver and its store, in the worker ({@link startTraceReceiver}'s errors). */
  startTraces(
    port: number,
    host?: string,
  ): Promise<{ url: string; queries: TraceQueries; close(): Promise<void> }>;
  /** Stops the worker (after closing what it serves). */
  close(): Promise<void>;
}

/** `onFailure`: the worker died (its mail catcher and receiver with it); not called after close(). */
export async function startSideServices(
  data: SideWorkerData,
  onFailure: (err: Error) => void = () => undefined,
): Promise<SideServices> {
  const [script, options] = workerEntry();
  const worker = new Worker(script, { ...options, workerData: data });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 0;
  let failure: Error | null = null;
  let closing: Promise<void> | null = null;
  const failAll = (err: Error) => {
    if (!failure && !closing) onFailure(err);
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (reply: SideReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.error) p.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    else p.resolve(reply.result);
  });
  worker.on('error', (err) => failAll(new Error(`the demo's mail/trace worker failed: ${err.message}`)));
  worker.on('exit', (code) => failAll(new Error(`the demo's mail/trace worker exited (code ${code})`)));
  const call = <T>(req: SideRequest): Promise<T> =>
    failure
      ? Promise.reject(failure)
      : new Promise<T>((resolve, reject) => {
          const id = nextId++;
          pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
          worker.postMessage({ ...req, id });
        });
  await new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });

  return {
    async startMail(options) {
      const where = await call<Pick<MailCatcher, 'smtpPort' | 'httpPort' | 'smtpUrl' | 'httpUrl'>>({
        op: 'mail.start',
        options,
      });
      let closed: Promise<void> | null = null;
      return {
        ...where,
        messages: async () =>
          // Structured clone turns each Buffer into a Uint8Array; give callers Buffers again.
          (await call<CaughtMessage[]>({ op: 'mail.messages' })).map((m) => ({
            ...m,
            raw: Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength),
          })),
        clear: () => void call({ op: 'mail.clear' }).catch(() => undefined),
        close: () => (closed ??= failure ? Promise.resolve() : call<void>({ op: 'mail.close' })),
      };
    },
    async startTraces(port, host) {
      const { url } = await call<{ url: string }>({ op: 'traces.start', port, host });
      return {
        url,
        queries: {
          recent: (limit) => call({ op: 'traces.recent', limit }),
          byOrder: (orderId) => call({ op: 'traces.byOrder', orderId }),
        },
        close: () => (failure ? Promise.resolve() : call<void>({ op: 'traces.close' })),
      };
    },
    close: () =>
      (closing ??= (async () => {
        await Promise.all([
          call({ op: 'mail.close' }).catch(() => undefined),
          call({ op: 'traces.close' }).catch(() => undefined),
        ]);
        await worker.terminate();
      })()),
  };
}

/** The worker's script: built, or the TypeScript source through tsx's loader. */
function workerEntry(): [URL | string, { eval?: boolean; execArgv?: string[] }] {
  const here = import.meta.url;
  const built = here.endsWith('.js');
  // Built and resolving the libs' dist/ too: plain Node. (Built but run with the libs' source
  // condition, as some bench scripts do, the worker needs tsx for the libs.)
  const fromSource = process.execArgv.some((a) => a.includes('@orders/source'));
  if (built && !fromSource) return [new URL('./side-services.worker.js', here), {}];
  // A worker's own script is loaded before any --import of its execArgv takes effect, so a small
  // script registers tsx's hooks in the worker and then imports the source.
  // (tsx/esm/api's ESM build sits beside the CommonJS one that require.resolve finds.)
  const tsxApi = pathToFileURL(
    createRequire(here)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const source = new URL(`./side-services.worker.${built ? 'js' : 'ts'}`, here).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  // Only what loading the source needs (the test runner's own flags are not for a worker).
  return [boot, { eval: true, execArgv: ['--conditions=@orders/source'] }];
}
