import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseEndpoint } from './ports.ts';
import { hasCommand, runCommand, spawnDetached } from './process.ts';
import { ServiceUnavailableError } from '../../lib/errors.ts';
import { PROBE_TIMEOUT_MS, type StackContext, type StackService } from './service.ts';
import { VERSIONS } from './versions.ts';

/** Database in the stack's PostgreSQL cluster that holds MLflow's backend store. */
export const MLFLOW_DATABASE = 'mlflow';

function venvDir(context: StackContext): string {
  return join(context.paths.venv, 'mlflow');
}

function mlflowBin(context: StackContext): string {
  return join(venvDir(context), 'bin', 'mlflow');
}

function backendStoreUri(context: StackContext): string {
  const url = new URL(context.env.DATABASE_URL);
  url.pathname = `/${MLFLOW_DATABASE}`;
  url.search = '';
  // SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3; the venv carries psycopg2-binary
  return url.toString().replace(/^postgres(ql)?:/, 'postgresql+psycopg2:');
}

/** Installs the pinned MLflow with its Postgres and S3 drivers into .data/venv/mlflow. */
async function install(context: StackContext): Promise<void> {
  if (!hasCommand('python3')) {
    throw new ServiceUnavailableError(
      'mlflow: python3 is missing; install Python >= 3.10 with venv',
    );
  }
  mkdirSync(context.paths.venv, { recursive: true });
  if (!existsSync(join(venvDir(context), 'bin', 'python'))) {
    await runCommand('python3', ['-m', 'venv', venvDir(context)], {
      purpose: 'mlflow: python3 -m venv (on Debian: apt-get install -y python3-venv)',
    });
  }
  context.log(`mlflow: pip install mlflow==${VERSIONS.mlflow} into ${venvDir(context)}`);
  await runCommand(
    join(venvDir(context), 'bin', 'pip'),
    [
      'install',
      '--quiet',
      // byte-compiling ~100 packages costs half of pip's CPU time; imports compile lazily
      '--no-compile',
      `mlflow==${VERSIONS.mlflow}`,
      `psycopg2-binary==${VERSIONS.psycopg2Binary}`,
      `boto3==${VERSIONS.boto3}`,
    ],
    { purpose: 'mlflow: pip install' },
  );
}

/**
 * MLflow tracking server: runs and params in PostgreSQL (`mlflow` database), artifacts in the
 * project bucket under `mlflow/`.
 */
export const mlflowService: StackService = {
  name: 'mlflow',
  dependsOn: ['postgres', 'minio'],
  portVariables: 'MLFLOW_TRACKING_URI',
  stopSignal: 'SIGTERM',
  // first start runs MLflow's schema migrations against PostgreSQL
  startTimeoutMs: 120_000,
  endpoints: (context) => [parseEndpoint(context.env.MLFLOW_TRACKING_URI, 'MLFLOW_TRACKING_URI')],
  urls: (context) => ({ ui: context.env.MLFLOW_TRACKING_URI }),
  isInstalled: (context) => existsSync(mlflowBin(context)),
  install,
  async start(context) {
    const { host, port } = parseEndpoint(context.env.MLFLOW_TRACKING_URI, 'MLFLOW_TRACKING_URI');
    return spawnDetached({
      service: 'mlflow',
      command: mlflowBin(context),
      args: [
        'server',
        '--host',
        host,
        '--port',
        String(port),
        '--workers',
        '1',
        '--backend-store-uri',
        backendStoreUri(context),
        '--default-artifact-root',
        `s3://${context.env.S3_BUCKET}/mlflow`,
        '--allowed-hosts',
        `${host},${host}:${port},localhost,localhost:${port}`,
      ],
      logsDir: context.paths.logs,
      commandMarker: 'mlflow server',
      env: {
        ...process.env,
        MLFLOW_S3_ENDPOINT_URL: context.env.S3_ENDPOINT,
        AWS_ACCESS_KEY_ID: context.env.S3_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: context.env.S3_SECRET_ACCESS_KEY,
        AWS_DEFAULT_REGION: context.env.S3_REGION,
        // the GenAI job runner forks ~6 huey consumers (~1.2 GB); tracking does not need it
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
      },
    });
  },
  async isHealthy(context) {
    const response = await fetch(new URL('/health', context.env.MLFLOW_TRACKING_URI), {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return response.ok;
  },
};
