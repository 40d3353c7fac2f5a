/**
 * A log position as the API writes it and takes it back (X-Min-Position): decimal digits, 20 at
 * most (a 64-bit position, KurrentDB's commit positions included). The server refuses anything
 * else, and the CLI remembers nothing else: one answer with a 20,000-digit position, remembered,
 * made every later read of that server a 431 (its header too large), for good.
 */
export const LOG_POSITION = /^\d{1,20}$/;
