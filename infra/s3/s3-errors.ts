import { ConfigError, LabError, ServiceUnavailableError } from '../../lib/errors.ts';
import { UNREACHABLE_SOCKET_CODES } from '../unreachable-codes.ts';

/** Where a failing S3 call was going, for messages that say what to check. */
export interface S3Target {
  endpoint: string;
  bucket: string;
  key?: string;
}

const CREDENTIAL_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'AccessDenied',
  'InvalidClientTokenId',
]);

// The SDK reports its own request timeout by name rather than by socket code.
const NETWORK_ERRORS: ReadonlySet<string> = new Set([...UNREACHABLE_SOCKET_CODES, 'TimeoutError']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function describeTarget(target: S3Target): string {
  return `s3://${target.bucket}${target.key ? `/${target.key}` : ''} at S3_ENDPOINT=${target.endpoint}`;
}

/** True for the SDK's "no such key/bucket" answers (HEAD responses carry no error body). */
export function isS3NotFound(error: unknown): boolean {
  const shape = error as SdkErrorShape | null;
  return (
    shape?.name === 'NotFound' ||
    shape?.name === 'NoSuchKey' ||
    shape?.$metadata?.httpStatusCode === 404
  );
}

/**
 * Maps SDK failures that mean "misconfigured" or "not there" onto lab errors naming the setting
 * to fix: credentials → S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY, network → S3_ENDPOINT, missing
 * bucket → S3_BUCKET. Anything else is returned unchanged.
 */
export function toS3Error(error: unknown, target: S3Target): unknown {
  if (error instanceof LabError) return error;
  const shape = (error ?? {}) as SdkErrorShape;
  const name = shape.name ?? '';
  const code = shape.code ?? '';
  const status = shape.$metadata?.httpStatusCode;
  const detail = shape.message || name || code;
  if (CREDENTIAL_ERRORS.has(name) || status === 403) {
    return new ConfigError(
      `S3 rejected the credentials (${name || status}: ${detail}) for ${describeTarget(target)}; ` +
        'check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY',
      { cause: error },
    );
  }
  if (NETWORK_ERRORS.has(code) || NETWORK_ERRORS.has(name) || isUnreachableCause(error)) {
    return new ServiceUnavailableError(
      `cannot reach S3 at S3_ENDPOINT=${target.endpoint} (${code || name}: ${detail}); ` +
        'is the stack up (`npm run stack -- up`) and S3_ENDPOINT right?',
    );
  }
  if (name === 'NoSuchBucket') {
    return new ConfigError(
      `bucket "${target.bucket}" does not exist at S3_ENDPOINT=${target.endpoint}; ` +
        'check S3_BUCKET or call ArtifactStore.ensureBucket()',
      { cause: error },
    );
  }
  return error;
}

function isUnreachableCause(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  return typeof cause?.code === 'string' && NETWORK_ERRORS.has(cause.code);
}
