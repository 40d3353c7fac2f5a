import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileStore } from '../../../src/cli/profile-store';

/** A plain HTTP listener standing in for the API, and a CLI home whose default profile points at it. */
export interface StandInApi {
  home: string;
  close(): Promise<void>;
}

/**
 * Starts `answer` on a loopback port and saves the default profile of a new home (`ztkeys-{name}-`)
 * for it: what the suites that need an answer the real server would never give run the CLI against.
 */
export async function standInApi(name: string, answer: RequestListener, profile: { orgId?: string; agentId?: string } = {}): Promise<StandInApi> {
  const home = mkdtempSync(join(tmpdir(), `ztkeys-${name}-`));
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  new ProfileStore(home).save('default', { apiUrl: `http://127.0.0.1:${port}`, token: 'token-1', orgId: profile.orgId ?? 'org-1', agentId: profile.agentId ?? 'bob' });
  return {
    home,
    close: async () => {
      // An answer left streaming (a client that gave up on it) would keep close() waiting.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(home, { recursive: true, force: true });
    },
  };
}
