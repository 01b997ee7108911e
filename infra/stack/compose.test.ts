import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EnvSchema, loadEnv } from '../../lib/env.ts';
import { parseEndpoint } from './ports.ts';
import { MINIO_CONSOLE_PORT_OFFSET } from './minio.ts';
import { VERSIONS } from './versions.ts';

interface ComposeService {
  ports?: string[];
  environment?: Record<string, string>;
  command?: string[];
  deploy?: { resources?: { reservations?: { devices?: { capabilities?: string[] }[] } } };
}

const ROOT = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', ROOT), 'utf8')) as {
  services: Record<string, ComposeService>;
};
const defaults = loadEnv({});

function publishedPorts(service: string): { host: string; published: number; target: number }[] {
  return (compose.services[service]?.ports ?? []).map((mapping) => {
    const [host = '', published = '', target = ''] = mapping.split(':');
    return { host, published: Number(published), target: Number(target) };
  });
}

describe('docker-compose.yml mirrors the local stack', () => {
  const expected: Record<string, number[]> = {
    postgres: [parseEndpoint(defaults.DATABASE_URL, 'DATABASE_URL').port],
    temporal: [parseEndpoint(defaults.TEMPORAL_ADDRESS, 'TEMPORAL_ADDRESS').port],
    'temporal-ui': [parseEndpoint(defaults.TEMPORAL_UI_URL, 'TEMPORAL_UI_URL').port],
    minio: [
      parseEndpoint(defaults.S3_ENDPOINT, 'S3_ENDPOINT').port,
      parseEndpoint(defaults.S3_ENDPOINT, 'S3_ENDPOINT').port + MINIO_CONSOLE_PORT_OFFSET,
    ],
    mlflow: [parseEndpoint(defaults.MLFLOW_TRACKING_URI, 'MLFLOW_TRACKING_URI').port],
    web: [defaults.WEB_PORT],
  };

  it.each(Object.entries(expected))(
    '%s publishes the lib/env.ts default ports on loopback',
    (name, ports) => {
      const mappings = publishedPorts(name);
      expect(mappings.map((mapping) => mapping.published)).toEqual(ports);
      for (const mapping of mappings) {
        expect(mapping.host).toBe('127.0.0.1');
        expect(mapping.target).toBe(mapping.published);
      }
    },
  );

  it('gives the app containers only variables lib/env.ts knows, with matching credentials', () => {
    const known = Object.keys(EnvSchema.shape);
    for (const name of ['migrate', 'web', 'worker-control', 'worker-cpu', 'worker-gpu']) {
      const environment = compose.services[name]?.environment;
      if (environment === undefined) throw new Error(`service ${name} has no environment`);
      expect(Object.keys(environment).filter((key) => !known.includes(key))).toEqual([]);
      const env = loadEnv(environment);
      expect(env.S3_BUCKET).toBe(defaults.S3_BUCKET);
      expect(env.S3_ACCESS_KEY_ID).toBe(defaults.S3_ACCESS_KEY_ID);
      expect(env.S3_SECRET_ACCESS_KEY).toBe(defaults.S3_SECRET_ACCESS_KEY);
      expect(new URL(env.DATABASE_URL).username).toBe(new URL(defaults.DATABASE_URL).username);
      expect(new URL(env.DATABASE_URL).port).toBe(new URL(defaults.DATABASE_URL).port);
    }
  });

  it('runs one worker per queue and reserves a GPU for the gpu worker', () => {
    for (const queue of ['control', 'cpu', 'gpu']) {
      expect(compose.services[`worker-${queue}`]?.command).toEqual([
        'rag-r1',
        'worker',
        '--queues',
        queue,
      ]);
    }
    const devices = compose.services['worker-gpu']?.deploy?.resources?.reservations?.devices;
    expect(devices?.[0]?.capabilities).toContain('gpu');
  });

  it('builds MinIO and MLflow from the versions the local stack pins', () => {
    const docker = new URL('infra/stack/docker/', ROOT);
    const minio = readFileSync(new URL('minio.Dockerfile', docker), 'utf8');
    const mlflow = readFileSync(new URL('mlflow.Dockerfile', docker), 'utf8');
    expect(minio).toContain(`ARG MINIO_VERSION=${VERSIONS.minio}`);
    expect(mlflow).toContain(`ARG MLFLOW_VERSION=${VERSIONS.mlflow}`);
    expect(mlflow).toContain(`ARG PSYCOPG2_BINARY_VERSION=${VERSIONS.psycopg2Binary}`);
    expect(mlflow).toContain(`ARG BOTO3_VERSION=${VERSIONS.boto3}`);
  });
});
