/** What every adapter refuses in a read's limit or a count's cap: anything but a positive integer. */
export function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}
