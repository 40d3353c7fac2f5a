import { StartupError } from './startup-error';

/** A failure to listen on HOST:PORT as a start-up fault naming the variable to change; any other error unchanged. */
export function listenFault(error: unknown, host: string, port: number): unknown {
  const { code } = error as NodeJS.ErrnoException;
  const address = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(`PORT ${port} is already in use on ${host} by another process: stop it or choose another PORT`);
    case 'EACCES':
      return new StartupError(`PORT ${port} needs privileges this user lacks (ports below 1024): choose a PORT of 1024 or more`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`HOST ${host} is not an address of this machine (${code} listening on ${address}): use 127.0.0.1, 0.0.0.0 or one of its addresses`);
    default:
      return error;
  }
}
