import type { RequestContext } from './handlers/handler.js';

/**
 * The host:port clients should use to reach this broker. A configured advertised host wins;
 * otherwise the address the client connected to, which is right for loopback, containers and
 * LAN clients alike (a wildcard bind address would be useless to advertise).
 */
export function advertisedAddress(ctx: RequestContext): { host: string; port: number } {
  const { advertisedHost, advertisedPort } = ctx.state.settings;
  let host = advertisedHost ?? ctx.localAddress;
  if (host.startsWith('::ffff:')) host = host.slice(7);
  return { host, port: advertisedPort };
}
