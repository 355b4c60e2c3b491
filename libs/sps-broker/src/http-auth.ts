/**
 * Who may change things through the broker's HTTP port (reset offsets, …): anyone on this machine
 * (loopback), and from elsewhere only with the token the broker was started with
 * (`SPS_CONSOLE_TOKEN`, `sps serve --console-token`) as `Authorization: Bearer <token>`.
 * Read-only views need nothing. A write whose `Origin` is another site is refused even from
 * loopback, so a web page elsewhere cannot drive the local broker through the learner's browser.
 */
import type http from 'node:http';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || a.startsWith('127.');
}

export type WriteCheck = { ok: true } | { ok: false; status: 401 | 403; error: string };

export function checkWrite(req: http.IncomingMessage, token: string | undefined): WriteCheck {
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      // unparsable: treated as foreign
    }
    if (originHost !== req.headers.host)
      return { ok: false, status: 403, error: `write actions from another site (${origin}) are refused` };
  }
  if (isLoopback(req.socket.remoteAddress)) return { ok: true };
  if (!token)
    return {
      ok: false,
      status: 403,
      error:
        'write actions are allowed from this machine only; start the broker with --console-token (or SPS_CONSOLE_TOKEN) to allow them from elsewhere',
    };
  if (req.headers.authorization !== `Bearer ${token}`)
    return {
      ok: false,
      status: 401,
      error: 'write actions from other machines need Authorization: Bearer <token>',
    };
  return { ok: true };
}
