import { Counter, type Registry } from 'prom-client';

const NAME = 'ztkeys_rate_limited_total';

/** Requests refused with 429, by the limit that refused them (README, Security); one counter for every kind of limit. */
export const rateLimitRefusals = (registry: Registry): Counter<'limit'> =>
  (registry.getSingleMetric(NAME) as Counter<'limit'> | undefined) ??
  new Counter({
    name: NAME,
    help: 'Requests refused with 429 Too Many Requests, by limit',
    labelNames: ['limit'],
    registers: [registry],
  });
