import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.ts';
import { isPortInUse, isPortOpen, parseEndpoint } from './ports.ts';

describe('parseEndpoint', () => {
  it('reads host and port from URLs and host:port addresses', () => {
    expect(parseEndpoint('http://127.0.0.1:5050', 'X')).toEqual({ host: '127.0.0.1', port: 5050 });
    expect(parseEndpoint('127.0.0.1:7233', 'X')).toEqual({ host: '127.0.0.1', port: 7233 });
    expect(parseEndpoint('postgresql://u:p@localhost:55432/db', 'X')).toEqual({
      host: 'localhost',
      port: 55432,
    });
  });

  it('names the variable when the port is implicit', () => {
    expect(() => parseEndpoint('http://127.0.0.1', 'S3_ENDPOINT')).toThrow(ConfigError);
    expect(() => parseEndpoint('http://127.0.0.1', 'S3_ENDPOINT')).toThrow(/S3_ENDPOINT/);
  });
});

describe('port probes', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    server = undefined;
  });

  async function listen(): Promise<number> {
    server = createServer();
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  it('sees a listening port as in use and open', async () => {
    const port = await listen();
    expect(await isPortInUse({ host: '127.0.0.1', port })).toBe(true);
    expect(await isPortOpen({ host: '127.0.0.1', port })).toBe(true);
  });

  it('sees a closed port as free', async () => {
    const port = await listen();
    await new Promise<void>((done) => server!.close(() => done()));
    server = undefined;
    expect(await isPortInUse({ host: '127.0.0.1', port })).toBe(false);
    expect(await isPortOpen({ host: '127.0.0.1', port })).toBe(false);
  });
});
