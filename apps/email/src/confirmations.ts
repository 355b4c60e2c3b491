/** Sending an order's confirmation once: render, send over SMTP, then log it. */
import { Injectable } from '@nestjs/common';
import type { OrderEvent } from '@orders/contracts';
import { renderConfirmation } from './confirmation.js';
import { Mailer } from './mailer.js';
import { SentMailLog } from './store.js';

export type SendResult = 'sent' | 'already-sent';

@Injectable()
export class Confirmations {
  constructor(
    private readonly mailer: Mailer,
    private readonly log: SentMailLog,
  ) {}

  /**
   * Sends the order's confirmation unless the log says it was sent before. The log row (and the ledger
   * row, in the same transaction) is written only AFTER the SMTP server accepted the message: a failure to
   * send throws, logs nothing, and the order is tried again.
   *
   * The at-least-once edge: a crash (or a lost database write) between the SMTP server's "250 accepted"
   * and the log's commit leaves the mail sent but not logged, so the redelivered order sends it a second
   * time. SMTP and our database share no transaction, so this cannot be closed here; instead every
   * rendering of an order carries the same Message-ID (`<order-<id>@orders-stream.local>`), which lets
   * mail clients, deduplicating relays and anyone reading the catcher recognise the resend as the same mail.
   */
  async send(order: OrderEvent): Promise<SendResult> {
    if (await this.log.has(order.orderId)) return 'already-sent';
    const mail = renderConfirmation(order);
    await this.mailer.send(mail);
    await this.log.record({
      orderId: order.orderId,
      to: mail.to.address,
      subject: mail.subject,
      messageId: mail.messageId,
      sentAt: new Date(),
    });
    return 'sent';
  }

  /**
   * {@link send} for a batch: sends the confirmations not logged yet, over the mailer's pooled
   * connections at once, then logs every accepted one in ONE transaction. When some were refused, the
   * accepted ones are still logged (they were sent) and the first failure is thrown, so the lib retries
   * just the failed orders one at a time. The at-least-once edge of {@link send} widens to the batch: a
   * crash between the SMTP server's accepts and the log's commit resends the batch's mails (same Message-IDs).
   */
  async sendAll(orders: readonly OrderEvent[]): Promise<void> {
    const logged = await this.log.sent(orders.map((o) => o.orderId));
    const pending = orders.filter(
      (o, i) => !logged.has(o.orderId) && orders.findIndex((p) => p.orderId === o.orderId) === i,
    );
    const results = await Promise.allSettled(
      pending.map(async (order) => {
        const mail = renderConfirmation(order);
        await this.mailer.send(mail);
        return {
          orderId: order.orderId,
          to: mail.to.address,
          subject: mail.subject,
          messageId: mail.messageId,
          sentAt: new Date(),
        };
      }),
    );
    const sent = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (sent.length) await this.log.recordAll(sent);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}
