#!/usr/local/bin/node
// OTLP/HTTP receiver on 0.0.0.0:4318 and the trace API on 0.0.0.0:16686 (one in-memory store).
import http from 'node:http';
const { TraceStore, startTraceReceiver, tracesApi } = await import('/app/apps/demo/dist/traces.js');
const store = new TraceStore();
const receiver = await startTraceReceiver(store, 4318, '0.0.0.0');
const api = tracesApi(store);
const ui = http.createServer(async (req, res) => {
  if ((await api(req, res)) === false) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'this stand-in serves GET /api/traces[?orderId=]' }));
  }
});
ui.listen(16686, '0.0.0.0');
console.log(`OTLP receiver (Jaeger stand-in): ${receiver.url}/v1/traces; traces on :16686/api/traces`);
const stop = () => receiver.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
