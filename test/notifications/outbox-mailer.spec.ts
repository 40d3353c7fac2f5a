import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { OutboxMailer } from '../../src/notifications/mail/outbox-mailer';
import { mailerContract } from './mailer.contract';

mailerContract('Outbox (.eml files)', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'ztkeys-outbox-')), 'outbox');
  const files = (): string[] => readdirSync(dir).filter((name) => name.endsWith('.eml')).sort();
  return {
    mailer: new OutboxMailer(dir),
    received: async () => Promise.all(files().map((name) => simpleParser(readFileSync(join(dir, name))))),
    cleanup: async () => rmSync(join(dir, '..'), { recursive: true, force: true }),
  };
});

describe('OutboxMailer', () => {
  it('writes RFC 822 files with CRLF line ends, one per Message-ID, and no partial file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztkeys-outbox-'));
    const mailer = new OutboxMailer(dir);
    const message = {
      messageId: '<0190f3c2-aaaa.YWdlbnRAeA@ztkeys.example>',
      from: 'ztkeys <no-reply@ztkeys.example>',
      to: { name: 'Ann', address: 'ann@example.com' },
      subject: 'Key active',
      text: 'line one\nline two\n',
      html: '<p>h</p>',
      date: new Date(),
    };
    try {
      await mailer.send(message);
      await mailer.send(message);
      expect(readdirSync(dir)).toEqual(['0190f3c2-aaaa.YWdlbnRAeA_ztkeys.example.eml']);
      const raw = readFileSync(join(dir, readdirSync(dir)[0]), 'utf8');
      expect(raw).toMatch(/^Message-ID: <0190f3c2-aaaa\.YWdlbnRAeA@ztkeys\.example>\r$/m);
      expect(raw.replace(/\r\n/g, '')).not.toContain('\n');
    } finally {
      await mailer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes nothing into a folder that replaced DATA_DIR under the running server (its outbox not made there): until it is back', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'ztkeys-outbox-'));
    const dataDir = join(parent, 'data');
    const mailer = new OutboxMailer(join(dataDir, 'outbox'));
    const message = (n: number) => ({ messageId: `<m${n}@ztkeys.example>`, from: 'no-reply@ztkeys.example', to: { name: 'Ann', address: 'ann@example.com' }, subject: 'Key active', text: 'text', html: '<p>h</p>', date: new Date() });
    try {
      await mailer.send(message(1));
      renameSync(dataDir, `${dataDir}.moved`);
      mkdirSync(dataDir);
      await expect(mailer.send(message(2))).rejects.toThrow(/is not the folder this server opened/);
      expect(readdirSync(dataDir)).toEqual([]);
      rmSync(dataDir, { recursive: true });
      renameSync(`${dataDir}.moved`, dataDir);
      await mailer.send(message(2));
      expect(readdirSync(join(dataDir, 'outbox')).sort()).toEqual(['m1_ztkeys.example.eml', 'm2_ztkeys.example.eml']);
    } finally {
      await mailer.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
