// Preload for test/bench/drain-cpu.ts --cpu-prof (NODE_OPTIONS=--import …; --cpu-prof itself is not
// allowed in NODE_OPTIONS): V8's sampling profiler starts on SIGUSR2, and the profile is written to
// $CPU_PROF_DIR/<app>-<pid>.cpuprofile when the process exits, so it covers the drain, not the start-up.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import process from 'node:process';

const dir = process.env.CPU_PROF_DIR;
const app = path.basename(path.dirname(path.dirname(process.argv[1] ?? 'unknown/x/x')));
const session = new Session();
let started = false;
process.on('SIGUSR2', () => {
  if (started) return;
  started = true;
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
});
process.on('exit', () => {
  if (!started || !dir) return;
  // The in-thread session answers synchronously, so this runs before the process is gone.
  session.post('Profiler.stop', (err, result) => {
    if (!err)
      writeFileSync(path.join(dir, `${app}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
