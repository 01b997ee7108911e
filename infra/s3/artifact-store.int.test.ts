import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEnv } from '../../lib/env.ts';
import { useTempDirs } from '../../tests/support/temp-dirs.ts';
import {
  ArtifactIntegrityError,
  ConfigError,
  DataError,
  ServiceUnavailableError,
} from '../../lib/errors.ts';
import { createTestDatabase, type TestDatabase } from '../db/test-database.ts';
import { ArtifactStore, type ArtifactStoreOptions } from './artifact-store.ts';
import { createS3Client } from './s3-client.ts';

const env = loadEnv();
const BUCKET = `raglab-test-${randomBytes(4).toString('hex')}`;
const META = {
  kind: 'test',
  mediaType: 'application/octet-stream',
  producer: 'artifact-store.int.test',
};
const MIB = 1024 * 1024;
const workDir = useTempDirs()('artifact-store-');
let testDb: TestDatabase;

/** A store on its own key prefix in this file's bucket. */
function store(overrides: Partial<ArtifactStoreOptions> = {}): ArtifactStore {
  return new ArtifactStore({
    client: createS3Client(env),
    bucket: BUCKET,
    endpoint: env.S3_ENDPOINT,
    prefix: `${randomBytes(4).toString('hex')}/`,
    ...overrides,
  });
}

function randomFile(bytes: number): string {
  const path = join(workDir, `input-${randomBytes(4).toString('hex')}`);
  writeFileSync(path, randomBytes(bytes));
  return path;
}

function commandNames(spy: { mock: { calls: unknown[][] } }): string[] {
  return spy.mock.calls.map((call) => (call[0] as object).constructor.name);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  await store().ensureBucket();
});

afterAll(async () => {
  const client = createS3Client(env);
  const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  for (const object of listed.Contents ?? []) {
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: object.Key }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: BUCKET }));
  await testDb.drop();
});

describe('ArtifactStore', () => {
  it('round-trips bytes and canonical JSON under artifacts/<sha256>', async () => {
    const artifacts = store();
    await artifacts.ensureBucket();
    const ref = await artifacts.putBytes('hello', META);
    expect(ref).toEqual({
      sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
      bytes: 5,
      kind: 'test',
      mediaType: 'application/octet-stream',
      uri: `s3://${BUCKET}/${artifacts.keyFor(ref.sha256)}`,
    });
    expect(ref.uri).toMatch(new RegExp(`/artifacts/${ref.sha256}$`));
    expect(Buffer.from(await artifacts.getBytes(ref.sha256)).toString()).toBe('hello');
    expect(await artifacts.has(ref.sha256)).toBe(true);
    expect(await artifacts.has('0'.repeat(64))).toBe(false);

    const a = await artifacts.putJson(
      { b: 1, a: [1, 2] },
      { ...META, mediaType: 'application/json' },
    );
    const b = await artifacts.putJson(
      { a: [1, 2], b: 1 },
      { ...META, mediaType: 'application/json' },
    );
    expect(b.sha256).toBe(a.sha256);
    expect(await artifacts.getJson(a.sha256)).toEqual({ a: [1, 2], b: 1 });
  });

  it('streams a file up and down, leaving no temp files', async () => {
    const artifacts = store();
    const source = randomFile(3 * MIB + 17);
    const ref = await artifacts.putFile(source, META);
    const dest = join(mkdtempSync(join(workDir, 'dest-')), 'copy.bin');
    await artifacts.getToFile(ref.sha256, dest);
    expect(readFileSync(dest).equals(readFileSync(source))).toBe(true);
    expect(readdirSync(join(dest, '..'))).toEqual(['copy.bin']);
  });

  it('uploads large files as multipart and skips objects already stored', async () => {
    const artifacts = store({ multipartThresholdBytes: 6 * MIB, partSizeBytes: 5 * MIB });
    const source = randomFile(12 * MIB);
    const ref = await artifacts.putFile(source, META);
    const head = await artifacts.client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: artifacts.keyFor(ref.sha256) }),
    );
    expect(head.ContentLength).toBe(12 * MIB);
    expect(head.ETag).toMatch(/-3"?$/);
    const dest = join(workDir, 'multipart-copy.bin');
    await artifacts.getToFile(ref.sha256, dest);
    expect(readFileSync(dest).equals(readFileSync(source))).toBe(true);

    const send = vi.spyOn(artifacts.client, 'send');
    expect(await artifacts.putFile(source, META)).toEqual(ref);
    expect(commandNames(send)).toEqual(['HeadObjectCommand']);
    send.mockRestore();
  });

  it('refuses a tampered object with ArtifactIntegrityError and writes no file', async () => {
    const artifacts = store();
    const ref = await artifacts.putBytes('the real bytes', META);
    await artifacts.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: artifacts.keyFor(ref.sha256),
        Body: 'the fake bytes',
      }),
    );
    await expect(artifacts.getBytes(ref.sha256)).rejects.toBeInstanceOf(ArtifactIntegrityError);
    const dir = mkdtempSync(join(workDir, 'tampered-'));
    await expect(artifacts.getToFile(ref.sha256, join(dir, 'out'))).rejects.toThrow(/is corrupt/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a missing artifact and rejects ids that are not sha256', async () => {
    const artifacts = store();
    await expect(artifacts.getBytes('f'.repeat(64))).rejects.toMatchObject({
      code: 'ARTIFACT_MISSING',
    });
    await expect(artifacts.getBytes('../etc/passwd')).rejects.toBeInstanceOf(DataError);
    await expect(artifacts.putBytes('x', { ...META, kind: '' })).rejects.toThrow(
      /artifact meta kind/,
    );
  });

  it('upserts the Artifact row once the object is stored', async () => {
    const artifacts = store({ db: testDb.db });
    const ref = await artifacts.putBytes('registered', { ...META, runId: 'run-1' });
    await artifacts.putBytes('registered', { ...META, runId: 'run-2' });
    const row = await testDb.db.artifact.findUniqueOrThrow({ where: { sha256: ref.sha256 } });
    expect(row).toMatchObject({
      kind: 'test',
      bytes: 10n,
      producer: META.producer,
      runId: 'run-1',
    });
  });

  it('names the credential settings and the endpoint when S3 rejects the keys', async () => {
    const artifacts = store({
      db: testDb.db,
      client: createS3Client({ ...env, S3_SECRET_ACCESS_KEY: 'definitely-wrong' }),
    });
    const attempt = artifacts.putBytes('never stored', META);
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(artifacts.putBytes('never stored', META)).rejects.toThrow(
      /check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/,
    );
    await expect(artifacts.has('0'.repeat(64))).rejects.toThrow(`S3_ENDPOINT=${env.S3_ENDPOINT}`);
    expect(await testDb.db.artifact.count({ where: { producer: META.producer, bytes: 12n } })).toBe(
      0,
    );
  });

  it('names S3_ENDPOINT when nothing listens there', async () => {
    const endpoint = 'http://127.0.0.1:1';
    const artifacts = store({
      endpoint,
      client: createS3Client({ ...env, S3_ENDPOINT: endpoint }),
    });
    const attempt = artifacts.getBytes('0'.repeat(64));
    await expect(attempt).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(artifacts.ensureBucket()).rejects.toThrow(/S3_ENDPOINT=http:\/\/127\.0\.0\.1:1/);
  });
});
