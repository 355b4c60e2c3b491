import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailCatcher, type MailCatcher } from './mail-catcher.js';

describe('the mail catcher', () => {
  let mail: MailCatcher;
  const api = (path: string, init?: RequestInit) => fetch(`${mail.httpUrl}${path}`, init);

  beforeAll(async () => {
    mail = await startMailCatcher({ smtpPort: 0, httpPort: 0, maxMessages: 3 });
  });
  afterAll(() => mail.close());

  const send = (subject: string, to = 'Ada Lovelace <ada@example.com>') =>
    nodemailer.createTransport(mail.smtpUrl).sendMail({
      from: 'Orders Stream <shop@example.com>',
      to,
      subject,
      messageId: `<${subject.replace(/\W/g, '')}@orders.example>`,
      text: `Thank you for your order. ${subject}`,
      html: `<p>Thank you for your <b>order</b>. ${subject}</p>`,
    });

  it('accepts real SMTP from nodemailer (the SMTP_URL the email app gets) and lists it in Mailpit shape', async () => {
    await api('/api/v1/messages', { method: 'DELETE' });
    const info = await send('Order o-1 confirmed');
    expect(info.accepted).toEqual(['ada@example.com']);

    const res = await api('/api/v1/messages');
    expect(res.status).toBe(200);
    const list = (await res.json()) as Record<string, unknown> & { messages: Record<string, unknown>[] };
    expect(list).toMatchObject({ total: 1, unread: 1, count: 1, messages_count: 1, start: 0, tags: [] });
    expect(list.messages[0]).toMatchObject({
      MessageID: 'Ordero1confirmed@orders.example',
      From: { Name: 'Orders Stream', Address: 'shop@example.com' },
      To: [{ Name: 'Ada Lovelace', Address: 'ada@example.com' }],
      Subject: 'Order o-1 confirmed',
      Read: false,
      Attachments: 0,
      Snippet: 'Thank you for your order. Order o-1 confirmed',
    });
    expect(typeof list.messages[0]!.ID).toBe('string');
    expect(Date.parse(String(list.messages[0]!.Created))).not.toBeNaN();
    expect(list.messages[0]!.Size).toBeGreaterThan(100);
  });

  it('serves one message with Text, HTML and headers, and marks it read', async () => {
    const { messages } = (await (await api('/api/v1/messages')).json()) as { messages: { ID: string }[] };
    const id = messages[0]!.ID;
    const msg = (await (await api(`/api/v1/message/${id}`)).json()) as Record<string, unknown>;
    expect(msg).toMatchObject({
      ID: id,
      MessageID: 'Ordero1confirmed@orders.example',
      Subject: 'Order o-1 confirmed',
      Text: expect.stringContaining('Thank you for your order.'),
      HTML: expect.stringContaining('<b>order</b>'),
      Attachments: [],
      Inline: [],
    });
    const headers = (await (await api(`/api/v1/message/${id}/headers`)).json()) as Record<string, string[]>;
    expect(headers['Subject']).toEqual(['Order o-1 confirmed']);
    expect((await (await api(`/api/v1/message/${id}/raw`)).text()).includes('Subject: Order o-1')).toBe(true);
    expect(((await (await api('/api/v1/messages')).json()) as { unread: number }).unread).toBe(0);
    expect((await api('/api/v1/message/nope')).status).toBe(404);
  });

  it('keeps only the newest messages, lists newest first, searches, pages and deletes', async () => {
    for (const s of ['Order o-2', 'Order o-3', 'Order o-4']) await send(s, 'grace@example.com');
    const list = (await (await api('/api/v1/messages')).json()) as {
      total: number;
      messages: { Subject: string }[];
    };
    expect(list.total).toBe(3);
    expect(list.messages.map((m) => m.Subject)).toEqual(['Order o-4', 'Order o-3', 'Order o-2']);
    const page = (await (await api('/api/v1/messages?start=1&limit=1')).json()) as {
      count: number;
      start: number;
      messages: { Subject: string }[];
    };
    expect(page).toMatchObject({ count: 1, start: 1, messages: [{ Subject: 'Order o-3' }] });
    const found = (await (await api('/api/v1/search?query=o-3')).json()) as { messages_count: number };
    expect(found.messages_count).toBe(1);
    const latest = (await (await api('/api/v1/message/latest')).json()) as { Subject: string };
    expect(latest.Subject).toBe('Order o-4');

    const html = await (await api('/')).text();
    expect(html).toContain('Order o-4');

    expect((await api('/api/v1/messages', { method: 'DELETE' })).status).toBe(200);
    expect(((await (await api('/api/v1/messages')).json()) as { total: number }).total).toBe(0);
  });

  it('counts mail as it arrives; a page, a search and a message read find it (each parsed when first read)', async () => {
    await api('/api/v1/messages', { method: 'DELETE' });
    for (const s of ['Order o-5', 'Order o-6', 'Order o-7']) await send(s, 'grace@example.com');
    const info = (await (await api('/api/v1/info')).json()) as { Messages: number; Unread: number };
    expect(info).toMatchObject({ Messages: 3, Unread: 3 });

    const newest = (await (await api('/api/v1/messages?limit=1')).json()) as {
      total: number;
      unread: number;
      messages: { Subject: string }[];
    };
    expect(newest).toMatchObject({ total: 3, unread: 3, messages: [{ Subject: 'Order o-7' }] });
    // o-5 was on no page yet: the search reads it all the same.
    const found = (await (await api('/api/v1/search?query=o-5')).json()) as {
      messages: { ID: string; Subject: string; Snippet: string }[];
    };
    expect(found.messages).toMatchObject([
      { Subject: 'Order o-5', Snippet: 'Thank you for your order. Order o-5' },
    ]);
    await api(`/api/v1/message/${found.messages[0]!.ID}`);
    expect(((await (await api('/api/v1/messages')).json()) as { unread: number }).unread).toBe(2);

    const removed = await api('/api/v1/messages', {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ IDs: [found.messages[0]!.ID] }),
    });
    expect(removed.status).toBe(200);
    const left = (await (await api('/api/v1/messages')).json()) as { messages: { Subject: string }[] };
    expect(left.messages.map((m) => m.Subject)).toEqual(['Order o-7', 'Order o-6']);
  });
});
