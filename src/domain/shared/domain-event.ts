/** An event as a decider emits it: the envelope (id, metadata, position) is added by the handler. */
export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}
