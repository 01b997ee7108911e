import { describe, expect, it } from 'vitest';
import { ConfigError, ServiceUnavailableError } from '../../lib/errors.ts';
import { isS3NotFound, toS3Error } from './s3-errors.ts';

const TARGET = { endpoint: 'http://minio:9000', bucket: 'lab', key: 'artifacts/abc' };

function sdkError(name: string, status?: number, extra: object = {}): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $metadata: { httpStatusCode: status },
    ...extra,
  });
}

describe('toS3Error', () => {
  it('names the credential variables and the endpoint for rejected keys', () => {
    for (const name of ['InvalidAccessKeyId', 'SignatureDoesNotMatch']) {
      const error = toS3Error(sdkError(name, 403), TARGET) as Error;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY');
      expect(error.message).toContain('S3_ENDPOINT=http://minio:9000');
    }
    // HEAD responses have no body, so only the status says "forbidden".
    expect(toS3Error(sdkError('Forbidden', 403), TARGET)).toBeInstanceOf(ConfigError);
  });

  it('names S3_ENDPOINT when the endpoint cannot be reached', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = toS3Error(refused, TARGET) as Error;
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toContain('S3_ENDPOINT=http://minio:9000');
    const wrapped = Object.assign(new Error('socket'), { cause: { code: 'ENOTFOUND' } });
    expect(toS3Error(wrapped, TARGET)).toBeInstanceOf(ServiceUnavailableError);
  });

  it('names S3_BUCKET for a missing bucket and passes other errors through', () => {
    expect((toS3Error(sdkError('NoSuchBucket', 404), TARGET) as Error).message).toContain(
      'S3_BUCKET',
    );
    const other = sdkError('SlowDown', 503);
    expect(toS3Error(other, TARGET)).toBe(other);
  });
});

describe('isS3NotFound', () => {
  it('recognises HEAD and GET not-found answers only', () => {
    expect(isS3NotFound(sdkError('NotFound', 404))).toBe(true);
    expect(isS3NotFound(sdkError('NoSuchKey', 404))).toBe(true);
    expect(isS3NotFound(sdkError('AccessDenied', 403))).toBe(false);
    expect(isS3NotFound(null)).toBe(false);
  });
});
