import type { GpuLease } from '../activities/framework/types.ts';

/**
 * A process-wide pool of GPU indexes: a worker polling both `gpu` and `gpu-<class>` still runs
 * at most `count` GPU stages at once, and each holds a distinct device index.
 */
export function createGpuLease(count: number, gpuClass?: string): GpuLease {
  const free = Array.from({ length: count }, (_, index) => index);
  const waiting: Array<(index: number) => void> = [];
  const release = (index: number) => {
    const next = waiting.shift();
    if (next) next(index);
    else free.push(index);
  };
  return {
    acquire(signal) {
      const lease = (index: number) => ({
        index,
        ...(gpuClass ? { gpuClass } : {}),
        release: () => release(index),
      });
      const index = free.shift();
      if (index !== undefined) return Promise.resolve(lease(index));
      return new Promise((resolve, reject) => {
        const onGranted = (granted: number) => {
          signal.removeEventListener('abort', onAbort);
          resolve(lease(granted));
        };
        const onAbort = () => {
          waiting.splice(waiting.indexOf(onGranted), 1);
          reject(
            signal.reason instanceof Error
              ? signal.reason
              : new Error('cancelled while waiting for a GPU'),
          );
        };
        waiting.push(onGranted);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
