// Static checks of deploy/ (part of `npm test`, which needs no Docker): the compose file is checked the
// way `docker compose config` would check it, and against what the repository actually has. The stack
// itself is built and run in CI by scripts/compose/compose.sh test.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { APP_NODE_ARGS, APP_NODE_ENV } from '../../apps/demo/src/node-options.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEPLOY = path.join(REPO, 'deploy');
const COMPOSE_FILE = path.join(DEPLOY, 'docker-compose.yml');
const source = readFileSync(COMPOSE_FILE, 'utf8');

interface Service {
  build?: { context: string; dockerfile?: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  profiles?: string[];
  networks?: string[] | Record<string, unknown>;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}
interface Compose {
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean } | null>;
  volumes: Record<string, unknown>;
}
/** The file with YAML anchors and merge keys resolved, as Compose reads it. */
const compose = parse(source, { merge: true }) as Compose;
const services = compose.services;

/** `${VAR:-default}` → default (or the value from deploy/.env), as Compose interpolates. */
const dotEnv = Object.fromEntries(
  readFileSync(path.join(DEPLOY, '.env'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const interpolate = (v: string) =>
  v.replace(/\$\{([A-Z_]+)(?::?-([^}]*))?\}/g, (_, name: string, def?: string) => dotEnv[name] ?? def ?? '');

/** The apps in this repository that build to a runnable process (apps/<app>/dist/main.js, or a main in src). */
const RUNNABLE_APPS = readdirSync(path.join(REPO, 'apps')).filter((app) => {
  const pkg = path.join(REPO, 'apps', app, 'package.json');
  if (!existsSync(pkg)) return false;
  const main = (JSON.parse(readFileSync(pkg, 'utf8')) as { main?: string }).main;
  return main === './dist/main.js' || existsSync(path.join(REPO, 'apps', app, 'src', 'main.ts'));
});
/**
 * Not services of the stack: the demo supervises processes itself; the console is served by sps; the
 * lab is the workshop's CLI, run by a learner against a running demo.
 */
const NOT_SERVICES = ['demo', 'console', 'lab'];
const CONSUMERS = ['order-db', 'email', 'shipping', 'erp-stock', 'crm', 'promo-counter'];
const APP_SERVICES = ['storefront', 'carrier', ...CONSUMERS];

/** The app a service runs with the repository's image: `node apps/<app>/dist/main.js`. */
const appOf = (s: Service) => s.command?.find((c) => c.startsWith('apps/'))?.split('/')[1];

describe('deploy/docker-compose.yml', () => {
  it('is valid YAML and valid against the compose-spec JSON schema (as shipped by dclint)', () => {
    const doc = parseDocument(source, { merge: true });
    expect(doc.errors).toEqual([]);
    // dclint (Docker Compose Linter, MIT) ships the compose-spec's JSON schema; its package exports
    // only its main module, so the file is read beside its package.json.
    const require = createRequire(import.meta.url);
    const schemaFile = path.join(
      path.dirname(require.resolve('dclint/package.json')),
      'schemas',
      'compose.schema.json',
    );
    // Draft-07, named by its https:// id, which Ajv knows as http://: the draft is given by the validator.
    // Compose's own formats (durations, …) are not JSON Schema formats.
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaFile, 'utf8')) as {
      $schema?: string;
    };
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('has every runnable app under apps/ as a service running its dist/main.js', () => {
    const expected = RUNNABLE_APPS.filter((a) => !NOT_SERVICES.includes(a) && a !== 'sps').sort();
    expect(expected).toEqual(expect.arrayContaining(APP_SERVICES));
    for (const app of expected) {
      expect(services[app], `service ${app}`).toBeDefined();
      expect(services[app]!.command, `${app}'s command`).toEqual(['node', `apps/${app}/dist/main.js`]);
    }
    expect(appOf(services.sps!)).toBe('sps');
  });

  it('builds every service of ours from an existing context and Dockerfile', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!s.build) {
        expect(s.image, `${name} has an image or a build`).toMatch(/^[a-z0-9./-]+:[\w.-]+$/);
        continue;
      }
      const context = path.resolve(DEPLOY, s.build.context);
      expect(existsSync(context), `${name}: build context ${context}`).toBe(true);
      const dockerfile = path.resolve(context, s.build.dockerfile ?? 'Dockerfile');
      expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
      const script = s.command?.find((c) => c.startsWith('apps/'));
      // The script is built by `npm run build` inside the image, from this source:
      if (script)
        expect(existsSync(path.join(context, script.replace('/dist/main.js', '/src/main.ts')))).toBe(true);
    }
  });

  it('sets every variable an app reads for it', () => {
    const needs: Record<string, string[]> = Object.fromEntries(
      APP_SERVICES.map((a) => [a, ['KAFKA_BROKERS', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'PORT', 'HOST']]),
    );
    for (const c of CONSUMERS) needs[c]!.push('DATABASE_URL');
    needs.email!.push('SMTP_URL');
    needs.shipping!.push('CARRIER_URL');
    for (const [app, vars] of Object.entries(needs)) {
      const env = services[app]!.environment ?? {};
      for (const v of vars) expect(interpolate(String(env[v] ?? '')), `${app}: ${v}`).not.toBe('');
    }
    // Inside a container an app must listen on all interfaces, and accept the names it is called by.
    for (const app of APP_SERVICES) {
      expect(services[app]!.environment!.HOST, app).toBe('0.0.0.0');
      expect(services[app]!.environment!.ALLOWED_HOSTS!.split(','), app).toContain(app);
    }
    // The addresses point at services of this file, on the ports those listen on.
    const env = services.shipping!.environment!;
    expect(interpolate(env.KAFKA_BROKERS!)).toBe('broker:9092');
    expect(env.SMTP_URL).toBe('smtp://mailpit:1025');
    expect(env.CARRIER_URL).toBe(`http://carrier:${services.carrier!.environment!.PORT}`);
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger:4318');
  });

  it('runs every app with the Node heap bounds and malloc arenas the demo gives its apps', () => {
    for (const app of APP_SERVICES) {
      const env = services[app]!.environment!;
      expect(interpolate(env.NODE_OPTIONS ?? '').split(' '), app).toEqual([...APP_NODE_ARGS]);
      expect(env.MALLOC_ARENA_MAX, app).toBe(APP_NODE_ENV.MALLOC_ARENA_MAX);
    }
  });

  it('gives each consumer app its own PostgreSQL schema of one database', () => {
    const schemas = CONSUMERS.map((app) => {
      const url = new URL(interpolate(services[app]!.environment!.DATABASE_URL!));
      expect(url.protocol).toBe('postgresql:');
      expect(url.host).toBe('postgres:5432');
      return url.searchParams.get('schema');
    });
    expect(schemas).toEqual(CONSUMERS.map((a) => a.replace(/-/g, '_')));
  });

  it('publishes no port twice, only on loopback, and none for a consumer app (so each can --scale)', () => {
    const published = Object.entries(services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => {
        const parts = interpolate(p).split(':');
        expect(parts, `${name}: ${p} is host-ip:host-port:container-port`).toHaveLength(3);
        expect(parts[0], `${name}: ${p} binds to loopback`).toBe('127.0.0.1');
        return { name, hostPort: parts[1]! };
      }),
    );
    const ports = published.map((p) => p.hostPort);
    expect(new Set(ports).size, JSON.stringify(published)).toBe(ports.length);
    for (const c of CONSUMERS) expect(services[c]!.ports, c).toBeUndefined();
    expect(ports.sort()).toEqual(['16686', '3000', '3007', '4567', '8025', '9080'].sort());
  });

  it('reaches nothing outside the compose network but through published ports', () => {
    expect(compose.networks.backend?.internal).toBe(true);
    const onEdge = Object.entries(services)
      .filter(([, s]) =>
        (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {})).includes('edge'),
      )
      .map(([n]) => n);
    for (const [name, s] of Object.entries(services)) {
      const nets = Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {});
      expect(nets, `${name} is on the internal network`).toContain('backend');
      // Only a service that publishes a port needs the network that reaches the host.
      if (onEdge.includes(name))
        expect(s.ports?.length, `${name} is on edge without a published port`).toBeGreaterThan(0);
      else expect(s.ports, name).toBeUndefined();
    }
  });

  it('runs one broker by profile (sps by default, kafka), each answering as `broker`', () => {
    expect(services.sps!.profiles).toEqual(['sps']);
    expect(services.kafka!.profiles).toEqual(['kafka']);
    expect(dotEnv.COMPOSE_PROFILES).toBe('sps');
    expect(services.kafka!.image).toMatch(/^apache\/kafka:4\./);
    for (const b of ['sps', 'kafka']) {
      expect((services[b]!.networks as Record<string, { aliases?: string[] }>).backend!.aliases).toEqual([
        'broker',
      ]);
      expect(services[b]!.healthcheck).toBeDefined();
    }
    expect(services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://broker:9092');
    expect(services.kafka!.environment!.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    // Compose v1.29 (Debian's docker-compose, which CI runs) rejects `required: false`, and a hard
    // dependency on the broker of the other profile fails: the apps wait for the broker themselves.
    for (const app of [...CONSUMERS, 'storefront']) {
      expect(Object.keys(services[app]!.depends_on ?? {}), app).not.toContain('sps');
      expect(Object.keys(services[app]!.depends_on ?? {}), app).not.toContain('kafka');
      for (const dep of Object.values(services[app]!.depends_on ?? {}))
        expect(dep, app).not.toHaveProperty('required');
    }
  });

  it('runs on Compose v1.29 too: the project name is in deploy/.env, not a top-level `name:`', () => {
    expect(compose).not.toHaveProperty('name');
    expect(dotEnv.COMPOSE_PROJECT_NAME).toBe('orders-stream');
  });

  it('has health checks and named volumes for broker data and PostgreSQL', () => {
    for (const name of [...APP_SERVICES, 'sps', 'kafka', 'postgres', 'mailpit'])
      expect(services[name]!.healthcheck, name).toBeDefined();
    expect(Object.keys(compose.volumes)).toEqual(
      expect.arrayContaining(['sps-data', 'kafka-data', 'postgres-data']),
    );
    expect(services.sps!.volumes).toContain('sps-data:/data');
    expect(services.kafka!.volumes).toContain('kafka-data:/var/lib/kafka/data');
    expect(services.postgres!.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(services.mailpit!.image).toMatch(/^axllent\/mailpit:/);
    expect(services.jaeger!.image).toMatch(/^jaegertracing\/all-in-one:/);
  });

  /** `docker compose` (v2) and/or `docker-compose` (v1), whichever is installed. */
  const composeClis = ([['docker', 'compose'], ['docker-compose']] as const).filter(([cmd, ...args]) => {
    try {
      execFileSync(cmd, [...args, 'version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  it.runIf(composeClis.length > 0)(
    'is accepted by `docker compose config` / `docker-compose config` for both profiles (where installed)',
    () => {
      for (const [cmd, ...args] of composeClis)
        for (const profile of ['sps', 'kafka'])
          execFileSync(cmd, [...args, '-f', COMPOSE_FILE, 'config', '--quiet'], {
            env: { ...process.env, COMPOSE_PROFILES: profile },
            stdio: 'pipe',
          });
    },
  );
});

describe('deploy/Dockerfile and .dockerignore', () => {
  const dockerfile = readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8');
  it('builds in stages from Node 20 and runs as a non-root user', () => {
    // The base images are build arguments (local bases in CI); their defaults are what users pull.
    const args = Object.fromEntries(
      [...dockerfile.matchAll(/^ARG\s+(\w+)=(\S+)/gm)].map((m) => [m[1]!, m[2]!] as const),
    );
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) =>
      m[1]!.replace(/^\$\{(\w+)\}$/, (_, name: string) => args[name] ?? `\${${name}}`),
    );
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toMatch(/^node:20[-.]/);
    expect(dockerfile).toMatch(/npm ci\b/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(lastStage).toMatch(/^USER node$/m);
    expect(lastStage).toContain('COPY --from=build');
  });
  it('keeps node_modules, dist and local data out of the build context', () => {
    const ignore = readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['.git', '**/node_modules', '**/dist', '.data', '.cache']) expect(ignore).toContain(p);
  });
});
