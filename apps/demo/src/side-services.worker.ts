/**
 * The demo's worker thread (side-services.ts starts it): the mail catcher and the OTLP trace
 * receiver with its trace store, off the broker's event loop. In a spike every consumer's spans and
 * every confirmation e-mail arrive here, not where the broker answers the storefront's produce.
 *
 * It answers the host's requests ({@link SideRequest}) with {@link SideReply}; errors keep their
 * message and `code` (EADDRINUSE decides the demo's fallbacks).
 */
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { runWhenIdle } from './cpu-priority.js';
import { startMailCatcher, type MailCatcher } from './mail-catcher.js';
import type { SideReply, SideRequest, SideWorkerData } from './side-services.js';
import { startTraceReceiver, TraceStore } from './traces.js';

const port = parentPort!;
const { niceness } = workerData as SideWorkerData;
if (niceness > 0) lowerThisThreadsPriority(niceness);

let mail: MailCatcher | null = null;
let traces: { store: TraceStore; close(): Promise<void> } | null = null;

async function handle(req: SideRequest): Promise<unknown> {
  switch (req.op) {
    case 'mail.start': {
      mail = await startMailCatcher(req.options);
      const { smtpPort, httpPort, smtpUrl, httpUrl } = mail;
      return { smtpPort, httpPort, smtpUrl, httpUrl };
    }
    case 'mail.messages':
      return mail ? await mail.messages() : [];
    case 'mail.clear':
      return mail?.clear();
    case 'mail.close':
      return mail?.close();
    case 'traces.start': {
      const store = new TraceStore(req.maxTraces);
      const receiver = await startTraceReceiver(store, req.port, req.host);
      traces = { store, close: receiver.close };
      return { url: receiver.url };
    }
    case 'traces.recent':
      return traces?.store.recent(req.limit) ?? [];
    case 'traces.byOrder':
      return traces?.store.byOrder(req.orderId) ?? null;
    case 'traces.close':
      return traces?.close();
  }
}

port.on('message', (req: SideRequest & { id: number }) => {
  handle(req).then(
    (result) => port.postMessage({ id: req.id, result } satisfies SideReply),
    (err: NodeJS.ErrnoException) =>
      port.postMessage({
        id: req.id,
        error: { message: err?.message ?? String(err), code: err?.code },
      } satisfies SideReply),
  );
});

/**
 * Linux gives each thread its own niceness and scheduling class: this one takes the consumers' (see
 * cpu-priority.ts), so in a spike the broker's thread (and the storefront) win the cores and the mail
 * and spans wait.
 */
function lowerThisThreadsPriority(by: number): void {
  try {
    // `/proc/thread-self` → `<pid>/task/<tid>`; setpriority(PRIO_PROCESS, tid) is per thread on Linux.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return;
    runWhenIdle(tid, Math.min(19, os.getPriority(tid) + by), { allThreads: false }).catch(() => undefined);
  } catch {
    // not Linux, or not allowed: the worker runs at the demo's priority
  }
}
