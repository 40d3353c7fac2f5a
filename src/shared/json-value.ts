/** A value JSON can carry, as documents and export lines hold it. */
export type Scalar = string | number | boolean | null;
export type JsonValue = Scalar | JsonValue[] | { [field: string]: JsonValue };
export type JsonObject = { [field: string]: JsonValue };
