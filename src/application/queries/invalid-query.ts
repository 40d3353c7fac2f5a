/** A read's parameters do not make sense (a cursor we did not issue, an empty time range). Answered 400. */
export class InvalidQuery extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidQuery';
  }
}
