/**
 * Sends mail through SMTP_URL, or, without it, writes each message as an .eml file under
 * DATA_DIR/mail so development needs no mail server. `from` is the message's sender (a label's
 * email_from) or, when it has none, MAIL_FROM.
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  from?: string;
  subject: string;
  text: string;
  html?: string;
  messageId?: string;
  attachments?: { filename: string; content: Buffer | string; contentType?: string }[];
}

export interface Mailer {
  send(msg: MailMessage): Promise<{ messageId: string }>;
  close(): void;
}

export function createMailer(opts: { smtpUrl?: string | undefined; mailDir: string; from: string }): Mailer {
  let transport: Transporter;
  let writeToDir = false;
  if (opts.smtpUrl) {
    transport = nodemailer.createTransport(opts.smtpUrl);
  } else {
    transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    writeToDir = true;
  }
  return {
    async send(msg) {
      // Each label sends as itself (msg.from, its email_from); MAIL_FROM otherwise.
      const info = (await transport.sendMail({ ...msg, from: msg.from || opts.from })) as {
        messageId: string;
        message?: Buffer;
      };
      if (writeToDir && info.message) {
        fs.mkdirSync(opts.mailDir, { recursive: true });
        const safeId = info.messageId.replace(/[^a-zA-Z0-9.-]/g, '_');
        const file = path.join(
          opts.mailDir,
          `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeId}.eml`,
        );
        fs.writeFileSync(file, info.message);
      }
      return { messageId: info.messageId };
    },
    close() {
      transport.close();
    },
  };
}
