/**
 * One contract for every place the process that checks the log leaves its last finding for the
 * API processes that run no check: each spec file calls it with a way to open a fresh, empty place.
 */
import type { TamperedOrgsShare } from '../../src/runtime/tampered-orgs-share.port';

export interface OpenedShare {
  share: TamperedOrgsShare;
  /** The same place as another process of the deployment opens it. */
  another(): TamperedOrgsShare;
  cleanup(): Promise<void>;
}

export function describeTamperedOrgsShare(name: string, open: () => Promise<OpenedShare>): void {
  describe(`${name} tampered-orgs share (contract)`, () => {
    let opened: OpenedShare;
    beforeEach(async () => (opened = await open()));
    afterEach(() => opened.cleanup());

    it('reads nothing before anything is left', async () => {
      expect(await opened.share.read()).toBeUndefined();
      expect(await opened.another().read()).toBeUndefined();
    });

    it('reads in another process what one left, each write replacing the one before (the release too)', async () => {
      const reader = opened.another();
      await opened.share.write('["o1","o2"]');
      expect(await reader.read()).toBe('["o1","o2"]');
      await opened.share.write('[]');
      expect(await reader.read()).toBe('[]');
    });

    it('keeps the last of writes issued one after another without waiting', async () => {
      await Promise.all(['["a"]', '["b"]', '["c"]', '[]'].map((value) => opened.share.write(value)));
      expect(await opened.another().read()).toBe('[]');
    });
  });
}
