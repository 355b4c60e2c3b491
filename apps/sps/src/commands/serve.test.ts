import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { addServeOptions, listenError, serveOptionsFrom, SERVE_DEFAULTS } from './serve.js';

const opts = { host: '127.0.0.1', port: 9092, httpPort: 9080 };
const inUse = (port: number) =>
  Object.assign(new Error(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`), {
    code: 'EADDRINUSE',
    port,
  });

describe('serve: listen errors', () => {
  it('a Kafka port in use names the port and --port', () => {
    expect(listenError(inUse(9092), opts).message).toBe(
      'port 9092 is in use: is another broker running? pick another with --port',
    );
  });

  it('an HTTP port in use names --http-port', () => {
    expect(listenError(inUse(9080), opts).message).toMatch(/^http port 9080 is in use: .*--http-port/);
  });

  it('finds the port in the message when the error lacks it', () => {
    const err = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:9080'), {
      code: 'EADDRINUSE',
    });
    expect(listenError(err, opts).message).toMatch(/^http port 9080/);
  });

  it('other errors pass through', () => {
    const err = new Error('data directory is in use by another broker');
    expect(listenError(err, opts)).toBe(err);
  });
});

describe('serve: options', () => {
  it('maps --http-port off and --no-auto-create-topics', () => {
    expect(serveOptionsFrom({ ...SERVE_DEFAULTS, httpPort: false, autoCreateTopics: false })).toMatchObject({
      httpPort: null,
      autoCreateTopics: false,
    });
  });

  it('serves the built console by default, another directory with --console-dir, none with off', () => {
    expect(serveOptionsFrom({ ...SERVE_DEFAULTS }).consoleDir).toBeUndefined(); // → the built console, if any
    expect(serveOptionsFrom({ ...SERVE_DEFAULTS, consoleDir: 'off' }).consoleDir).toBeNull();
    expect(serveOptionsFrom({ ...SERVE_DEFAULTS, consoleDir: '/srv/console' }).consoleDir).toBe(
      '/srv/console',
    );
    expect(serveOptionsFrom({ ...SERVE_DEFAULTS, consoleToken: 's3cret' }).consoleToken).toBe('s3cret');
  });

  it('--retention-check-interval sets how often retention runs; unset leaves the broker default', () => {
    const parse = (args: string[]) =>
      serveOptionsFrom(
        addServeOptions(new Command('serve')).exitOverride().parse(args, { from: 'user' }).opts(),
      );
    expect(parse(['--retention-check-interval', '1000']).retentionCheckIntervalMs).toBe(1000);
    expect(parse([]).retentionCheckIntervalMs).toBeUndefined();
    expect(() => parse(['--retention-check-interval', 'soon'])).toThrow(/--retention-check-interval must be/);
  });
});
