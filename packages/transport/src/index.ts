/**
 * `@iocp/transport` — the completion port: many TCP listeners and outgoing connections in one
 * class, safe handles, ordered per-connection dispatch, bounded send queues with write
 * coalescing, one watchdog timer, admission control, graceful shutdown and stats.
 */
export { checkServerIdentity } from './check-server-identity.js';
export { type Cidr, parseCidr } from './cidr.js';
export { CompletionPort } from './completion-port.js';
export { type Endpoint, type EndpointFamily, type ParseEndpointOptions, formatEndpoint, parseEndpoint } from './endpoint.js';
export {
  ConnectError,
  ConnectRefusedError,
  ConnectTimeoutError,
  ConnectionResetError,
  EncodeError,
  FirstDataTimeoutError,
  HandlerError,
  HeartbeatTimeoutError,
  IdleTimeoutError,
  InvalidEndpointError,
  InvalidOptionError,
  IocpError,
  ListenError,
  MaxConnectionsError,
  MemoryBudgetError,
  PortClosedError,
  ProxyHeaderError,
  SendQueueOverflowError,
  TlsError,
  TransportError,
  WriteTimeoutError,
} from './errors.js';
export type {
  AddressAndPort,
  CloseReason,
  ConnectProxyProtocolOptions,
  ConnectOptions,
  Connection,
  Handler,
  HeartbeatOptions,
  ListenOptions,
  ListenTlsOptions,
  Listener,
  MemoryStats,
  PeerInfo,
  PortLimits,
  PortOptions,
  PortStats,
  PortTimeouts,
  ProxyHeader,
  ProxyHeaderSsl,
  ProxyHeaderTlv,
  ProxyProtocolOptions,
  ReconnectOptions,
  RefuseReason,
  SendQueueOptions,
} from './types.js';
