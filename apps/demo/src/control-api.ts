/**
 * The demo's control API, for the console and the workshop. A request handler that answers the
 * routes below and returns false for anything else, so it can be mounted on the broker's HTTP port
 * (`startBroker({ httpRoutes })`) or served on its own.
 *
 *   GET    /api/apps                              apps, instances (pid, port, status, exit code, …)
 *   GET    /api/apps/:app                         one app
 *   POST   /api/apps/:app/instances               one more instance (consumer apps)       → 201
 *   GET    /api/apps/:app/instances/:id/logs      its recent log lines
 *   DELETE /api/apps/:app/instances/:id           graceful stop (SIGTERM, then SIGKILL)   → 202
 *   POST   /api/apps/:app/instances/:id/kill      SIGKILL                                 → 202
 *   GET    /api/apps/:app/health                  each running instance's GET /health (1 s timeout)
 *   GET    /api/load                              the order trickle
 *   POST   /api/load {"rate": N}                  orders per second, 0 = off
 *   POST   /api/load {"burst": N}                 a spike: N orders as fast as the storefront takes them
 *   GET    /api/carrier                           the carrier's switches (its GET /admin/state)
 *   POST   /api/carrier/down                      the carrier answers 503 to every booking
 *   POST   /api/carrier/latency {"ms": N}         the carrier answers N ms later
 *   POST   /api/carrier/error-rate {"rate": R}    the carrier fails a share R (0 … 1) of bookings
 *   POST   /api/carrier/restore                   all three back to normal
 *
 * Every request passes @orders/http-guard (the same guard as the broker's own endpoints): Host must
 * be a name of this machine (DNS rebinding), and writes need a same-origin Origin or none (curl),
 * a JSON body, and from other machines `Authorization: Bearer <token>` (the demo's `--token`).
 */
import type http from 'node:http';
import { guardWrite, type GuardOptions } from '@orders/http-guard';
import { decodePathSegment, HttpError, readJsonBody } from '@orders/sps-broker';
import type { LoadStatus } from './load.js';
import { SupervisorError, type Supervisor } from './supervisor.js';

