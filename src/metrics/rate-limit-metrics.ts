import { Counter, type Registry } from 'prom-client';

/** Requests refused with 429, by the limit that refused them (README, Security). */
export const rateLimitRefusals = (registry: Registry): Counter<'limit'> =>
  new Counter({
    name: 'ztkeys_rate_limited_total',
    help: 'Requests refused with 429 Too Many Requests, by limit',
    labelNames: ['limit'],
    registers: [registry],
  });
