/**
 * The supervisor: runs the demo's apps as child processes (`node <APP_NODE_ARGS> apps/<app>/dist/main.js`), one or
 * more instances each, with prefixed coloured logs. No restarts by default — a crashed app shows as
 * `exited` with its code, because the workshop wants to see failures. Stop is graceful (SIGTERM, then
 * SIGKILL after a timeout); kill is SIGKILL, to show redelivery.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { AppDefinition, AppKind } from './apps.js';
import { APP_NODE_ARGS, APP_NODE_ENV } from './node-options.js';
import { freePort, isListening } from './ports.js';

export type InstanceStatus = 'starting' | 'running' | 'stopping' | 'exited';

export interface InstanceInfo {
  /** 1, 2, … per app; never reused while the demo runs. */
  id: number;
  /** `order-db#2`, as in the log prefix. */
  name: string;
  app: string;
  pid: number | null;
  port: number;
  url: string;
  status: InstanceStatus;
  /** Exit code once exited (null when ended by a signal). */
  exitCode: number | null;
  /** The signal that ended it (`SIGKILL`, `SIGTERM`), if any. */
  signal: string | null;
  startedAt: string;
  exitedAt: string | null;
  /** Automatic restarts (only with the `on-failure` policy; 0 by default). */
  restarts: number;
  /** Why it could not start, when it could not (spawn error). */
  error?: string;
}

export interface AppInfo {
  name: string;
  kind: AppKind;
  description: string;
  defaultPort: number;
  /** False while `apps/<app>/dist/main.js` does not exist (not built yet). */
  available: boolean;
  script: string;
  instances: InstanceInfo[];
}

export type RestartPolicy = 'never' | 'on-failure';

export interface SupervisorOptions {
  /** The repository root: scripts are found there, and children run there unless `cwd` says otherwise. */
  rootDir: string;
  /** The children's working directory, where their `.data/` lives (default `rootDir`). */
  cwd?: string;
  apps: readonly AppDefinition[];
  /** The script of an app (default `<rootDir>/apps/<name>/dist/main.js`). */
  scriptFor?: (app: AppDefinition) => string;
  /** Environment of every child (default process.env), before `env` and the per-instance variables. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Added to every child's environment (KAFKA_BROKERS, SMTP_URL, …). */
  env?: Record<string, string | undefined>;
  /** Node options before each app's script (default {@link APP_NODE_ARGS}: V8 heap bounds). */
  nodeArgs?: readonly string[];
  /** Where children listen; used for readiness probes and URLs (default 127.0.0.1). */
  host?: string;
  /** SIGTERM → SIGKILL grace period (default 10 s). */
  stopTimeoutMs?: number;
  restart?: RestartPolicy;
  /** Receives each prefixed log line, without the newline (default: stdout). */
  output?: (line: string) => void;
  /** ANSI colours in log prefixes (default: stdout is a TTY and NO_COLOR is unset). */
  color?: boolean;
  /** Exited instances kept in the listing per app (default 20). */
  keepExited?: number;
  /** Recent log lines kept per instance (default 200). */
  logLines?: number;
}

/** An error the control API turns into an HTTP status. */
export class SupervisorError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

interface Instance {
  info: InstanceInfo;
  child: ChildProcess | null;
  /** Stop requested (by us): an exit then is not a failure. */
  stopRequested: boolean;
  killTimer: NodeJS.Timeout | null;
  exited: Promise<void>;
  resolveExited: () => void;
  logs: string[];
}

const COLOURS = [36, 33, 35, 32, 34, 96, 93, 95, 92, 94];
const RESET = '\x1b[0m';

export class Supervisor extends EventEmitter {
  private readonly instances = new Map<string, Instance[]>();
  private readonly nextId = new Map<string, number>();
  private readonly defs = new Map<string, AppDefinition>();
  private readonly colour = new Map<string, number>();
  private closing = false;
  private readonly host: string;
  private readonly out: (line: string) => void;
  private readonly useColour: boolean;

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.host = options.host ?? '127.0.0.1';
    this.out = options.output ?? ((line) => process.stdout.write(`${line}\n`));
    this.useColour = options.color ?? (Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
    options.apps.forEach((a, i) => {
      this.defs.set(a.name, a);
      this.instances.set(a.name, []);
      this.nextId.set(a.name, 1);
      this.colour.set(a.name, COLOURS[i % COLOURS.length]!);
    });
  }

  scriptOf(app: AppDefinition): string {
    return (
      this.options.scriptFor?.(app) ?? path.join(this.options.rootDir, 'apps', app.name, 'dist', 'main.js')
    );
  }

  isAvailable(name: string): boolean {
    const def = this.defs.get(name);
    return def !== undefined && existsSync(this.scriptOf(def));
  }

  list(): AppInfo[] {
    return [...this.defs.values()].map((def) => this.describe(def));
  }

  app(name: string): AppInfo {
    return this.describe(this.def(name));
  }

  instance(app: string, id: number): InstanceInfo {
    return { ...this.find(app, id).info };
  }

