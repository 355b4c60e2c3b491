#!/usr/bin/env node
/* global process */
// The `sps` command's entry. CommonJS on purpose: it runs before anything has used libuv's thread
// pool, so the pool's size can still be chosen. The broker fsyncs each partition there, and with
// Node's default of 4 threads the fifth partition's fsync of a round waits for a free one.
process.env.UV_THREADPOOL_SIZE ??= '16';
import('./sps.js');
