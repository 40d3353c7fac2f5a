import { v7 as uuidv7 } from 'uuid';

/** Unique, time-ordered ids (UUIDv7): they keep index inserts append-only. */
export const newId = (): string => uuidv7();
