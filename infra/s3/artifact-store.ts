import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { z } from 'zod';
import type { Env } from '../../lib/env.ts';
import { ArtifactIntegrityError, DataError, LabError } from '../../lib/errors.ts';
import { canonicalJson } from '../../lib/hash.ts';
import type { ArtifactRef } from '../../lib/stages/output.ts';
import type { PrismaClient } from '../../prisma/generated/client.ts';
import { assertSha256, hashBytes, hashFile, HashingStream } from './hashing.ts';
import { createS3Client } from './s3-client.ts';
import { isS3NotFound, toS3Error } from './s3-errors.ts';

export type { ArtifactRef } from '../../lib/stages/output.ts';

export const ArtifactMetaSchema = z
  .object({
    kind: z.string().min(1).describe('what it is: corpus, index, checkpoint, eval-outputs, ...'),
    mediaType: z.string().min(1).describe('IANA media type of the bytes'),
    producer: z.string().min(1).describe('stage or tool that wrote it'),
    runId: z.string().min(1).optional().describe('run that first produced it'),
  })
  .strict();
export type ArtifactMeta = z.infer<typeof ArtifactMetaSchema>;

export interface ArtifactStoreOptions {
  client: S3Client;
  bucket: string;
  /** For messages: where `client` points. */
  endpoint: string;
  /** Registry to upsert Artifact rows into; rows are skipped without one. */
  db?: PrismaClient;
  /** Files larger than this go up as multipart uploads. Default 64 MiB. */
  multipartThresholdBytes?: number;
  /** Multipart part size (S3 minimum 5 MiB). Default 16 MiB. */
  partSizeBytes?: number;
  /** Key prefix before `artifacts/`, so tests can share a bucket. Default none. */
  prefix?: string;
}

const MIB = 1024 * 1024;

/**
 * Content-addressed artifacts: the bytes live at `artifacts/<sha256>`, the registry row says
 * what they are. S3 makes an object visible only once its PUT or multipart upload completes, so
 * writing straight to the final key is atomic; the row is written after that, never before.
 */
export class ArtifactStore {
  readonly client: S3Client;
  readonly bucket: string;
  private readonly options: ArtifactStoreOptions;

  constructor(options: ArtifactStoreOptions) {
    this.options = options;
    this.client = options.client;
    this.bucket = options.bucket;
  }

  /** A store on the environment's S3 endpoint and bucket. */
  static fromEnv(env: Env, db?: PrismaClient): ArtifactStore {
    return new ArtifactStore({
      client: createS3Client(env),
      bucket: env.S3_BUCKET,
      endpoint: env.S3_ENDPOINT,
      ...(db ? { db } : {}),
    });
  }

  /** The object key of an artifact. */
  keyFor(sha256: string): string {
    assertSha256(sha256);
    return `${this.options.prefix ?? ''}artifacts/${sha256}`;
  }

  /** Creates the bucket if it does not exist (idempotent, safe under races). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (!isS3NotFound(error)) throw this.wrap(error);
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists')
        throw this.wrap(error);
    }
  }

  /** Uploads a file (streamed; multipart above the threshold) unless already stored. */
  async putFile(path: string, meta: ArtifactMeta): Promise<ArtifactRef> {
    const parsed = parseMeta(meta);
    const { sha256, bytes } = await hashFile(path);
    if (!(await this.hasWithSize(sha256, bytes))) {
      if (bytes > (this.options.multipartThresholdBytes ?? 64 * MIB)) {
        await this.uploadMultipart(path, sha256, parsed.mediaType);
      } else {
        await this.putObject(createReadStream(path), {
          sha256,
          bytes,
          mediaType: parsed.mediaType,
        });
      }
    }
    return this.record(sha256, bytes, parsed);
  }

  /** Uploads bytes (a string is stored as UTF-8) unless already stored. */
  async putBytes(data: Uint8Array | string, meta: ArtifactMeta): Promise<ArtifactRef> {
    const parsed = parseMeta(meta);
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const sha256 = hashBytes(body);
    if (!(await this.hasWithSize(sha256, body.length))) {
      await this.putObject(body, { sha256, bytes: body.length, mediaType: parsed.mediaType });
    }
    return this.record(sha256, body.length, parsed);
  }

  /** Stores a value as canonical JSON, so equal values share one artifact. */
  async putJson(value: unknown, meta: ArtifactMeta): Promise<ArtifactRef> {
    return this.putBytes(canonicalJson(value), meta);
  }

