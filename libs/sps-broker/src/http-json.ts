/** Shared by every JSON write endpoint on the broker's HTTP port (and the demo's control API). */
import type http from 'node:http';

/** An error to answer with `status` and `{ error: message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a JSON request body (null when empty); 413 past `limit`, 400 when it is not JSON. */
export async function readJsonBody(req: http.IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
}

/**
 * A `%`-encoded path segment, decoded; a malformed escape (`%zz`, a lone `%E2`) is the client's
 * mistake: 400, not a URIError.
 */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `the URL path has a malformed %-escape: '${segment}' (encode '%' as %25)`);
  }
}
