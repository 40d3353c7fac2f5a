/**
 * A text without the byte order mark an editor may put before it: no part of any record, note or
 * body (RFC 8259 8.1 lets a JSON reader ignore it), so every reader of a kept file reads past it.
 */
export const withoutByteOrderMark = (text: string): string => (text.startsWith('\uFEFF') ? text.slice(1) : text);
