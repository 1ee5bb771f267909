export { DEFAULT_WINDOW, Reorderer } from './reorderer.js';
export type { ReleaseCallback, ReordererOptions } from './reorderer.js';
export {
  DuplicateSequenceError,
  InvalidOptionError,
  IocpError,
  InvalidSequenceError,
  ReorderError,
  WindowOverflowError,
} from './errors.js';
export { MAX_WINDOW } from './internal/validate.js';