  /** Recent log lines of one instance, oldest first (raw, without prefix). */
  logs(app: string, id: number): string[] {
    return [...this.find(app, id).logs];
  }

  /**
   * Starts one more instance. The first live instance of an app gets its default port; more
   * instances (consumer apps only) get a free port.
   */
  async start(name: string): Promise<InstanceInfo> {
    const def = this.def(name);
    if (this.closing) throw new SupervisorError(409, 'the demo is shutting down');
    const script = this.scriptOf(def);
    if (!existsSync(script))
      throw new SupervisorError(
        409,
        `${name} is not built yet (${path.relative(this.options.rootDir, script)} does not exist); run npm run build`,
      );
    const live = this.instances.get(name)!.filter((i) => i.info.status !== 'exited');
    if (def.kind !== 'consumer' && live.length > 0)
      throw new SupervisorError(
        409,
        `${name} is already running (${live[0]!.info.name}); only consumer apps run several instances`,
      );
    const defaultTaken = live.some((i) => i.info.port === def.port);
    const port = defaultTaken ? await freePort(this.host) : def.port;
    const id = this.nextId.get(name)!;
    this.nextId.set(name, id + 1);

    let resolveExited!: () => void;
    const exited = new Promise<void>((r) => (resolveExited = r));
    const inst: Instance = {
      info: {
        id,
        name: `${name}#${id}`,
        app: name,
        pid: null,
        port,
        url: `http://${this.host}:${port}`,
        status: 'starting',
        exitCode: null,
        signal: null,
        startedAt: new Date().toISOString(),
        exitedAt: null,
        restarts: 0,
      },
      child: null,
      stopRequested: false,
      killTimer: null,
      exited,
      resolveExited,
      logs: [],
    };
    this.instances.get(name)!.push(inst);
    this.prune(name);
    this.spawn(def, inst);
    return { ...inst.info };
  }

  /** Graceful stop: SIGTERM now, SIGKILL if still alive after the grace period. */
  stop(app: string, id: number): InstanceInfo {
    const inst = this.find(app, id);
    if (inst.info.status === 'exited') throw new SupervisorError(409, `${inst.info.name} has already exited`);
    this.terminate(inst);
    return { ...inst.info };
  }

  /** SIGKILL: no shutdown, no commit, no leaving the group (the broker notices by session timeout). */
  kill(app: string, id: number): InstanceInfo {
    const inst = this.find(app, id);
    if (inst.info.status === 'exited') throw new SupervisorError(409, `${inst.info.name} has already exited`);
    inst.stopRequested = true;
    inst.child?.kill('SIGKILL');
    return { ...inst.info };
  }

  /** Resolves when the instance has exited. */
  async waitExit(app: string, id: number): Promise<InstanceInfo> {
    const inst = this.find(app, id);
    await inst.exited;
    return { ...inst.info };
  }

  /** Resolves when the instance is running (its port accepts connections), or rejects if it exits. */
  async waitRunning(app: string, id: number, timeoutMs = 30_000): Promise<InstanceInfo> {
    const inst = this.find(app, id);
    const deadline = Date.now() + timeoutMs;
    while (inst.info.status === 'starting') {
      if (Date.now() > deadline) throw new Error(`${inst.info.name} did not start within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
    if (inst.info.status !== 'running')
      throw new Error(`${inst.info.name} is ${inst.info.status} (exit code ${inst.info.exitCode})`);
    return { ...inst.info };
  }

  /** Stops every instance gracefully, in reverse start order of apps; refuses new starts. */
  async stopAll(): Promise<void> {
    this.closing = true;
    const all = [...this.instances.values()].flat().filter((i) => i.info.status !== 'exited');
    for (const inst of all) this.terminate(inst);
    await Promise.all(all.map((i) => i.exited));
  }

  private terminate(inst: Instance): void {
    inst.stopRequested = true;
    if (inst.info.status === 'stopping') return;
    inst.info.status = 'stopping';
    this.emit('change', { ...inst.info });
    if (!inst.child || inst.child.exitCode !== null || inst.child.signalCode !== null) return;
    inst.child.kill('SIGTERM');
    inst.killTimer = setTimeout(() => {
      this.print(
        inst,
        `did not stop within ${this.options.stopTimeoutMs ?? 10_000} ms; sending SIGKILL`,
        true,
      );
      inst.child?.kill('SIGKILL');
    }, this.options.stopTimeoutMs ?? 10_000);
    inst.killTimer.unref();
  }

  private spawn(def: AppDefinition, inst: Instance): void {
    const env: NodeJS.ProcessEnv = {
      ...APP_NODE_ENV,
      ...(this.options.baseEnv ?? process.env),
      ...this.options.env,
      PORT: String(inst.info.port),
      APP_INSTANCE_ID: `${def.name}-${inst.info.id}`,
    };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    // The IPC channel is the apps' watchdog (@orders/messaging's onParentGone): the OS closes it when
    // the demo's process ends, however it ends, and the app then stops instead of holding its port.
    const nodeArgs = this.options.nodeArgs ?? APP_NODE_ARGS;
    const child = spawn(process.execPath, [...nodeArgs, this.scriptOf(def)], {
      cwd: this.options.cwd ?? this.options.rootDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    inst.child = child;
    inst.info.pid = child.pid ?? null;
    inst.info.status = 'starting';
    this.emit('change', { ...inst.info });

    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(inst, line, false));
    createInterface({ input: child.stderr! }).on('line', (line) => this.onLine(inst, line, true));

    child.once('error', (err) => {
      inst.info.error = err.message;
      this.print(inst, `could not start: ${err.message}`, true);
    });
    child.once('exit', (code, signal) => this.onExit(def, inst, child, code, signal));
    void this.probe(inst, child);
  }

  /** Marks the instance running once its port accepts connections (or it logs `listening`). */
  private async probe(inst: Instance, child: ChildProcess): Promise<void> {
    while (inst.child === child && inst.info.status === 'starting') {
      if (await isListening(inst.info.port, this.host === '0.0.0.0' ? '127.0.0.1' : this.host)) {
        this.markRunning(inst, child);
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private markRunning(inst: Instance, child: ChildProcess): void {
    if (inst.child !== child || inst.info.status !== 'starting') return;
    inst.info.status = 'running';
    this.emit('change', { ...inst.info });
  }

  private onExit(
    def: AppDefinition,
    inst: Instance,
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (inst.killTimer) clearTimeout(inst.killTimer);
    inst.killTimer = null;
    inst.info.status = 'exited';
    inst.info.exitCode = code;
    inst.info.signal = signal;
    inst.info.exitedAt = new Date().toISOString();
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const failed = !inst.stopRequested && (signal !== null || code !== 0);
    this.print(inst, how, failed);
    this.emit('change', { ...inst.info });
    if (inst.child !== child) return;
    if (failed && (this.options.restart ?? 'never') === 'on-failure' && !this.closing) {
      inst.info.restarts++;
      const t = setTimeout(() => {
        if (this.closing || inst.stopRequested) return inst.resolveExited();
        inst.info.exitCode = null;
        inst.info.signal = null;
        inst.info.exitedAt = null;
        inst.info.startedAt = new Date().toISOString();
        this.print(inst, `restarting (restart #${inst.info.restarts})`, false);
        this.spawn(def, inst);
      }, 1000);
      t.unref();
      return;
    }
    inst.resolveExited();
  }

