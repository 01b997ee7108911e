import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ServiceUnavailableError } from '../../lib/errors.ts';
import { parseEndpoint } from './ports.ts';
import { runCommand, spawnDetached } from './process.ts';
import { PROBE_TIMEOUT_MS, type StackContext, type StackService } from './service.ts';
import { POSTGRES_MAJOR_VERSIONS } from './versions.ts';

const EXTRA_DATABASES = ['mlflow'] as const;

/** The database URL's parts; the cluster's superuser is the URL's user. */
function target(context: StackContext) {
  const url = new URL(context.env.DATABASE_URL);
  return {
    ...parseEndpoint(context.env.DATABASE_URL, 'DATABASE_URL'),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.replace(/^\//, ''),
  };
}

/** Debian's server binaries (the newest installed major), or `undefined`. */
export function findPostgresBin(): string | undefined {
  for (const major of POSTGRES_MAJOR_VERSIONS) {
    const dir = `/usr/lib/postgresql/${major}/bin`;
    if (existsSync(join(dir, 'postgres'))) return dir;
  }
  return undefined;
}

function requireBin(): string {
  const dir = findPostgresBin();
  if (!dir) {
    throw new ServiceUnavailableError(
      'postgres: server binaries not found under /usr/lib/postgresql/*/bin; ' +
        'run `sudo apt-get install -y postgresql` (or infra/setup.sh)',
    );
  }
  return dir;
}

/**
 * PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` system
 * user that Debian's package creates, otherwise to the caller.
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const fields = line?.split(':');
  if (!fields || fields.length < 4) {
    throw new ServiceUnavailableError(
      'postgres: running as root needs the `postgres` system user; run `apt-get install -y postgresql`',
    );
  }
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function dataDir(context: StackContext): string {
  return join(context.paths.postgres, 'data');
}

function socketDir(context: StackContext): string {
  return join(context.paths.postgres, 'socket');
}

/** Creates the cluster once: its own data dir, the URL's user as superuser with a password. */
async function initCluster(context: StackContext): Promise<void> {
  const bin = requireBin();
  const owner = serverUser();
  const { user, password } = target(context);
  for (const dir of [context.paths.postgres, dataDir(context), socketDir(context)]) {
    mkdirSync(dir, { recursive: true });
    if (owner) chownSync(dir, owner.uid, owner.gid);
  }
  chmodSync(dataDir(context), 0o700);
  const passwordFile = join(context.paths.postgres, 'initdb-password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner) chownSync(passwordFile, owner.uid, owner.gid);
  await runCommand(
    join(bin, 'initdb'),
    [
      '-D',
      dataDir(context),
      '-U',
      user,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--auth-local=trust',
      '--encoding=UTF8',
      '--locale=C',
    ],
    { purpose: 'postgres: initdb', uid: owner?.uid, gid: owner?.gid },
  );
  rmSync(passwordFile, { force: true });
}

/** Debian's PostgreSQL server in its own cluster dir and port, not the machine's default one. */
export const postgresService: StackService = {
  name: 'postgres',
  dependsOn: [],
  portVariables: 'DATABASE_URL',
  stopSignal: 'SIGINT',
  startTimeoutMs: 30_000,
  endpoints: (context) => [target(context)],
  urls: (context) => ({ url: context.env.DATABASE_URL.replace(/:[^:@/]*@/, ':***@') }),
  isInstalled: (context) =>
    findPostgresBin() !== undefined && existsSync(join(dataDir(context), 'PG_VERSION')),
  async install(context) {
    requireBin();
    if (!existsSync(join(dataDir(context), 'PG_VERSION'))) await initCluster(context);
  },
  async start(context) {
    const bin = requireBin();
    const owner = serverUser();
    const { host, port } = target(context);
    return spawnDetached({
      service: 'postgres',
      command: join(bin, 'postgres'),
      args: ['-D', dataDir(context), '-h', host, '-p', String(port), '-k', socketDir(context)],
      logsDir: context.paths.logs,
      uid: owner?.uid,
      gid: owner?.gid,
      // postgres signals only the postmaster; it shuts its backends down itself
      isGroup: false,
    });
  },
  async isHealthy(context) {
    // the maintenance database exists from initdb on, before bootstrap creates the others
    const client = new pg.Client({
      ...target(context),
      database: 'postgres',
      connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    });
    await client.connect();
    try {
      await client.query('select 1');
      return true;
    } finally {
      await client.end();
    }
  },
  async bootstrap(context) {
    const { database } = target(context);
    const client = new pg.Client({ ...target(context), database: 'postgres' });
    await client.connect();
    try {
      for (const name of [database, ...EXTRA_DATABASES]) {
        const found = await client.query('select 1 from pg_database where datname = $1', [name]);
        if (found.rowCount === 0) await client.query(`create database "${name}"`);
      }
    } finally {
      await client.end();
    }
  },
};
