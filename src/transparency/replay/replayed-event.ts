/** What the replay needs of an event besides its decoded type and data. */
export interface ReplayedEvent {
  actor: string;
  occurredAt: string;
}

export type Decoded<E> = E & ReplayedEvent;
