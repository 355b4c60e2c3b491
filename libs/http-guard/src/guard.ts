/**
 * Who may use a local HTTP port (the broker's console and admin API, the demo's control API, the
 * apps). A workshop laptop sits on conference Wi-Fi with a browser open on other sites, so:
 *
 * - **Host** must be one of this server's own names (localhost, 127.0.0.1, [::1], the address the
 *   connection came in on, the machine's hostname, and names allowed by option). A page that rebinds
 *   its own DNS name to 127.0.0.1 still sends its own name as Host, so DNS rebinding is refused —
 *   for reads too, since records carry customers' names and addresses.
 * - **Writes** (anything but GET/HEAD/OPTIONS) need an `Origin` that is this very listener
 *   (scheme + one of its names + its port: the console's own page), or no `Origin` at all (curl,
 *   scripts). `Origin: null` (sandboxed frames, file:// pages, redirects) is refused.
 * - A write's body must be `Content-Type: application/json`: the "simple" types a page may send
 *   cross-site without a preflight (text/plain, forms) are refused with 415.
 * - Writes from other machines need `Authorization: Bearer <token>`, and are refused outright when
 *   the server was started without one.
 *
 * The listener is the socket's own end (`req.socket.localAddress` / `localPort`), so one guard works
 * on any port a route is mounted on, including port 0 in tests.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import os from 'node:os';

export interface GuardOptions {
  /** Names clients may use in `Host` besides this machine's own (e.g. a classroom DNS name). */
  allowedHosts?: readonly string[];
  /** Lets writes come from other machines with `Authorization: Bearer <token>`. */
  token?: string;
  /** Whether a request comes from this machine (default: its socket's remote address is loopback). */
  isLocal?: (req: http.IncomingMessage) => boolean;
  /**
   * How the user adds a name or a token, for the error messages: templates with `{name}` /
   * `{secret}` (default `--allowed-host {name}`, `--token {secret}`; an app says `ALLOWED_HOSTS={name}`).
   */
  hints?: { allowedHost?: string; token?: string };
}

/** Why a request is refused: answer `status` with `{ error }`. */
export interface Refusal {
  status: 400 | 401 | 403 | 415;
  error: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True for 127.0.0.0/8 and ::1 (also as IPv4-mapped IPv6). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = unmapped(address);
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/** True when the method changes something (POST, PUT, PATCH, DELETE, …). */
export function isWrite(method: string | undefined): boolean {
  return !SAFE_METHODS.has((method ?? 'GET').toUpperCase());
}

/** Names every listener answers to. */
const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1']);

/** The names this listener answers to, as seen by `req` (lower case, IPv6 without brackets). */
export function ownNames(req: http.IncomingMessage, options: GuardOptions = {}): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  const local = req.socket.localAddress;
  if (local) names.add(unmapped(local).toLowerCase());
  const hostname = os.hostname().toLowerCase();
  if (hostname) names.add(hostname).add(`${hostname}.local`);
  for (const h of options.allowedHosts ?? []) {
    const n = normaliseName(h);
    if (n) names.add(n);
  }
  return names;
}

/** The Host check alone (for reads): null when the Host header names this server. */
export function checkHost(req: http.IncomingMessage, options: GuardOptions = {}): Refusal | null {
  const header = req.headers.host;
  if (!header) return { status: 400, error: 'a Host header is required' };
  const name = hostOf(header);
  // the loopback names first: most requests use one, and ownNames asks the OS for the hostname
  if (name !== null && (LOOPBACK_NAMES.has(name) || ownNames(req, options).has(name))) return null;
  return {
    status: 403,
    error:
      `Host '${header}' is not a name of this server, so the request is refused (this is what a web page ` +
      `using DNS rebinding looks like). Use ${selfUrl(req)}, or allow the name with ` +
      (options.hints?.allowedHost ?? '--allowed-host {name}').replace('{name}', name ?? '<name>'),
  };
}

/**
 * Every check for a write: Host, Origin, who (loopback or the token), then the body's type. null =
 * allowed. Reads (GET/HEAD/OPTIONS) get the Host check only.
 */
export function guardWrite(req: http.IncomingMessage, options: GuardOptions = {}): Refusal | null {
  const host = checkHost(req, options);
  if (host || !isWrite(req.method)) return host;

  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (origin === 'null')
      return {
        status: 403,
        error:
          `writes from a page with Origin: null (a sandboxed frame, a file:// page or a redirect) are refused; ` +
          `use the console at ${selfUrl(req)}/ or curl`,
      };
    if (!isSameListener(origin, req, options))
      return {
        status: 403,
        error: `writes from another site (Origin: ${origin}) are refused; use the console at ${selfUrl(req)}/ or curl (which sends no Origin)`,
      };
  }

  const isLocal = options.isLocal ?? ((r: http.IncomingMessage) => isLoopback(r.socket.remoteAddress));
  if (!isLocal(req)) {
    const how = (options.hints?.token ?? '--token {secret}').replace('{secret}', '<secret>');
    if (!options.token)
      return {
        status: 403,
        error: `writes are allowed from this machine only: this server was started without a token; start it with ${how} and send Authorization: Bearer <secret>`,
      };
    if (!sameSecret(req.headers.authorization, `Bearer ${options.token}`))
      return {
        status: 401,
        error: `writes from other machines need Authorization: Bearer <secret>, the secret this server was started with (${how})`,
      };
  }

  const type = req.headers['content-type'];
  if (type !== undefined ? !/^application\/json\s*(;|$)/i.test(type) : hasBody(req))
    return {
      status: 415,
      error: `send the body as JSON with Content-Type: application/json (got ${type ?? 'no Content-Type'}), e.g. curl -H 'content-type: application/json' -d '{…}'`,
    };
  return null;
}

/** Answers a refusal as JSON (with `WWW-Authenticate` on 401). */
export function sendRefusal(res: http.ServerResponse, refusal: Refusal): void {
  res.writeHead(refusal.status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...(refusal.status === 401 && { 'www-authenticate': 'Bearer' }),
  });
  res.end(JSON.stringify({ error: refusal.error }, null, 2));
}

function isSameListener(origin: string, req: http.IncomingMessage, options: GuardOptions): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (port !== String(req.socket.localPort)) return false;
  return ownNames(req, options).has(normaliseName(url.hostname));
}

/** `name`, `name:port`, `[v6]`, `[v6]:port` → the name (normalised); null when malformed. */
function hostOf(header: string): string | null {
  const h = header.trim();
  const v6 = /^\[([0-9a-fA-F:.%\w]+)\](?::\d+)?$/.exec(h);
  if (v6) return normaliseName(v6[1]!);
  const m = /^([^:[\]\s/@]+)(?::\d+)?$/.exec(h);
  return m ? normaliseName(m[1]!) : null;
}

function normaliseName(name: string): string {
  return unmapped(
    name
      .trim()
      .replace(/^\[|\]$/g, '')
      .replace(/\.$/, '')
      .toLowerCase(),
  );
}

function unmapped(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function hasBody(req: http.IncomingMessage): boolean {
  const length = Number(req.headers['content-length'] ?? 0);
  return length > 0 || req.headers['transfer-encoding'] !== undefined;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}

/** How to reach this listener from this machine, for messages. */
function selfUrl(req: http.IncomingMessage): string {
  return `http://localhost:${req.socket.localPort}`;
}
