import { setTimeout as sleep } from 'node:timers/promises';
import type { SpawnedServer } from './spawned-server';

/**
 * Until the server has nothing left to do on its log: every projection and the checkpointer
 * caught up with it (ztkeys_subscriber_lag_events 0 for each, twice a second apart) and the
 * self-check of the whole log finished once.
 */
export async function settled(server: SpawnedServer): Promise<void> {
  for (let quiet = 0; quiet < 2; ) {
    await sleep(1000);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const lags = [...metrics.matchAll(/^ztkeys_subscriber_lag_events\{subscriber="([^"]+)"\} (\S+)$/gm)].map(([, subscriber, value]) => ({ subscriber, value: Number(value) }));
    const checked = Number(/^ztkeys_audit_log_self_check_completed_timestamp_seconds (\S+)$/m.exec(metrics)?.[1] ?? 0) > 0;
    const following = lags.some(({ subscriber }) => subscriber.startsWith('projection:')) && lags.some(({ subscriber }) => subscriber === 'checkpointer');
    quiet = checked && following && lags.every(({ value }) => value === 0) ? quiet + 1 : 0;
  }
}
