import type { Command } from 'commander';
import { DEFAULT_BOOTSTRAP } from '../options.js';

/** Options every client command inherits from the program (`-b/--bootstrap`). */
export function clientOptions(cmd: Command): { bootstrap: string } {
  const o = cmd.optsWithGlobals<{ bootstrap?: string }>();
  return { bootstrap: o.bootstrap ?? DEFAULT_BOOTSTRAP };
}
