/**
 * A few open SMTP connections — nodemailer's SMTPConnection, its SMTP client — and a queue of messages
 * they take one at a time, so a batch of confirmations goes out over all of them at once.
 *
 * Why not nodemailer's pooled transport (`pool: true`): it hands every message to the connection as a
 * chain of MIME streams, and those streams, not SMTP, were most of email's CPU while a spike drained.
 * Measured on the same 2-core machine, same run, same mail catcher: 420–620 µs of CPU per message
 * through the pooled transport even with a pre-built message, 180–220 µs through SMTPConnection with the
 * message as one string (and 5 socket writes per message instead of 13). The SMTP exchange, STARTTLS,
 * AUTH and the reply codes stay nodemailer's; this file only decides which connection sends what.
 */
import SMTPConnection, {
  type SMTPConnectionOptions,
  type SMTPConnectionSendInfo,
} from 'nodemailer/lib/smtp-connection';
import type { NodemailerError } from 'nodemailer';

export interface SmtpConnectionsOptions extends SMTPConnectionOptions {
  /** At most this many connections are open at once. */
  maxConnections: number;
  /** Credentials for AUTH, when the server offers it. */
  auth?: { user: string; pass: string };
}

export interface SmtpEnvelope {
  from: string;
  to: string[];
}

interface Job {
  envelope: SmtpEnvelope;
  raw: string;
  resolve: (info: SMTPConnectionSendInfo) => void;
  reject: (err: unknown) => void;
}

/** A server refusal of one message that leaves the session usable after RSET (nodemailer's pool does the same). */
const refusesOnlyTheMessage = (err: NodemailerError) =>
  (err.code === 'EENVELOPE' || err.code === 'EMESSAGE') && err.responseCode !== 421;

export class SmtpConnections {
  private readonly queue: Job[] = [];
  private readonly idle: SMTPConnection[] = [];
  /** Connections that are open (idle or sending). */
  private readonly live = new Set<SMTPConnection>();
  private connecting = 0;
  /** maxConnections, or fewer once the server refused one more. */
  private ceiling: number;
  private closed = false;

  private readonly maxConnections: number;
  private readonly auth?: { user: string; pass: string };
  private readonly connectionOptions: SMTPConnectionOptions;

  constructor({ maxConnections, auth, ...connectionOptions }: SmtpConnectionsOptions) {
    this.maxConnections = maxConnections;
    this.ceiling = maxConnections;
    this.auth = auth;
    this.connectionOptions = connectionOptions;
  }

  /** Resolves once the server accepted the message; rejects with nodemailer's error when it did not. */
  send(envelope: SmtpEnvelope, raw: string): Promise<SMTPConnectionSendInfo> {
    if (this.closed) return Promise.reject(new Error('the SMTP connections are closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ envelope, raw, resolve, reject });
      this.dispatch();
    });
  }

  /** Ends every connection (QUIT); messages still queued fail. */
  close(): void {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the SMTP connections are closed'));
    for (const connection of this.live) connection.quit();
    this.live.clear();
    this.idle.length = 0;
  }

  /** Hands queued messages to idle connections, opening connections while there are fewer than allowed. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const connection = this.idle.pop();
      if (connection) {
        this.transmit(connection, this.queue.shift()!);
        continue;
      }
      if (this.live.size + this.connecting >= this.ceiling) return;
      if (this.connecting >= this.queue.length) return; // a connection on its way for each waiting message
      this.open();
    }
  }

  private open(): void {
    this.connecting++;
    this.connect().then(
      (connection) => {
        this.connecting--;
        if (this.closed) return connection.quit();
        this.live.add(connection);
        this.idle.push(connection);
        this.dispatch();
      },
      (err: unknown) => {
        this.connecting--;
        // With other connections open, the server takes fewer of them: those send what waits, and no
        // more are opened until they have all gone.
        if (this.live.size > 0) {
          this.ceiling = this.live.size;
          return this.dispatch();
        }
        if (this.connecting > 0) return; // the last of those to fail decides
        // The server cannot be reached (or refused our login): what waits would fail the same way, so
        // it fails now and the caller's retry waits, instead of each message trying its own connection.
        for (const job of this.queue.splice(0)) job.reject(err);
      },
    );
  }

  private connect(): Promise<SMTPConnection> {
    return new Promise((resolve, reject) => {
      const connection = new SMTPConnection(this.connectionOptions);
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        connection.close();
        reject(err);
      };
      // nodemailer reports a failure both here and to the callback in flight; an unheard 'error' would
      // crash the process. Once connected, a failure ends the connection (and the 'end' below drops it).
      connection.on('error', fail);
      connection.once('end', () => {
        this.drop(connection);
        fail(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' }));
      });
      connection.connect((err) => {
        if (err) return fail(err);
        const { auth } = this;
        if (!auth || !connection.allowsAuth) {
          settled = true;
          return resolve(connection);
        }
        connection.login({ user: auth.user, pass: auth.pass }, (loginErr) => {
          if (loginErr) return fail(loginErr);
          settled = true;
          resolve(connection);
        });
      });
    });
  }

  private transmit(connection: SMTPConnection, job: Job): void {
    connection.send(job.envelope, job.raw, (err, info) => {
      if (!err) {
        this.release(connection);
        return job.resolve(info!);
      }
      job.reject(err);
      if (refusesOnlyTheMessage(err) && this.live.has(connection)) {
        connection.reset((resetErr) => {
          if (!resetErr) return this.release(connection);
          this.drop(connection);
          this.dispatch();
        });
      } else {
        this.drop(connection);
        this.dispatch();
      }
    });
  }

  private release(connection: SMTPConnection): void {
    if (this.closed || !this.live.has(connection)) return;
    this.idle.push(connection);
    this.dispatch();
  }

  private drop(connection: SMTPConnection): void {
    if (!this.live.delete(connection)) return;
    if (this.live.size === 0) this.ceiling = this.maxConnections;
    const i = this.idle.indexOf(connection);
    if (i >= 0) this.idle.splice(i, 1);
    connection.close();
  }
}
