import type { Command } from 'commander';
import { loadEnv } from '../lib/env.ts';
import { startWebServer } from '../web/server/main.ts';

interface WebOptions {
  port?: string;
  host: string;
  quiet?: boolean;
}

/**
 * `rag-r1 web [--port N] [--host H]`: serves the UI and JSON API until interrupted. The token
 * is RAG_R1_API_TOKEN; it is never printed, only where it comes from.
 */
export function registerWebCommand(program: Command): void {
  program
    .command('web')
    .description('serve the web UI and JSON API (token: RAG_R1_API_TOKEN)')
    .option('-p, --port <port>', 'port to listen on (default WEB_PORT, 3000)')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('-q, --quiet', 'no request log')
    .action(async (options: WebOptions) => {
      const env = loadEnv();
      const port = options.port === undefined ? env.WEB_PORT : Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new Error(`--port ${options.port}: expected an integer 0-65535`);
      }
      const server = await startWebServer({
        port,
        host: options.host,
        env,
        deps: { isLogging: !options.quiet },
      });
      const isDefaultToken = env.RAG_R1_API_TOKEN === 'dev-token';
      process.stderr.write(`web UI on ${server.url} (sign in with RAG_R1_API_TOKEN${isDefaultToken ? '; the built-in default is in use, set your own' : ''})\n`);
      const stop = () => {
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