/** true = answered; false = not ours (the host server answers, e.g. with its own 404). */
export type HttpRoute = (req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>;

export interface LoadControl {
  status(): LoadStatus;
  setRate(rate: number): LoadStatus;
  burst(count: number): LoadStatus;
}

export interface ControlApiOptions {
  /** Lets write actions come from non-loopback clients that send `Authorization: Bearer <token>`. */
  token?: string;
  /** The order trickle; without it /api/load answers 404. */
  load?: LoadControl;
  /** Whether a request comes from this machine (default: its socket's remote address is loopback). */
  isLocal?: (req: http.IncomingMessage) => boolean;
  /** Names clients may use in `Host` besides this machine's own (the demo's `--allowed-host`). */
  allowedHosts?: readonly string[];
  /** The carrier's base URL (its admin API: /admin/down, /admin/latency, /admin/error-rate); without it /api/carrier answers 404. */
  carrierUrl?: string;
}

export function createControlApi(supervisor: Supervisor, options: ControlApiOptions = {}): HttpRoute {
  const guard: GuardOptions = {
    token: options.token,
    isLocal: options.isLocal,
    allowedHosts: options.allowedHosts,
    hints: { allowedHost: '--allowed-host {name}', token: '--token {secret} (or DEMO_TOKEN)' },
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (
      path !== '/api/load' &&
      path !== '/api/apps' &&
      !path.startsWith('/api/apps/') &&
      path !== '/api/carrier' &&
      !path.startsWith('/api/carrier/')
    )
      return false;
    const method = req.method ?? 'GET';
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        ...(status === 401 && { 'www-authenticate': 'Bearer' }),
      });
      res.end(JSON.stringify(body, null, 2));
      return true;
    };
    const only = (...allowed: string[]) => {
      if (!allowed.includes(method))
        throw new HttpError(405, `${method} is not supported on ${path}; use ${allowed.join(' or ')}`);
    };
    const refusal = guardWrite(req, guard);
    if (refusal) return send(refusal.status, { error: refusal.error });

    try {
      if (path === '/api/load') {
        if (!options.load) throw new HttpError(404, 'the order trickle is not running in this demo');
        only('GET', 'POST');
        if (method === 'GET') return send(200, options.load.status());
        const body = await readJsonBody(req);
        const { rate, burst } = (body ?? {}) as { rate?: unknown; burst?: unknown };
        if (burst !== undefined) {
          if (typeof burst !== 'number') throw new HttpError(400, 'send {"burst": N} with N orders');
          try {
            return send(202, options.load.burst(burst));
          } catch (err) {
            throw new HttpError(400, (err as Error).message);
          }
        }
        if (typeof rate !== 'number')
          throw new HttpError(
            400,
            'send {"rate": N} with N orders per second (0 turns the trickle off), or {"burst": N} for a spike of N orders',
          );
        try {
          return send(200, options.load.setRate(rate));
        } catch (err) {
          throw new HttpError(400, (err as Error).message);
        }
      }
      if (path === '/api/carrier' || path.startsWith('/api/carrier/')) {
        if (!options.carrierUrl) throw new HttpError(404, 'this demo has no carrier');
        const action = path.slice('/api/carrier/'.length);
        if (path === '/api/carrier') {
          only('GET');
          const r = await carrier(options.carrierUrl, 'GET', 'state');
          return send(r.status, r.body);
        }
        only('POST');
        const body = (await readJsonBody(req)) as Record<string, unknown> | null;
        const calls = carrierCalls(action, body);
        let last = { status: 200, body: {} as unknown };
        for (const [what, payload] of calls) {
          last = await carrier(options.carrierUrl, 'POST', what, payload);
          if (last.status >= 300) break;
        }
        return send(last.status, last.body);
      }
      if (path === '/api/apps') {
        only('GET');
        return send(200, { apps: supervisor.list() });
      }
      const parts = path.split('/').slice(3).map(decodePathSegment); // [app, 'instances', id, action]
      const [app, sub, idText, action] = parts;
      if (parts.length === 1) {
        only('GET');
        return send(200, supervisor.app(app!));
      }
      if (parts.length === 2 && sub === 'health') {
        only('GET');
        const running = supervisor.app(app!).instances.filter((i) => i.status === 'running');
        const health = await Promise.all(
          running.map(async (i) => {
            try {
              const r = await fetch(`${i.url}/health`, { signal: AbortSignal.timeout(1000) });
              return { id: i.id, name: i.name, status: r.status, health: (await r.json()) as unknown };
            } catch (err) {
              return { id: i.id, name: i.name, status: null, error: (err as Error).message };
            }
          }),
        );
        return send(200, { instances: health });
      }
      if (sub !== 'instances' || parts.length > 4) throw notFound(path);
      if (parts.length === 2) {
        only('GET', 'POST');
        if (method === 'GET') return send(200, { instances: supervisor.app(app!).instances });
        return send(201, await supervisor.start(app!));
      }
      const id = Number(idText);
      if (!Number.isInteger(id) || id < 1)
        throw new HttpError(400, `instance id must be a positive integer, not '${idText}'`);
      if (parts.length === 3) {
        only('GET', 'DELETE');
        if (method === 'GET') return send(200, supervisor.instance(app!, id));
        return send(202, supervisor.stop(app!, id));
      }
      if (action === 'kill') {
        only('POST');
        return send(202, supervisor.kill(app!, id));
      }
      if (action === 'logs') {
        only('GET');
        return send(200, { lines: supervisor.logs(app!, id) });
      }
      throw notFound(path);
    } catch (err) {
      if (err instanceof HttpError || err instanceof SupervisorError)
        return send(err.status, { error: err.message });
      return send(500, { error: String(err) });
    }
  };
}

/** The carrier admin calls behind one control action. */
function carrierCalls(action: string, body: Record<string, unknown> | null): Array<[string, unknown]> {
  switch (action) {
    case 'down':
      return [['down', { down: body?.down === undefined ? true : body.down }]];
    case 'latency':
      return [['latency', { ms: body?.ms }]];
    case 'error-rate':
      return [['error-rate', { rate: body?.rate }]];
    case 'restore':
      return [
        ['down', { down: false }],
        ['latency', { ms: 0 }],
        ['error-rate', { rate: 0 }],
      ];
    default:
      throw new HttpError(
        404,
        `no carrier action '${action}'; try /api/carrier/down, /latency {"ms"}, /error-rate {"rate"}, /restore`,
      );
  }
}

async function carrier(
  baseUrl: string,
  method: 'GET' | 'POST',
  what: string,
  payload?: unknown,
): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl.replace(/\/$/, '')}/admin/${what}`, {
      method,
      headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      body: payload === undefined ? undefined : JSON.stringify(payload),
      signal: AbortSignal.timeout(3000),
    });
  } catch (err) {
    throw new HttpError(502, `the carrier (${baseUrl}) does not answer: ${(err as Error).message}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { message: text };
  }
  return { status: res.status, body };
}

function notFound(path: string): HttpError {
  return new HttpError(
    404,
    `no such endpoint: ${path}; try /api/apps, /api/apps/:app/instances, /api/apps/:app/instances/:id[/kill|/logs], /api/load`,
  );
}
