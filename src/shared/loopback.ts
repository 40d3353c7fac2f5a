/** Host names of this machine as a URL spells them (`URL.hostname`): plain HTTP to them crosses no network. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export const isLoopbackHost = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname);
