/**
 * A mail catcher for the demo: a real SMTP server that keeps the last messages in memory, and an HTTP
 * API in Mailpit's shapes (`/api/v1/messages`, `/api/v1/message/{ID}`, …) so a check written against
 * this catcher works unchanged against Mailpit (same ports: SMTP 1025, HTTP 8025).
 *
 * Mailpit endpoints served: GET /api/v1/messages?start&limit, DELETE /api/v1/messages (all, or
 * `{"IDs": […]}`), GET /api/v1/search?query=, GET /api/v1/message/{ID|latest},
 * GET /api/v1/message/{ID}/headers, GET /api/v1/message/{ID}/raw, GET /api/v1/info. Plus a small HTML
 * page at `/` listing the messages.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { guardWrite, sendRefusal } from '@orders/http-guard';
import { decodePathSegment, HttpError } from '@orders/sps-broker';
import { SMTPServer } from 'smtp-server';

export interface MailCatcherOptions {
  /** SMTP port (default 1025; 0 picks a free one). */
  smtpPort?: number;
  /** HTTP port (default 8025; 0 picks a free one). */
  httpPort?: number;
  /** Interface for both (default 127.0.0.1). */
  host?: string;
  /** How many messages to keep; older ones are dropped (default 5000). */
  maxMessages?: number;
  /** Largest message accepted, in bytes (default 10 MiB). */
  maxMessageBytes?: number;
}

export interface MailAddress {
  Name: string;
  Address: string;
}

/** One stored message (Mailpit's names where Mailpit has the field). */
export interface CaughtMessage {
  ID: string;
  MessageID: string;
  Read: boolean;
  From: MailAddress | null;
  To: MailAddress[];
  Cc: MailAddress[];
  Bcc: MailAddress[];
  ReplyTo: MailAddress[];
  Subject: string;
  /** When the catcher received it (ISO). */
  Created: string;
  /** The Date header (ISO), or Created when missing. */
  Date: string;
  Size: number;
  Text: string;
  HTML: string;
  Headers: Record<string, string[]>;
  Attachments: { PartID: string; FileName: string; ContentType: string; ContentID: string; Size: number }[];
  raw: Buffer;
}

export interface MailCatcher {
  smtpPort: number;
  httpPort: number;
  /** `smtp://host:port`, for SMTP_URL. */
  smtpUrl: string;
  /** `http://host:port`, the page and the API. */
  httpUrl: string;
  /** Stored messages, oldest first (every message accepted so far, parsed). */
  messages(): Promise<readonly CaughtMessage[]>;
  clear(): void;
  close(): Promise<void>;
}

const SNIPPET_CHARS = 250;

/**
 * A message as it arrived. It is parsed the first time someone reads it, as a real MTA queues before it
 * delivers: parsing (mailparser, ~0.65 ms a message) cost more than sending it, and in a spike it ran
 * beside the consumers it was meant to show. A list page parses only the messages on it.
 */
interface Held {
  ID: string;
  raw: Buffer;
  envelopeTo: string[];
  receivedAt: string;
  message?: CaughtMessage;
  parsing?: Promise<CaughtMessage>;
}

function parsedOf(held: Held): Promise<CaughtMessage> {
  if (held.message) return Promise.resolve(held.message);
  return (held.parsing ??= simpleParser(held.raw, { skipTextToHtml: true })
    // mailparser reads nearly anything; keep what it can't as a message with no parsed parts.
    .catch(() => simpleParser(Buffer.from('\r\n')))
    .then((parsed) => {
      held.message = caughtMessage(held, parsed);
      held.parsing = undefined;
      return held.message;
    }));
}

/** Parses those not yet parsed, one after another (a spike's worth would otherwise be parsed at once). */
async function parsedAll(helds: readonly Held[]): Promise<CaughtMessage[]> {
  const out: CaughtMessage[] = [];
  for (const held of helds) out.push(await parsedOf(held));
  return out;
}

function caughtMessage({ ID, raw, envelopeTo, receivedAt }: Held, parsed: ParsedMail): CaughtMessage {
  const to = addresses(parsed.to);
  return {
    ID,
    MessageID: (parsed.messageId ?? '').replace(/^<|>$/g, ''),
    Read: false,
    From: addresses(parsed.from)[0] ?? null,
    To: to.length ? to : envelopeTo.map((a) => ({ Name: '', Address: a })),
    Cc: addresses(parsed.cc),
    Bcc: addresses(parsed.bcc),
    ReplyTo: addresses(parsed.replyTo),
    Subject: parsed.subject ?? '',
    Created: receivedAt,
    Date: parsed.date ? parsed.date.toISOString() : receivedAt,
    Size: raw.length,
    Text: parsed.text ?? '',
    HTML: typeof parsed.html === 'string' ? parsed.html : '',
    Headers: headersOf(parsed),
    Attachments: parsed.attachments.map((a, i) => ({
      PartID: String(i + 2),
      FileName: a.filename ?? '',
      ContentType: a.contentType,
      ContentID: a.contentId ?? '',
      Size: a.size,
    })),
    raw,
  };
}

