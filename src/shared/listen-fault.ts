import { StartupError } from './startup-error';

/**
 * A failure to listen on HOST:PORT as a start-up fault naming the variable to change; any other
 * error unchanged. `variable` and `hostVariable` name the port's and the address's (the email
 * worker's probes and the witness have their own); a server of no HOST listens on every address.
 */
export function listenFault(error: unknown, host: string | undefined, port: number, variable = 'PORT', hostVariable = 'HOST'): unknown {
  const { code } = error as NodeJS.ErrnoException;
  const address = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(`${variable} ${port} is already in use${host ? ` on ${host}` : ''} by another process: stop it or choose another ${variable}`);
    case 'EACCES':
      return new StartupError(`${variable} ${port} needs privileges this user lacks (ports below 1024): choose a ${variable} of 1024 or more`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`${hostVariable} ${host} is not an address of this machine (${code} listening on ${address}): use 127.0.0.1, 0.0.0.0 or one of its addresses`);
    default:
      return error;
  }
}
