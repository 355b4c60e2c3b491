/**
 * "Exactly one effect per order", app by app, read the way a user would check it: through each app's
 * HTTP API, the mail catcher's (Mailpit-shaped) API and the carrier's admin API. Each check compares the
 * whole state of the app with the shop's ledger, so a lost order and a doubled one both fail it.
 */
import { CUSTOMERS_TOPIC, type CustomerState } from '@orders/contracts';
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { expect } from 'vitest';
import type { Shop } from './shop.js';
import { getJson, type Consumer, type System } from './system.js';

export interface CheckContext {
  /**
   * A consumer was SIGKILLed since the start. SMTP cannot be exactly-once: a confirmation accepted by the
   * mail server just before the kill, and not yet logged, is sent again with the same deterministic
   * Message-ID, which is how a mail client recognises it. Such resends are reported, not failed.
   */
  killed: boolean;
  /** Something worth printing (e.g. how many resends). */
  note(text: string): void;
}

type Check = (system: System, shop: Shop, ctx: CheckContext) => Promise<void>;

/** Runs `fn` over `items`, `n` at a time. */
async function inBatches<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(fn))));
  return out;
}

/** order-db: every order saved once, with its lines. */
const orderDb: Check = async (system, shop) => {
  const { body } = await getJson<{ orderId: string; lines: { sku: string; qty: number }[] }[]>(
    `${system.url('order-db')}/orders?limit=500`,
  );
  expect(shop.placed.length, 'GET /orders?limit=500 shows at most 500 orders').toBeLessThanOrEqual(500);
  const saved = new Map(body.map((o) => [o.orderId, o]));
  expect(body.length, 'orders in order-db').toBe(shop.placed.length);
  for (const o of shop.placed) {
    expect(
      saved.get(o.orderId)?.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
      `order ${o.orderId}`,
    ).toEqual(o.lines);
  }
};

/** email: one confirmation per order in the app's log and exactly one message per order in the catcher. */
const email: Check = async (system, shop, ctx) => {
  const { body: inbox } = await getJson<{
    total: number;
    messages: { MessageID: string; To: { Address: string }[] }[];
  }>(`${system.mailUrl}/api/v1/messages?limit=5000`);
  const distinct = new Set(inbox.messages.map((m) => m.MessageID)).size;
  expect(distinct, 'distinct Message-IDs in the mail catcher').toBe(shop.placed.length);
  if (!ctx.killed) expect(inbox.total, 'messages in the mail catcher').toBe(shop.placed.length);
  else if (inbox.total > distinct)
    ctx.note(
      `email: ${inbox.total - distinct} confirmation(s) resent after the kill, with the same Message-ID`,
    );
  const byMessageId = new Map<string, { To: { Address: string }[] }[]>();
  for (const m of inbox.messages) byMessageId.set(m.MessageID, [...(byMessageId.get(m.MessageID) ?? []), m]);
  const sent = await inBatches(shop.placed, 20, async (o) => {
    const { status, body } = await getJson<{ messageId: string }>(
      `${system.url('email')}/emails/${o.orderId}`,
    );
    expect(status, `GET /emails/${o.orderId}`).toBe(200);
    return { order: o, messageId: body.messageId.replace(/^<|>$/g, '') };
  });
  for (const { order, messageId } of sent) {
    const caught = byMessageId.get(messageId) ?? [];
    if (!ctx.killed)
      expect(caught.length, `messages with Message-ID ${messageId} (order ${order.orderId})`).toBe(1);
    else
      expect(caught.length, `messages with Message-ID ${messageId} (order ${order.orderId})`).toBeGreaterThan(
        0,
      );
    expect(caught[0]!.To.map((t) => t.Address)).toEqual([order.email]);
  }
};

/** Text of a PDF's pages (pdf.js, as a viewer reads it). */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocument({ data: bytes, verbosity: VerbosityLevel.ERRORS, isEvalSupported: false })
    .promise;
  let text = '';
  for (let p = 1; p <= pdf.numPages; p++) {
    const content = await (await pdf.getPage(p)).getTextContent();
    text += content.items.map((i) => ('str' in i ? i.str : '')).join(' ') + '\n';
  }
  await pdf.destroy();
  return text;
}

/** Labels opened and read with pdf.js per check (every label is fetched and checked to be a PDF). */
const LABELS_READ = 12;

/** shipping: one shipment per order, booked once with the carrier, each with a readable PDF label. */
const shipping: Check = async (system, shop) => {
  const shipments = await inBatches(shop.placed, 20, async (o) => {
    const { status, body } = await getJson<{ trackingNumber: string; labelUrl: string }>(
      `${system.url('shipping')}/shipments/${o.orderId}`,
    );
    expect(status, `GET /shipments/${o.orderId}`).toBe(200);
    return { order: o, ...body };
  });
  const tracking = new Set(shipments.map((s) => s.trackingNumber));
  expect(tracking.size, 'distinct tracking numbers').toBe(shop.placed.length);
  const { body: carrier } = await getJson<{ shipments: number }>(`${system.url('carrier')}/admin/state`);
  expect(carrier.shipments, 'shipments booked with the carrier (one per idempotency key)').toBe(
    shop.placed.length,
  );

  const labels = await inBatches(shipments, 20, async (s) => {
    const res = await fetch(new URL(s.labelUrl, system.url('shipping')), {
      signal: AbortSignal.timeout(5_000),
    });
    expect(res.status, `GET ${s.labelUrl}`).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/pdf/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const head = Buffer.from(bytes.subarray(0, 5)).toString('latin1');
    expect(head, `${s.labelUrl} starts like a PDF`).toBe('%PDF-');
    return { ...s, bytes };
  });
  const step = Math.max(1, Math.floor(labels.length / LABELS_READ));
  for (const label of labels.filter((_, i) => i % step === 0).slice(0, LABELS_READ)) {
    const text = await pdfText(label.bytes);
    expect(text, `label of ${label.order.orderId} shows its tracking number`).toContain(label.trackingNumber);
  }
};