export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const host = options.host ?? '127.0.0.1';
  const maxMessages = options.maxMessages ?? 5000;
  const store: Held[] = [];

  const smtp = new SMTPServer({
    banner: 'orders-stream mail catcher',
    // Plain SMTP only: apps use smtp://, and a self-signed STARTTLS would make nodemailer fail.
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    size: options.maxMessageBytes ?? 10 * 1024 * 1024,
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'demo' });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        store.push({
          ID: randomUUID(),
          raw: Buffer.concat(chunks),
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          receivedAt: new Date().toISOString(),
        });
        if (store.length > maxMessages) store.splice(0, store.length - maxMessages);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort ?? 1025, host, () => {
      smtp.off('error', reject);
      resolve();
    });
  });
  // A client that drops the connection mid-session is not our problem; keep serving.
  smtp.on('error', () => undefined);
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const server = http.createServer((req, res) => {
    const refusal = guardWrite(req);
    if (refusal) return sendRefusal(res, refusal);
    handleHttp(req, res, store).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, err instanceof HttpError ? err.status : 500, {
          error: err instanceof HttpError ? err.message : String(err),
        });
      else res.end();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.httpPort ?? 8025, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    throw err;
  }
  const httpPort = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;

  let closing: Promise<void> | null = null;
  return {
    smtpPort,
    httpPort,
    smtpUrl: `smtp://${shownHost}:${smtpPort}`,
    httpUrl: `http://${shownHost}:${httpPort}`,
    messages: () => parsedAll(store),
    clear: () => void store.splice(0),
    close: () =>
      (closing ??= Promise.all([
        new Promise<void>((resolve) => smtp.close(() => resolve())),
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
      ]).then(() => undefined)),
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (!field) return [];
  const list = Array.isArray(field) ? field : [field];
  const out: MailAddress[] = [];
  for (const obj of list)
    for (const a of obj.value) {
      if (a.address) out.push({ Name: a.name ?? '', Address: a.address });
      // A group ("Team: a@x, b@x;") lists its members.
      for (const m of a.group ?? []) if (m.address) out.push({ Name: m.name ?? '', Address: m.address });
    }
  return out;
}

function headersOf(parsed: ParsedMail): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of parsed.headerLines) {
    const sep = line.line.indexOf(':');
    if (sep < 0) continue;
    const name = line.line.slice(0, sep).trim();
    const value = line.line
      .slice(sep + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    (out[name] ??= []).push(value);
  }
  return out;
}

/** Mailpit's list item ("message summary"). */
function summary(m: CaughtMessage) {
  return {
    ID: m.ID,
    MessageID: m.MessageID,
    Read: m.Read,
    From: m.From,
    To: m.To,
    Cc: m.Cc,
    Bcc: m.Bcc,
    ReplyTo: m.ReplyTo,
    Subject: m.Subject,
    Created: m.Created,
    Username: '',
    Tags: [] as string[],
    Size: m.Size,
    Attachments: m.Attachments.length,
    Snippet: snippet(m),
  };
}

/** Mailpit's full message. */
function detail(m: CaughtMessage) {
  return {
    ID: m.ID,
    MessageID: m.MessageID,
    From: m.From,
    To: m.To,
    Cc: m.Cc,
    Bcc: m.Bcc,
    ReplyTo: m.ReplyTo,
    ReturnPath: m.Headers['Return-Path']?.[0]?.replace(/^<|>$/g, '') ?? '',
    Subject: m.Subject,
    ListUnsubscribe: { Header: '', Links: [], Errors: '', HeaderPost: '' },
    Date: m.Date,
    Tags: [] as string[],
    Username: '',
    Text: m.Text,
    HTML: m.HTML,
    Size: m.Size,
    Inline: [],
    Attachments: m.Attachments,
  };
}

