/** The methods the API's routes take (RFC 9110's, less CONNECT and TRACE): what a 405 lists, and the metrics' method labels. */
export const METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
