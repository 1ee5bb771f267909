import { type Socket, connect } from 'node:net';
import { ErrorCodes } from '../errors.js';
import type { LoadEngine } from './load-engine.js';
import { MessageRing } from './message-ring.js';
import { SentStream } from './sent-stream.js';

const CONNECTING = 0;
const OPEN = 1;
/** We called `end()` (run over or short connection done): a close now is clean. */
const ENDING = 2;
const CLOSED = 3;

/**
 * One client connection (or, in short mode, one connect-exchange-close loop that reuses this
 * object for each new socket). Its callbacks are bound once here, never per message.
 */
export class LoadConnection {
  readonly id: number;
  private readonly engine: LoadEngine;
  socket: Socket | undefined = undefined;
  private state = CLOSED;
  /** First failure of the current socket, by code; undefined while healthy. */
  private errorCode: string | undefined = undefined;
  readonly ring: MessageRing;
  readonly sent = new SentStream();
  /** Bytes written / verified on the current socket. */
  sentBytes = 0;
  recvBytes = 0;
  /** Messages sent and answered on the current socket (short mode, and long ones with a per-connection cap). */
  sentMessages = 0;
  doneMessages = 0;
  private connectStart = 0;
  /** The current socket got connected. */
  private connected = false;
  /** `--reconnect`: messages left unanswered by an earlier socket, to send again first. */
  resend = 0;
  /** The echo diverged on the current socket (a short loop stops there). */
  mismatched = false;
  private connectTimer: NodeJS.Timeout | undefined = undefined;
  /** Timed mode. */
  private timer: NodeJS.Timeout | undefined = undefined;
  private timedStart = 0;
  private scheduled = 0;

  private readonly onReadBound: (n: number, buf: Buffer) => boolean;
  private readonly onConnectBound: () => void;
  private readonly onErrorBound: (error: Error) => void;
  private readonly onCloseBound: () => void;
  private readonly onEndBound: () => void;
  private readonly onConnectTimeoutBound: () => void;
  private readonly onTickBound: () => void;

  constructor(id: number, engine: LoadEngine, ringCapacity: number, maxInflight: number) {
    this.id = id;
    this.engine = engine;
    this.ring = new MessageRing(ringCapacity, maxInflight);
    this.onReadBound = (n, buf) => this.onRead(n, buf);
    this.onConnectBound = () => this.onConnect();
    this.onErrorBound = (error) => this.onError(error);
    this.onCloseBound = () => this.onClose();
    this.onEndBound = () => this.onEnd();
    this.onConnectTimeoutBound = () => this.onConnectTimeout();
    this.onTickBound = () => this.onTick();
  }

  /** True while a socket exists and has not closed. */
  get live(): boolean {
    return this.state !== CLOSED;
  }

  /** True once connected and not yet ending. */
  get open(): boolean {
    return this.state === OPEN;
  }

  /** Open a new socket (a long connection once, a short loop again and again). */
  start(readBuffer: Buffer): void {
    const engine = this.engine;
    this.state = CONNECTING;
    this.errorCode = undefined;
    this.connected = false;
    this.mismatched = false;
    this.ring.clear();
    this.sent.clear();
    this.sentBytes = 0;
    this.recvBytes = 0;
    this.sentMessages = 0;
    this.doneMessages = 0;
    this.connectStart = performance.now();
    const socket = connect({
      host: engine.config.host,
      port: engine.config.port,
      localAddress: engine.pickSource(),
      noDelay: true,
      onread: { buffer: readBuffer, callback: this.onReadBound },
    });
    this.socket = socket;
    socket.on('error', this.onErrorBound);
    socket.on('close', this.onCloseBound);
    socket.on('end', this.onEndBound);
    socket.once('connect', this.onConnectBound);
    this.connectTimer = setTimeout(this.onConnectTimeoutBound, engine.config.connectTimeoutMs);
  }

  /** Close cleanly once nothing is in flight (the run is over or the short exchange is done). */
  finish(): void {
    if (this.state === CONNECTING) {
      this.abort();
      return;
    }
    if (this.state !== OPEN) return;
    this.stopTimer();
    this.state = ENDING;
    this.socket!.end();
  }

  /** Drop the socket now without counting an error (run over while connecting, drain expired). */
  abort(): void {
    if (this.state === CLOSED) return;
    this.stopTimer();
    if (this.state !== ENDING) this.state = ENDING;
    this.socket!.destroy();
  }

  /** Drop the socket now and count `code` against it. */
  fail(code: string): void {
    if (this.state === CLOSED) return;
    if (this.errorCode === undefined) this.errorCode = code;
    this.stopTimer();
    this.socket!.destroy();
  }

  /** Timed mode: start sending at the configured rate. */
  startTimer(ratePerSec: number): void {
    this.timedStart = performance.now();
    this.scheduled = 0;
    const tickMs = Math.max(1000 / ratePerSec, 5);
    this.timer = setInterval(this.onTickBound, tickMs);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private onTick(): void {
    const due = Math.floor(((performance.now() - this.timedStart) * this.engine.config.ratePerSec) / 1000) - this.scheduled;
    if (due <= 0) return;
    this.scheduled += due;
    this.engine.sendTimed(this, due);
  }

  private onConnect(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    if (this.state !== CONNECTING) return;
    this.state = OPEN;
    this.connected = true;
    this.engine.onConnected(this, performance.now() - this.connectStart);
  }

  private onConnectTimeout(): void {
    this.connectTimer = undefined;
    if (this.state === CONNECTING) this.fail(ErrorCodes.connectTimeout);
  }

  private onRead(n: number, buf: Buffer): boolean {
    if (this.state !== OPEN && this.state !== ENDING) return true;
    const bad = this.sent.verify(buf, 0, n);
    if (bad >= 0) {
      this.mismatched = true;
      this.engine.onMismatch(this, this.recvBytes + bad, this.sent.expectedByte, buf[bad]!);
      this.abort();
      return true;
    }
    this.recvBytes += n;
    const ring = this.ring;
    let completed = 0;
    if (ring.size > 0 && ring.headEnd() <= this.recvBytes) {
      const now = performance.now();
      const histogram = this.engine.latency;
      // Messages sent in one batch and answered in one chunk share a latency: record runs.
      let runValue = -1;
      let runCount = 0;
      while (ring.size > 0 && ring.headEnd() <= this.recvBytes) {
        const us = Math.round((now - ring.headTime()) * 1000);
        if (us === runValue) {
          runCount++;
        } else {
          if (runCount > 0) histogram.recordValueWithCount(runValue, runCount);
          runValue = us;
          runCount = 1;
        }
        ring.shift();
        completed++;
      }
      histogram.recordValueWithCount(runValue, runCount);
    }
    this.engine.onAnswered(this, completed, n);
    return true;
  }

  private onEnd(): void {
    // The peer closed its side. Fine after our own end(); otherwise the server dropped us.
    if (this.state !== ENDING && this.errorCode === undefined) this.errorCode = ErrorCodes.peerClosed;
  }

  private onError(error: Error): void {
    if (this.errorCode === undefined) this.errorCode = (error as NodeJS.ErrnoException).code ?? 'IOCP_ERR_SOCKET';
  }

  private onClose(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.stopTimer();
    const wasConnected = this.connected;
    const code = this.errorCode ?? (this.state === OPEN ? ErrorCodes.peerClosed : undefined);
    this.state = CLOSED;
    this.socket = undefined;
    this.engine.onClosed(this, wasConnected, code);
  }
}
