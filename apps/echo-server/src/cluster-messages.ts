/** IPC messages between the cluster primary and its echo workers. */
export type WorkerToPrimary =
  | { type: 'echo-server:ready'; addresses: string[] }
  | { type: 'echo-server:failed'; line: string; exitCode: number };

export type PrimaryToWorker = { type: 'echo-server:shutdown'; why: string };

/** True for a message of ours (prom-client shares the channel). */
export function isEchoMessage(message: unknown): message is WorkerToPrimary | PrimaryToWorker {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('echo-server:');
}
