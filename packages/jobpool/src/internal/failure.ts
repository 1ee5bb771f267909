/**
 * How a job failure crosses the thread boundary. The worker entry returns this plain object
 * (structured clone keeps own string/number fields) instead of throwing, so that a rejection of
 * piscina's `run()` always means "the thread died or the job was aborted", never "the job threw".
 */
export const FAILURE_KEY = '__iocpJobFailure';

/** The wire shape of a failed job. `kind` 'module' means the worker module is unusable. */
export interface FailureRecord {
  [FAILURE_KEY]: 'job' | 'module';
  name: string;
  message: string;
  code: string | undefined;
  stack: string | undefined;
}

/** Build the record for `error` (anything thrown). */
export function toFailureRecord(kind: 'job' | 'module', error: unknown): FailureRecord {
  const isError = error instanceof Error;
  const code = isError ? (error as { code?: unknown }).code : undefined;
  return {
    [FAILURE_KEY]: kind,
    name: isError ? error.name : 'Error',
    message: isError ? error.message : String(error),
    code: typeof code === 'string' ? code : undefined,
    stack: isError ? error.stack : undefined,
  };
}

/** True when a worker result is a failure record. */
export function isFailureRecord(value: unknown): value is FailureRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)[FAILURE_KEY] !== undefined &&
    !ArrayBuffer.isView(value)
  );
}

/** Rebuild an `Error` in this thread from a failure record. */
export function fromFailureRecord(record: FailureRecord): Error {
  const error = new Error(record.message);
  error.name = record.name;
  if (record.code !== undefined) (error as Error & { code?: string }).code = record.code;
  if (record.stack !== undefined) error.stack = record.stack;
  return error;
}
