/** Runs one of the lab's tools (`tally`, `lost-ack`, …) as its own process, as a learner would. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabContext } from './context.js';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.js');

export function runTool(
  ctx: LabContext,
  args: string[],
  options: { expectCrash?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, '--url', ctx.baseUrl, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const take = (chunk: Buffer) => {
      out += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line.trim()) ctx.say(`  | ${line}`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (options.expectCrash ? signal === 'SIGKILL' : code === 0) resolve(out);
      else
        reject(
          new Error(
            `lab ${args.join(' ')} ended with ${signal ?? `exit code ${code}`}${options.expectCrash ? ' (expected a crash)' : ''}`,
          ),
        );
    });
  });
}