/** erp-stock: every SKU's stock is its initial stock minus exactly what was ordered. */
const erpStock: Check = async (system, shop) => {
  const { body } = await getJson<{ sku: string; stock: number }[]>(`${system.url('erp-stock')}/stock`);
  const actual = Object.fromEntries(body.map((p) => [p.sku, p.stock]));
  expect(actual).toEqual(Object.fromEntries(shop.expectedStock()));
};

/**
 * The compacted topic `customers` (crm's table) as a reader rebuilds it: replayed from offset 0 with
 * kafkajs, the latest record per key wins, a tombstone deletes the row.
 */
async function replayCustomers(
  system: System,
  complete: (rows: ReadonlyMap<string, CustomerState>) => boolean,
): Promise<Map<string, CustomerState>> {
  const ends = new Map(
    (await system.admin.fetchTopicOffsets(CUSTOMERS_TOPIC)).map((p) => [p.partition, Number(p.high)]),
  );
  const left = new Set([...ends].filter(([, high]) => high > 0).map(([p]) => p));
  const rows = new Map<string, CustomerState>();
  if (left.size === 0) return rows;
  const groupId = `e2e-customers-table-${process.pid}-${Date.now()}`;
  const consumer = system.kafka().consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  const seen = new Map<number, number>();
  let timer: NodeJS.Timeout | undefined;
  try {
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.subscribe({ topics: [CUSTOMERS_TOPIC], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const key = message.key!.toString();
        if (message.value === null) rows.delete(key);
        else rows.set(key, JSON.parse(message.value.toString()) as CustomerState);
        seen.set(partition, Number(message.offset));
        // The end, or every state the check waits for: on a compacted topic a reader may never be
        // handed a record at high watermark - 1 (an emptied batch), so the offset alone can't decide.
        if (Number(message.offset) >= ends.get(partition)! - 1) left.delete(partition);
        if (!left.size || complete(rows)) done();
      },
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `replaying ${CUSTOMERS_TOPIC}: after 30 s, partitions ${[...left].join(', ')} had not reached ` +
                `their high watermark (${JSON.stringify(Object.fromEntries(ends))}; read to ${JSON.stringify(Object.fromEntries(seen))})`,
            ),
          ),
        30_000,
      );
    });
    await Promise.race([finished, timeout]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    await system.admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return rows;
}

/** crm: every customer's order count and lifetime value, in its database and in its `customers` table topic. */
const crm: Check = async (system, shop) => {
  const expected = [...shop.expectedCustomers()];
  const actual = await inBatches(expected, 20, async ([id]) => {
    const { status, body } = await getJson<{ orderCount: number; lifetimeValueCents: number }>(
      `${system.url('crm')}/customers/${id}`,
    );
    return [
      id,
      status === 200 ? { orderCount: body.orderCount, lifetimeValueCents: body.lifetimeValueCents } : status,
    ];
  });
  const want = Object.fromEntries(
    expected.map(([id, c]) => [id, { orderCount: c.orderCount, lifetimeValueCents: c.lifetimeValueCents }]),
  );
  expect(Object.fromEntries(actual)).toEqual(want);
  const table = await replayCustomers(system, (rows) =>
    expected.every(([id, c]) => {
      const row = rows.get(id);
      return row?.orderCount === c.orderCount && row.lifetimeValueCents === c.lifetimeValueCents;
    }),
  );
  expect(
    Object.fromEntries(
      expected.map(([id]) => {
        const row = table.get(id);
        return [
          id,
          row ? { orderCount: row.orderCount, lifetimeValueCents: row.lifetimeValueCents } : 'missing',
        ];
      }),
    ),
    `the ${CUSTOMERS_TOPIC} topic replayed from offset 0`,
  ).toEqual(want);
};

/** promo-counter: orders per promo code, and those without one. */
const promoCounter: Check = async (system, shop) => {
  const { body } = await getJson(`${system.url('promo-counter')}/promos`);
  expect(body).toEqual(shop.expectedPromos());
};

/** The effect each consumer app must show once per order, in words and as a check. */
export const EFFECTS: Record<Consumer, { effect: string; check: Check }> = {
  'order-db': { effect: 'saved each order once, with its lines', check: orderDb },
  email: { effect: 'sent one confirmation per order, each in the mail catcher exactly once', check: email },
  shipping: { effect: 'booked one shipment per order, each with a readable PDF label', check: shipping },
  'erp-stock': { effect: 'decremented stock by exactly the quantities ordered', check: erpStock },
  crm: { effect: "counts each customer's orders and lifetime value right", check: crm },
  'promo-counter': { effect: 'counts the orders per promo code right', check: promoCounter },
};
