// The `sps` program: commander wiring. Each command's logic lives in src/commands/*.ts as plain
// functions (testable without a process); this file only parses and reports.
import { Command, CommanderError, Option } from 'commander';
import { consumeCommand } from './commands/consume.js';
import { groupsCommand } from './commands/groups.js';
import { produceCommand } from './commands/produce.js';
import { serveCommand } from './commands/serve.js';
import { topicsCommand } from './commands/topics.js';
import { describeError } from './errors.js';
import type { Io } from './io.js';
import { bootstrapOption, DEFAULT_BOOTSTRAP } from './options.js';

export function buildProgram(io: Io): Command {
  const program = new Command('sps')
    .description(
      'sps: a single-node Kafka-compatible broker (serve) and a client for any Kafka broker (topics, groups, produce, consume)',
    )
    .addOption(
      new Option('-b, --bootstrap <host:port>', 'broker to talk to (client commands)')
        .env('KAFKA_BROKERS')
        .default(DEFAULT_BOOTSTRAP)
        .argParser(bootstrapOption),
    )
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
      outputError: (s, write) => write(s),
    })
    .addHelpText(
      'after',
      `
Try:
  npx sps serve                                  start the broker on 127.0.0.1:9092
  npx sps topics create orders --partitions 5
  echo 'c-1:{"orderId":"o-1"}' | npx sps produce orders --key-separator :
  npx sps consume orders --from-beginning --print-key
  npx sps groups describe order-db              members, committed offsets and lag`,
    );

  program.addCommand(serveCommand(io));
  program.addCommand(topicsCommand(io));
  program.addCommand(groupsCommand(io));
  program.addCommand(produceCommand(io));
  program.addCommand(consumeCommand(io));

  // Every (sub)command: report usage errors through io and don't call process.exit.
  const configure = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
    });
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/** Runs the CLI with `argv` (as process.argv: node, script, args…) and returns the exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version "errors" are successes
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      return err.exitCode || 1;
    }
    const bootstrap = program.opts<{ bootstrap?: string }>().bootstrap;
    io.err(`sps: ${describeError(err, bootstrap)}`);
    if (io.env.SPS_DEBUG && err instanceof Error && err.stack) io.err(err.stack);
    return (err as { exitCode?: number }).exitCode ?? 1;
  }
}
