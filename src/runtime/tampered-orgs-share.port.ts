/**
 * Where the process that checks the log leaves what its last check found (the tampered orgs, as
 * text) for the API processes of the deployment that run no check: in the deployment's Redis when
 * it has one (redis-tampered-orgs-share.ts), else in the DATA_DIR they share (data-dir-tampered-orgs-share.ts).
 */
export interface TamperedOrgsShare {
  /** Replaces what was left before; of writes made one after another, the last one stands. */
  write(value: string): Promise<void>;
  /** What was left last; undefined when nothing was. Rejects when the place cannot be read. */
  read(): Promise<string | undefined>;
}
