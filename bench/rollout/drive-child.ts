/**
 * A bench driver in a child process (`run.ts --drivers N`). Over IPC: `prepare` (a DriveSpec)
 * → `ready`; `go` (the shared start instant) → `done` (a DriveResult). The bench kills it.
 */
import { prepareDrive, type DriveSpec, type PreparedDrive } from './drive.ts';

type Message = { type: 'prepare'; spec: DriveSpec } | { type: 'go'; startEpochMs: number };

let prepared: PreparedDrive | undefined;
const send = (message: unknown): void => void process.send?.(message);

process.on('message', (message: Message) => {
  void (async () => {
    if (message.type === 'prepare') {
      prepared = await prepareDrive(message.spec);
      send({ type: 'ready' });
      return;
    }
    if (prepared === undefined) throw new Error('drive-child: go before prepare');
    const result = await prepared.run(message.startEpochMs);
    await prepared.close();
    send({ type: 'done', result });
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
