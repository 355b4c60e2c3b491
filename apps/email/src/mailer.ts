/** Sends mail over SMTP (`SMTP_URL`) with nodemailer, and says which failures are the server's, not the order's. */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { TransientError } from '@orders/messaging';
import type { NodemailerError } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import { composeMessage } from './compose.js';
import type { Confirmation } from './confirmation.js';
import { SmtpConnections } from './smtp-connections.js';

export const DEFAULT_SMTP_URL = 'smtp://127.0.0.1:1025';
export const DEFAULT_MAIL_FROM = '"The orders stream shop" <shop@orders-stream.local>';

export interface MailerOptions {
  /** `smtp://[user:pass@]host:port` (or `smtps://`); default {@link DEFAULT_SMTP_URL}. */
  smtpUrl?: string;
  /** The From header; default {@link DEFAULT_MAIL_FROM}. */
  from?: string;
  /** SMTP connections open at once (default {@link DEFAULT_SMTP_CONNECTIONS}). */
  connections?: number;
}

/**
 * A batch of confirmations goes out over this many connections at once, each sending many messages.
 * Enough for the SMTP round trips of one connection (MAIL+RCPT, DATA, the message) to overlap the
 * others'; a real relay may allow fewer, and then the ones it accepts carry the queue.
 */
export const DEFAULT_SMTP_CONNECTIONS = 8;

/** What the SMTP server answered when it accepted a message. */
export interface Accepted {
  messageId: string;
  /** The server's reply, e.g. `250 OK: queued as …`. */
  response: string;
}

/** Failures that say the SMTP server is away or busy, not that it refuses this message. */
const UNAVAILABLE = new Set([
  'ECONNECTION',
  'ESOCKET',
  'ETIMEDOUT',
  'EDNS',
  'ETLS',
  'EPROXY',
  'EAUTH',
  'ENOAUTH',
]);

@Injectable()
export class Mailer implements OnApplicationShutdown {
  readonly smtpUrl: string;
  private readonly from: string;
  private readonly connections: SmtpConnections;

  constructor(options: MailerOptions = {}) {
    this.smtpUrl = options.smtpUrl ?? DEFAULT_SMTP_URL;
    this.from = options.from ?? DEFAULT_MAIL_FROM;
    // nodemailer reads the URL as its transports do: host, port, smtps: = TLS, user:pass@ = AUTH.
    const { auth, ...server } = parseConnectionUrl(this.smtpUrl);
    this.connections = new SmtpConnections({
      ...server,
      ...(auth && { auth }),
      maxConnections: options.connections ?? DEFAULT_SMTP_CONNECTIONS,
      // Fail fast rather than hold the partition for nodemailer's default minutes.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  /** The server without credentials, for messages: `smtp://host:port`. */
  get server(): string {
    const url = new URL(this.smtpUrl);
    return `${url.protocol}//${url.host}`;
  }

  /** SMTP_URL and MAIL_FROM from the environment. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): Mailer {
    return new Mailer({ smtpUrl: env.SMTP_URL || undefined, from: env.MAIL_FROM || undefined });
  }

  /**
   * Resolves once the SMTP server has accepted the message. Throws a {@link TransientError} when the server
   * cannot be reached or answers "try again later" (4xx): the order waits, it is not dead-lettered.
   * A permanent refusal (5xx, an invalid recipient) throws as it is: retried a few times, then dead-lettered.
   */
  async send(mail: Confirmation): Promise<Accepted> {
    try {
      const { envelope, raw } = composeMessage(mail, this.from);
      const info = await this.connections.send(envelope, raw);
      return { messageId: mail.messageId, response: info.response };
    } catch (err) {
      const e = err as NodemailerError;
      // `permanent` is false for a 4xx reply ("try again later"), true for a 5xx refusal.
      if ((e.code !== undefined && UNAVAILABLE.has(e.code)) || e.permanent === false) {
        throw new TransientError(`SMTP server ${this.server} unavailable: ${e.message}`, { cause: err });
      }
      throw err;
    }
  }

  onApplicationShutdown() {
    this.connections.close();
  }
}
