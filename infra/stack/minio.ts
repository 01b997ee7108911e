import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ServiceUnavailableError } from '../../lib/errors.ts';
import { parseEndpoint, type Endpoint } from './ports.ts';
import { hasCommand, runCommand, spawnDetached } from './process.ts';
import { PROBE_TIMEOUT_MS, type StackContext, type StackService } from './service.ts';
import { VERSIONS } from './versions.ts';

/** The MinIO console sits one port above the S3 API (9100 → 9101), as in docker-compose.yml. */
export const MINIO_CONSOLE_PORT_OFFSET = 1;

function binaryPath(context: StackContext): string {
  return join(context.paths.bin, 'minio');
}

function api(context: StackContext): Endpoint {
  return parseEndpoint(context.env.S3_ENDPOINT, 'S3_ENDPOINT');
}

function consoleEndpoint(context: StackContext): Endpoint {
  const { host, port } = api(context);
  return { host, port: port + MINIO_CONSOLE_PORT_OFFSET };
}

function s3Client(context: StackContext): S3Client {
  return new S3Client({
    endpoint: context.env.S3_ENDPOINT,
    region: context.env.S3_REGION,
    forcePathStyle: context.env.S3_FORCE_PATH_STYLE,
    credentials: {
      accessKeyId: context.env.S3_ACCESS_KEY_ID,
      secretAccessKey: context.env.S3_SECRET_ACCESS_KEY,
    },
  });
}

/** Builds the pinned MinIO with `go install` into .data/bin; the Go build cache makes reruns fast. */
async function install(context: StackContext): Promise<void> {
  if (!hasCommand('go')) {
    throw new ServiceUnavailableError(
      'minio: the Go toolchain is missing; install Go >= 1.24 (https://go.dev/dl) and put it on PATH',
    );
  }
  mkdirSync(context.paths.bin, { recursive: true });
  context.log(
    `minio: go install github.com/minio/minio@${VERSIONS.minio} (first build takes minutes)`,
  );
  await runCommand('go', ['install', `github.com/minio/minio@${VERSIONS.minio}`], {
    purpose: 'minio: go install',
    env: { ...process.env, GOBIN: context.paths.bin, CGO_ENABLED: '0' },
  });
}

/** MinIO on loopback with the project bucket; credentials come from the S3_* variables. */
export const minioService: StackService = {
  name: 'minio',
  dependsOn: [],
  portVariables: 'S3_ENDPOINT',
  stopSignal: 'SIGTERM',
  startTimeoutMs: 30_000,
  endpoints: (context) => [api(context), consoleEndpoint(context)],
  urls: (context) => {
    const { host, port } = consoleEndpoint(context);
    return {
      s3: context.env.S3_ENDPOINT,
      console: `http://${host}:${port}`,
      bucket: `s3://${context.env.S3_BUCKET}`,
    };
  },
  isInstalled: (context) => existsSync(binaryPath(context)),
  install,
  async start(context) {
    mkdirSync(context.paths.minio, { recursive: true });
    const { host, port } = api(context);
    const web = consoleEndpoint(context);
    return spawnDetached({
      service: 'minio',
      command: binaryPath(context),
      args: [
        'server',
        context.paths.minio,
        '--address',
        `${host}:${port}`,
        '--console-address',
        `${web.host}:${web.port}`,
        '--quiet',
      ],
      logsDir: context.paths.logs,
      env: {
        ...process.env,
        MINIO_ROOT_USER: context.env.S3_ACCESS_KEY_ID,
        MINIO_ROOT_PASSWORD: context.env.S3_SECRET_ACCESS_KEY,
        MINIO_BROWSER_REDIRECT: 'off',
        MINIO_UPDATE: 'off',
      },
    });
  },
  async isHealthy(context) {
    const response = await fetch(new URL('/minio/health/live', context.env.S3_ENDPOINT), {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return response.ok;
  },
  async bootstrap(context) {
    const client = s3Client(context);
    try {
      await client.send(new HeadBucketCommand({ Bucket: context.env.S3_BUCKET }));
    } catch {
      await client.send(new CreateBucketCommand({ Bucket: context.env.S3_BUCKET }));
    } finally {
      client.destroy();
    }
  },
};