  private onLine(inst: Instance, line: string, stderr: boolean): void {
    inst.logs.push(line);
    if (inst.logs.length > (this.options.logLines ?? 200)) inst.logs.shift();
    let text = line;
    let alarm = stderr;
    // Apps log one JSON object per line ({time, level, app, msg, …}); show it readably.
    if (line.startsWith('{')) {
      try {
        const { time: _t, level, app: _a, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
        if (typeof msg === 'string') {
          if (msg === 'listening' && typeof fields.port === 'number' && inst.info.status === 'starting') {
            inst.info.port = fields.port;
            inst.info.url = `http://${this.host}:${fields.port}`;
            if (inst.child) this.markRunning(inst, inst.child);
          }
          const rest = Object.entries(fields)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          text = `${typeof level === 'string' ? `${level} ` : ''}${msg}${rest ? ` ${rest}` : ''}`;
          alarm = level === 'error' || level === 'warn';
        }
      } catch {
        // not JSON after all: print as is
      }
    }
    this.print(inst, text, alarm);
  }

  private print(inst: Instance, text: string, alarm: boolean): void {
    const prefix = `[${inst.info.name}]`;
    if (!this.useColour) return this.out(`${prefix} ${text}`);
    const c = this.colour.get(inst.info.app) ?? 37;
    this.out(`\x1b[${c}m${prefix}${RESET} ${alarm ? `\x1b[31m${text}${RESET}` : text}`);
  }

  private prune(name: string): void {
    const list = this.instances.get(name)!;
    const keep = this.options.keepExited ?? 20;
    const exited = list.filter((i) => i.info.status === 'exited');
    for (const old of exited.slice(0, Math.max(0, exited.length - keep))) list.splice(list.indexOf(old), 1);
  }

  private def(name: string): AppDefinition {
    const def = this.defs.get(name);
    if (!def) throw new SupervisorError(404, `no app '${name}'; apps: ${[...this.defs.keys()].join(', ')}`);
    return def;
  }

  private find(app: string, id: number): Instance {
    this.def(app);
    const inst = this.instances.get(app)!.find((i) => i.info.id === id);
    if (!inst) {
      const ids = this.instances.get(app)!.map((i) => i.info.id);
      throw new SupervisorError(
        404,
        `${app} has no instance ${id}; ${ids.length ? `instances: ${ids.join(', ')}` : 'it has no instances'}`,
      );
    }
    return inst;
  }

  private describe(def: AppDefinition): AppInfo {
    const script = this.scriptOf(def);
    return {
      name: def.name,
      kind: def.kind,
      description: def.description,
      defaultPort: def.port,
      available: existsSync(script),
      script: path.relative(this.options.rootDir, script),
      instances: this.instances.get(def.name)!.map((i) => ({ ...i.info })),
    };
  }
}
