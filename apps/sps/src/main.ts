// Entry point of the `sps` command (bin/sps.js runs the compiled dist/main.js).
import { run } from './cli.js';
import { processIo } from './io.js';

// `sps consume … | head` closes our stdout early: that is a normal way to stop, not a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await run(process.argv, processIo());
