import { readFile } from 'node:fs/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DataError } from '../errors.ts';
import type { FetchObject, QaSourceReaders } from './datasets.ts';

/** Splits `s3://bucket/key/parts` into bucket and key. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new DataError(`not an s3://bucket/key URI: ${uri}`);
  return { bucket: match[1] as string, key: match[2] as string };
}

/** An S3 `fetchObject` over an injected client (MinIO locally, AWS in production). */
export function createS3FetchObject(client: S3Client): FetchObject {
  return async (uri) => {
    const { bucket, key } = parseS3Uri(uri);
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!response.Body) throw new DataError(`${uri}: empty S3 response body`);
    return response.Body.transformToByteArray();
  };
}

/** Readers for Node processes (CLI, activities): local files, and S3 when a client is given. */
export function createNodeReaders(s3?: S3Client): QaSourceReaders {
  return {
    readLocal: async (path) => new Uint8Array(await readFile(path)),
    ...(s3 ? { fetchObject: createS3FetchObject(s3) } : {}),
  };
}
