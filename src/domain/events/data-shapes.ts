import type { z } from 'zod';
import type { DomainEvent } from '../shared/domain-event';

/**
 * True when T and U are the same type once flattened: the schema reads exactly what the type declares.
 * Being assignable both ways is not enough: an optional field that only one of them has passes it.
 */
type Same<T, U> = (<G>() => G extends Flat<T> ? 1 : 2) extends (<G>() => G extends Flat<U> ? 1 : 2) ? true : false;

/** Each member of a union as one object type, at every depth: `A & (B | C)` and `(A & B) | (A & C)` read the same. */
type Flat<T> = T extends object ? { [K in keyof T]: Flat<T[K]> } : T;

type DataOf<E extends DomainEvent, T> = Extract<E, { type: T }>['data'];

/** The schema of each event type's data (at its current schema version), keyed by exactly the union's types. */
export type DataShapes<E extends DomainEvent> = { readonly [T in E['type']]: z.ZodType<DataOf<E, T>> };

/** A schema whose data is not exactly its event's: the entry becomes `never`, so the build fails naming that type. */
type Drifted<E extends DomainEvent, M> = { [T in keyof M]: M[T] extends z.ZodType ? (Same<z.output<M[T]>, DataOf<E, T>> extends true ? M[T] : never) : never };

/**
 * Declares the data schemas of a stream's events next to their types. The types stay the
 * documented source; the build fails where a schema and its type drift apart either way (a field
 * added to one only, optional or not, at any depth; an optional one made required), and where a type of the union has no schema.
 */
export const dataShapes =
  <E extends DomainEvent>() =>
  <M extends { readonly [T in E['type']]: z.ZodType }>(shapes: M & Drifted<E, M>): DataShapes<E> =>
    shapes as unknown as DataShapes<E>;
