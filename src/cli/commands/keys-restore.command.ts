import type { CommandSpec } from '../command-spec';
import { KeyStore } from '../key-store';

export const keysRestoreCommand: CommandSpec = {
  path: ['keys', 'restore'],
  summary: 'Make a retired key (<fingerprint>.retired.json) your active key again, after an approval the server did not make',
  details:
    'When a replacement key is approved, ztkeys keeps the key it replaces as <fingerprint>.retired.json: it has only the server\'s word for the approval. ' +
    'If the new key is then refused (the approval was not recorded), this makes the retired key the active one again on this machine, and retires the new one in its place (nothing is deleted, nothing is sent).',
  args: [{ name: 'fingerprint' }],
  async run(input, ctx) {
    const keys = new KeyStore(ctx.home, ctx.requireProfile());
    const { fingerprint } = input.args;
    const from = keys.retiredPathOf(fingerprint);
    const replaced = keys.restore(fingerprint);
    ctx.output.result(
      `Restored key ${fingerprint} as your active key (from ${from}).` +
        (replaced ? ` The key it replaces, ${replaced.fingerprint}, is kept at ${replaced.path} (mode 0600): delete it once you are sure it is not yours to use.` : ''),
      { fingerprint, replaced: replaced ?? null },
    );
  },
};
