import { nodeVerifyRate } from './ed25519-verify-rate';

/**
 * One process of CPU-bound work and nothing else: bare node:crypto Ed25519 verifications for
 * SECONDS, its rate printed on stdout. Run once alone and twice at once, it shows how far this
 * machine runs two processes in parallel (cores shared with other tenants run them slower).
 */
console.log(String(nodeVerifyRate(Number(process.env.SECONDS))));
