/**
 * `@iocp/cli-support` — what the iocp-kit command-line apps share: option parsers, the coded
 * app error with an exit code, one-line commander errors, `runMain`, and the Prometheus
 * `/metrics` HTTP server, TLS file checks and the certificate-refused message. Test helpers for spawning the apps are in `@iocp/cli-support/test-support`.
 */
export { parseByteSize } from './byte-size.js';
export { type CommandLineOutcome, optionParser, parseCommandLine, reportingCommand } from './command-line.js';
export { CliError, EXIT_BROKEN_PIPE, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, ListenError, UsageError, exitCodeOf, formatErrorLine } from './errors.js';
export { type FlushableStream, exitAfterFlush, flushStdio } from './flush-stdio.js';
export { type HostPort, parseHostPort, parseServerHostPort } from './host-port.js';
export { registerHealthMetrics, registerMemoryBudgetMetrics } from './health-metrics.js';
export { parseInteger } from './integer.js';
export { type ProxyProtocolFlagValues, addProxyProtocolFlags, proxyProtocolFromFlags } from './proxy-protocol-flags.js';
export { MIN_MAX_BUFFERED, maxBufferedOption, parseMaxBuffered } from './max-buffered.js';
export {
  type MetricsRegistryLike,
  type MetricsServer,
  PROMETHEUS_CONTENT_TYPE,
  type ScrapeSource,
  registryScrape,
  startMetricsServer,
  textScrape,
} from './metrics-server.js';
export { type TlsKeyPair, readCaFile, readTlsKeyPair } from './tls-files.js';
export { type TlsVerifyTarget, causeCodes, tlsVerifyMessage } from './tls-verify.js';
export { type MainProcess, type RunMainOptions, runMain } from './run-main.js';