function snippet(m: CaughtMessage): string {
  const text = (m.Text || m.HTML.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  return text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}...` : text;
}

/** A page of the list, newest first; only the messages on it are parsed. */
async function list(all: readonly Held[], url: URL, filtered: readonly Held[] = all) {
  const start = Math.max(0, Number(url.searchParams.get('start')) || 0);
  const limit = Math.max(1, Number(url.searchParams.get('limit')) || 50);
  const newestFirst = await parsedAll([...filtered].reverse().slice(start, start + limit));
  return {
    total: all.length,
    unread: all.filter(unread).length,
    count: newestFirst.length,
    messages_count: filtered.length,
    messages_unread: filtered.filter(unread).length,
    start,
    tags: [] as string[],
    messages: newestFirst.map(summary),
  };
}

/** Only a message someone has opened is read, and opening it parsed it. */
const unread = (held: Held) => !held.message?.Read;

/**
 * Mailpit's search is a query language; here: every word must occur in from, to, subject or text.
 * It reads every message, so it parses every one not yet parsed.
 */
async function search(all: readonly Held[], query: string): Promise<Held[]> {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  await parsedAll(all);
  return all.filter(({ message: m }) => {
    if (!m) return false;
    const hay = [
      m.From?.Address,
      m.From?.Name,
      ...m.To.map((a) => `${a.Name} ${a.Address}`),
      m.Subject,
      m.MessageID,
      m.Text,
    ]
      .join(' ')
      .toLowerCase();
    return words.every((w) => hay.includes(w.replace(/^(to|from|subject|message-id):/, '')));
  });
}

async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse, store: Held[]) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';

  if (path === '/' && (method === 'GET' || method === 'HEAD')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    return res.end(page(store.length, await parsedAll(store.slice(-PAGE_ROWS).reverse())));
  }
  if (path === '/api/v1/info' && method === 'GET')
    return sendJson(res, 200, {
      Version: 'orders-stream mail catcher',
      Messages: store.length,
      Unread: store.filter(unread).length,
    });
  if (path === '/api/v1/messages') {
    if (method === 'GET') return sendJson(res, 200, await list(store, url));
    if (method === 'DELETE') {
      const body = await readBody(req);
      const ids: unknown = body ? (JSON.parse(body) as { IDs?: unknown }).IDs : undefined;
      if (Array.isArray(ids) && ids.length) {
        const drop = new Set(ids.map(String));
        const keep = store.filter((m) => !drop.has(m.ID));
        store.splice(0, store.length, ...keep);
      } else store.splice(0);
      return sendText(res, 200, 'ok');
    }
    return sendJson(res, 405, { error: `${method} is not supported on ${path}` });
  }
  if (path === '/api/v1/search' && method === 'GET')
    return sendJson(
      res,
      200,
      await list(store, url, await search(store, url.searchParams.get('query') ?? '')),
    );

  const m = /^\/api\/v1\/message\/([^/]+)(?:\/(headers|raw))?$/.exec(path);
  if (m && method === 'GET') {
    const id = decodePathSegment(m[1]!);
    const held = id === 'latest' ? store[store.length - 1] : store.find((x) => x.ID === id);
    if (!held) return sendText(res, 404, 'message not found');
    const msg = await parsedOf(held);
    if (m[2] === 'headers') return sendJson(res, 200, msg.Headers);
    if (m[2] === 'raw') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end(msg.raw);
    }
    msg.Read = true;
    return sendJson(res, 200, detail(msg));
  }
  return sendJson(res, 404, {
    error: `no such endpoint: ${method} ${url.pathname}`,
    endpoints: [
      'GET /api/v1/messages',
      'DELETE /api/v1/messages',
      'GET /api/v1/search?query=',
      'GET /api/v1/message/{ID}',
      'GET /api/v1/message/{ID}/headers',
      'GET /api/v1/message/{ID}/raw',
    ],
  });
}

const PAGE_ROWS = 200;

/** The HTML page: how many are held, and the newest of them (parsed), newest first. */
function page(total: number, newest: readonly CaughtMessage[]): string {
  const esc = (s: string) =>
    s.replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
    );
  const rows = newest
    .map(
      (m) =>
        `<tr><td>${esc(m.Created.replace('T', ' ').slice(0, 19))}</td><td>${esc(m.From?.Address ?? '')}</td>` +
        `<td>${esc(m.To.map((a) => a.Address).join(', '))}</td>` +
        `<td><a href="/api/v1/message/${m.ID}">${esc(m.Subject || '(no subject)')}</a></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Mail catcher (${total})</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}th{background:#f4f4f4}</style></head>
<body><h1>Mail catcher</h1>
<p>${total} message(s) caught; newest first (up to ${PAGE_ROWS} shown). Mailpit-compatible API:
<a href="/api/v1/messages">/api/v1/messages</a>. This page refreshes every 5 s.</p>
<table><thead><tr><th>received</th><th>from</th><th>to</th><th>subject</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}

function readBody(req: http.IncomingMessage, limit = 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendText(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}
