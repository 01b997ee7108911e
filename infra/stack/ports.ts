import { createServer, Socket } from 'node:net';
import { ConfigError } from '../../lib/errors.ts';

/** A host and port a service listens on, parsed from an env URL or `host:port` address. */
export interface Endpoint {
  host: string;
  port: number;
}

/** Parses `http://host:port/...` or `host:port`; the error names the variable it came from. */
export function parseEndpoint(value: string, variable: string): Endpoint {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? new URL(value) : new URL(`tcp://${value}`);
  const port = Number(url.port);
  if (!url.hostname || !Number.isInteger(port) || port <= 0) {
    throw new ConfigError(`${variable}: expected an explicit host and port, got "${value}"`);
  }
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/** True when something accepts TCP connections on the endpoint (within `timeoutMs`). */
export function isPortOpen(endpoint: Endpoint, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = new Socket();
    const finish = (isOpen: boolean): void => {
      socket.destroy();
      resolvePromise(isOpen);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.connect(endpoint.port, endpoint.host);
  });
}

/**
 * True when the endpoint cannot be bound right now. Binding (rather than connecting) also
 * catches a socket held by a process that is not accepting yet.
 */
export function isPortInUse(endpoint: Endpoint): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      resolvePromise(error.code === 'EADDRINUSE' || error.code === 'EACCES');
    });
    server.listen({ port: endpoint.port, host: endpoint.host, exclusive: true }, () => {
      server.close(() => resolvePromise(false));
    });
  });
}