  /**
   * Streams an artifact to `destPath`, verifying its sha256 on the way. It is written to a temp
   * file beside the destination and renamed into place only when the hash matches, so a reader
   * never sees a partial or corrupt file.
   */
  async getToFile(sha256: string, destPath: string): Promise<void> {
    const body = await this.openObject(sha256);
    const tempPath = join(
      dirname(destPath),
      `.${basename(destPath)}.${randomBytes(6).toString('hex')}.part`,
    );
    const hasher = new HashingStream();
    try {
      await pipeline(body, hasher, createWriteStream(tempPath));
      this.verify(sha256, hasher.digest());
      await rename(tempPath, destPath);
    } catch (error) {
      await unlink(tempPath).catch(() => undefined);
      throw this.wrap(error, sha256);
    }
  }

  /** The artifact's bytes, verified. For small artifacts; use getToFile for large ones. */
  async getBytes(sha256: string): Promise<Uint8Array> {
    const body = await this.openObject(sha256);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of body) chunks.push(chunk as Buffer);
    } catch (error) {
      throw this.wrap(error, sha256);
    }
    const data = Buffer.concat(chunks);
    this.verify(sha256, hashBytes(data));
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  /** A JSON artifact, verified and parsed (the caller validates its shape). */
  async getJson<T>(sha256: string): Promise<T> {
    return JSON.parse(Buffer.from(await this.getBytes(sha256)).toString('utf8')) as T;
  }

  /** Whether the object exists. */
  async has(sha256: string): Promise<boolean> {
    return (await this.headSize(sha256)) !== undefined;
  }

  private async hasWithSize(sha256: string, bytes: number): Promise<boolean> {
    return (await this.headSize(sha256)) === bytes;
  }

  private async headSize(sha256: string): Promise<number | undefined> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyFor(sha256) }),
      );
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isS3NotFound(error)) return undefined;
      throw this.wrap(error, sha256);
    }
  }

  /** One PUT; S3 checks the body against the sha256 we computed before sending it. */
  private async putObject(
    body: Uint8Array | Readable,
    object: { sha256: string; bytes: number; mediaType: string },
  ): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.keyFor(object.sha256),
          Body: body,
          ContentLength: object.bytes,
          ContentType: object.mediaType,
          ChecksumSHA256: Buffer.from(object.sha256, 'hex').toString('base64'),
        }),
      );
    } catch (error) {
      throw this.wrap(error, object.sha256);
    }
  }

  /**
   * Multipart upload, hashing the bytes as they are sent: a file that changed after it was
   * hashed is deleted again and reported rather than left under the wrong name.
   */
  private async uploadMultipart(path: string, sha256: string, mediaType: string): Promise<void> {
    const hasher = new HashingStream();
    const key = this.keyFor(sha256);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(path).pipe(hasher),
        ContentType: mediaType,
      },
      partSize: this.options.partSizeBytes ?? 16 * MIB,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      throw this.wrap(error, sha256);
    }
    const sent = hasher.digest();
    if (sent !== sha256) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      throw new ArtifactIntegrityError(
        `${path} changed while it was uploaded (hashed ${sha256}, sent ${sent})`,
      );
    }
  }

  private async openObject(sha256: string): Promise<Readable> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.keyFor(sha256) }),
      );
      return object.Body as Readable;
    } catch (error) {
      if (isS3NotFound(error)) {
        throw new LabError(
          'ARTIFACT_MISSING',
          `artifact s3://${this.bucket}/${this.keyFor(sha256)} does not exist`,
        );
      }
      throw this.wrap(error, sha256);
    }
  }

  private verify(expected: string, actual: string): void {
    if (actual !== expected) {
      throw new ArtifactIntegrityError(
        `s3://${this.bucket}/${this.keyFor(expected)} is corrupt: its bytes hash to ${actual}`,
      );
    }
  }

  /** Upserts the registry row (after the object is complete) and returns the reference. */
  private async record(sha256: string, bytes: number, meta: ArtifactMeta): Promise<ArtifactRef> {
    if (this.options.db) {
      const row = {
        kind: meta.kind,
        bytes: BigInt(bytes),
        mediaType: meta.mediaType,
        producer: meta.producer,
      };
      await this.options.db.artifact.upsert({
        where: { sha256 },
        create: { sha256, ...row, ...(meta.runId ? { runId: meta.runId } : {}) },
        update: {},
      });
    }
    const uri = `s3://${this.bucket}/${this.keyFor(sha256)}`;
    return { sha256, bytes, kind: meta.kind, mediaType: meta.mediaType, uri };
  }

  private wrap(error: unknown, sha256?: string): unknown {
    return toS3Error(error, {
      endpoint: this.options.endpoint,
      bucket: this.bucket,
      ...(sha256 ? { key: this.keyFor(sha256) } : {}),
    });
  }
}

function parseMeta(meta: ArtifactMeta): ArtifactMeta {
  const parsed = ArtifactMetaSchema.safeParse(meta);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataError(`artifact meta ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}
