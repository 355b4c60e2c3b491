#!/usr/bin/env node
// `npm run new-consumer -- NAME [--no-build]` · `npm run remove-consumer -- NAME` (= new-consumer --remove NAME)
import path from 'node:path';
import { Command } from 'commander';
import { buildApp, removeApp, REPO, scaffoldApp } from './scaffold.js';

const program = new Command('new-consumer')
  .description(
    'scaffold a new consumer-group app under apps/NAME (its own group, module, handler, health, test)',
  )
  .argument('<name>', 'app name = consumer group, e.g. fraud-flag')
  .option('--remove', 'remove apps/NAME (only an app new-consumer made)')
  .option('--no-build', 'do not compile it')
  .action(async (name: string, o: { remove?: boolean; build: boolean }) => {
    if (o.remove) {
      const removed = await removeApp(name);
      console.log(
        removed
          ? `removed apps/${name}. Its consumer group stays on the broker with its offsets: npx sps groups delete ${name}`
          : `apps/${name} does not exist (nothing to remove)`,
      );
      return;
    }
    const dir = await scaffoldApp(name);
    console.log(`created ${path.relative(REPO, dir)}/ (consumer group ${name}); the rule is in src/rule.ts`);
    if (o.build) {
      await buildApp(name);
      console.log(`built apps/${name}/dist/main.js`);
    }
    console.log(
      [
        'next:',
        `  npx vitest run apps/${name}/src/                          its test, on an in-process broker`,
        `  KAFKA_BROKERS=127.0.0.1:9092 PORT=3100 node apps/${name}/dist/main.js   run it beside a running demo`,
        `  (or restart npm run demo: it finds apps/${name} by the "orders-stream" field in its package.json)`,
      ].join('\n'),
    );
  });

if (process.argv.includes('--remove-consumer'))
  process.argv.splice(process.argv.indexOf('--remove-consumer'), 1, '--remove');
await program.parseAsync().catch((err: Error) => {
  console.error(`new-consumer: ${err.message}`);
  process.exit(1);
});
