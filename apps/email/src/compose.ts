/**
 * A confirmation as the bytes that go after SMTP's DATA: nodemailer's MailComposer builds the MIME tree
 * (headers, encoded words, addresses, Date, boundaries, transfer encodings: every decision is
 * nodemailer's), and {@link composeMessage} writes that tree out in one synchronous pass instead of
 * nodemailer's chain of streams. The bytes are the same as `MimeNode.build()` gives (compose.test.ts
 * checks that); the streams cost more than the rest of a confirmation together when a spike drains.
 */
import * as base64 from 'nodemailer/lib/base64';
import MailComposer from 'nodemailer/lib/mail-composer';
import MimeNode from 'nodemailer/lib/mime-node';
import * as qp from 'nodemailer/lib/qp';
import type { Confirmation } from './confirmation.js';

/**
 * nodemailer normalises a header name (three regular-expression passes) every time it sets, reads or
 * writes a header, some twenty times a message: a third of composing one (320 → 212 µs a message on
 * the bench's Xeon). The result depends on the name alone, so it is remembered per name, up to
 * {@link NORMALISED_NAMES_KEPT} names: a confirmation uses about ten.
 */
const NORMALISED_NAMES_KEPT = 256;
type HeaderKeyNormaliser = (this: MimeNode, key: unknown) => string;
const mimeNodePrototype = MimeNode.prototype as unknown as { _normalizeHeaderKey: HeaderKeyNormaliser };
export const normaliseHeaderKeyUncached: HeaderKeyNormaliser = mimeNodePrototype._normalizeHeaderKey;
if (typeof normaliseHeaderKeyUncached !== 'function')
  throw new Error('nodemailer MimeNode has no _normalizeHeaderKey: check compose.ts against this nodemailer');
const normalisedNames = new Map<string, string>();
mimeNodePrototype._normalizeHeaderKey = function (key) {
  if (typeof key !== 'string') return normaliseHeaderKeyUncached.call(this, key);
  let normalised = normalisedNames.get(key);
  if (normalised === undefined) {
    normalised = normaliseHeaderKeyUncached.call(this, key);
    if (normalisedNames.size < NORMALISED_NAMES_KEPT) normalisedNames.set(key, normalised);
  }
  return normalised;
};

/** What an SMTP transaction needs: MAIL FROM / RCPT TO, and the message. */
export interface ComposedMessage {
  envelope: { from: string; to: string[] };
  /** The whole message (headers and body, CRLF line ends), ending with a line break. */
  raw: string;
}

/** nodemailer's line length for quoted-printable and base64 bodies. */
const LINE_LENGTH = 76;

/** The confirmation as a MIME tree (multipart/alternative: text, then HTML), as nodemailer's sendMail builds it. */
export function mimeTreeOf(mail: Confirmation, from: string): MimeNode {
  return new MailComposer({
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    headers: { 'X-Order-Id': mail.orderId },
  }).compile();
}

export function composeMessage(mail: Confirmation, from: string): ComposedMessage {
  const tree = mimeTreeOf(mail, from);
  const { from: sender, to } = tree.getEnvelope();
  if (!sender || to.length === 0) throw new Error(`confirmation of ${mail.orderId}: no sender or recipient`);
  return { envelope: { from: sender, to }, raw: writeMessage(tree) };
}

/** A MIME tree as one string: what `tree.build()` gives, without its streams. */
export function writeMessage(tree: MimeNode): string {
  const raw = write(tree);
  // As nodemailer's LastNewline: a message ends with a line break.
  return raw.endsWith('\n') ? raw : `${raw}\r\n`;
}

/** One node and its children, as MimeNode.stream() writes them (string and Buffer contents only). */
function write(node: MimeNode): string {
  let out = node.buildHeaders() + '\r\n\r\n'; // also sets node.multipart and node.boundary
  const content = node.content;
  if (content) {
    if (typeof content !== 'string' && !Buffer.isBuffer(content))
      throw new Error('composeMessage writes string and Buffer contents only');
    const encoding = node.getTransferEncoding();
    if (encoding === 'quoted-printable') out += qp.wrap(qp.encode(content), LINE_LENGTH);
    else if (encoding === 'base64') out += base64.wrap(base64.encode(content), LINE_LENGTH);
    else out += content.toString();
  }
  if (node.multipart) {
    node.childNodes.forEach((child, i) => {
      out += `${i > 0 ? '\r\n' : ''}--${node.boundary}\r\n${write(child)}`;
    });
    out += `\r\n--${node.boundary}--\r\n`;
  }
  return out;
}
