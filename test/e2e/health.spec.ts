import { call } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';

describe('health and metrics', () => {
  const suite = serverForSuite();

  it('answers liveness without a token', async () => {
    const reply = await call(suite.server, 'GET', '/health/live');
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('ok');
  });

  it('answers readiness with the event store up', async () => {
    const reply = await call(suite.server, 'GET', '/health/ready');
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('ok');
    expect(reply.body.info.eventStore.status).toBe('up');
  });

  it('serves Prometheus text on /metrics', async () => {
    const reply = await call(suite.server, 'GET', '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/plain/);
    expect(typeof reply.body).toBe('string');
    expect(reply.body).toMatch(/^# HELP process_cpu_user_seconds_total /m);
    expect(reply.body).toMatch(/^# TYPE nodejs_heap_size_total_bytes gauge$/m);
  });
});
