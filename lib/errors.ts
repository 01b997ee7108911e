/**
 * One error family for the whole platform. `code` is a closed union so workflows can branch on
 * it exhaustively (it becomes the Temporal ApplicationFailure `type`).
 */
export type LabErrorCode =
  | 'CONFIG_INVALID'
  | 'DATA_INVALID'
  | 'ARTIFACT_INTEGRITY'
  | 'ARTIFACT_MISSING'
  | 'TRAINER_CRASHED'
  | 'UPSTREAM_HTTP'
  | 'SERVICE_UNAVAILABLE'
  | 'NOT_FOUND';

/** Codes whose retry can never succeed: bad input stays bad. */
export const NON_RETRYABLE_CODES: readonly LabErrorCode[] = [
  'CONFIG_INVALID',
  'DATA_INVALID',
  'ARTIFACT_INTEGRITY',
  'NOT_FOUND',
];

export class LabError extends Error {
  override readonly name: string = 'LabError';
  constructor(
    readonly code: LabErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class ConfigError extends LabError {
  override readonly name = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}

export class DataError extends LabError {
  override readonly name = 'DataError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATA_INVALID', message, options);
  }
}

export class ArtifactIntegrityError extends LabError {
  override readonly name = 'ArtifactIntegrityError';
  constructor(message: string) {
    super('ARTIFACT_INTEGRITY', message);
  }
}

export class TrainerCrashedError extends LabError {
  override readonly name = 'TrainerCrashedError';
  constructor(message: string) {
    super('TRAINER_CRASHED', message);
  }
}

export class UpstreamHttpError extends LabError {
  override readonly name = 'UpstreamHttpError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super('UPSTREAM_HTTP', message);
  }

  /** 4xx other than 408/429 means the request itself is wrong; retrying cannot help. */
  get isRetryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429 || this.status === 0;
  }
}

export class ServiceUnavailableError extends LabError {
  override readonly name = 'ServiceUnavailableError';
  constructor(message: string) {
    super('SERVICE_UNAVAILABLE', message);
  }
}
