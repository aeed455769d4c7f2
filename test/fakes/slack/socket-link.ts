// Slack's Socket Mode side: a WebSocket endpoint at /link/ (the URL apps.connections.open hands
// out). On connection it sends `hello` (Bolt's `app.start()` resolves only after it); the test then
// pushes envelopes and waits for the bot's ack `{envelope_id, payload}` on the same socket.
// Like Slack, the server pings every socket periodically. The first ping goes right after `hello`:
// its pong proves the client has processed `hello` (frames are handled in order), which is when a
// connection counts as ready. Stopping a Bolt app between the socket opening and `hello` being
// processed makes @slack/socket-mode reject a promise nobody handles: waiting for "ready" avoids it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Waiters } from '../shared/waiters.ts';

export type EnvelopeType = 'slash_commands' | 'events_api' | 'interactive';

export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: unknown;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface EnvelopeOptions {
  /** Default: a fresh UUID. */
  envelopeId?: string;
  /** Reject if the bot has not acked within this many ms of sending (default: the fake's `ackTimeoutMs`). */
  ackTimeoutMs?: number;
  /** If no socket is open, wait this long for one before failing (default 0: fail at once). */
  connectTimeoutMs?: number;
  /** Default: true for slash commands and view submissions, false otherwise (as Slack sends them). */
  acceptsResponsePayload?: boolean;
  /** events_api only in real Slack; default 0 and '' there. */
  retryAttempt?: number;
  retryReason?: string;
}

export interface AckResult {
  envelope_id: string;
  /** The `payload` of the bot's ack (Bolt sends `{}` for a bare `ack()`, `{text}` for `ack('text')`). */
  ackPayload: Record<string, unknown> | undefined;
  /** Milliseconds from sending the envelope to receiving its ack (Slack allows 3000). */
  ackedAfterMs: number;
  envelope: Envelope;
}

export interface AckRecord {
  envelope_id: string;
  payload: Record<string, unknown> | undefined;
  at: number;
}

interface Delivery {
  resolve: (ack: AckRecord) => void;
}

const HELLO_DEBUG = { host: 'fake-slack-applink', build_number: 1, approximate_connection_time: 18060 };

export class SocketLink {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly open: WebSocket[] = [];
  /** Open sockets whose client has processed `hello`, with their connection number. */
  private readonly ready = new Map<WebSocket, number>();
  private readonly tickets = new Set<string>();
  private readonly waitingForAck = new Map<string, Delivery[]>();
  /** Every envelope sent, redeliveries included, in order. */
  readonly envelopes: Envelope[] = [];
  /** Every ack received, late and duplicate ones included. */
  readonly acks: AckRecord[] = [];
  /** Connections accepted since start (a reconnect makes it grow). */
  connectionCount = 0;

  constructor(
    private readonly appId: string,
    private readonly defaultAckTimeoutMs: number,
    private readonly pingIntervalMs: number,
    private readonly waiters: Waiters,
  ) {}

  /** A one-use ticket for the URL apps.connections.open returns. */
  issueTicket(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return ticket;
  }

  get openConnections(): number {
    return this.open.length;
  }

  /** Takes an HTTP upgrade to /link/?ticket=...; refuses unknown or reused tickets with 401. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ticket = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('ticket');
    if (!ticket || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    this.open.push(ws);
    this.connectionCount += 1;
    const number = this.connectionCount;
    const pinger = setInterval(() => ws.ping(), this.pingIntervalMs);
    pinger.unref();
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onMessage(String(data));
    });
    ws.once('pong', () => {
      this.ready.set(ws, number);
      this.waiters.notify();
    });
    ws.on('close', () => {
      clearInterval(pinger);
      const i = this.open.indexOf(ws);
      if (i >= 0) this.open.splice(i, 1);
      this.ready.delete(ws);
      this.waiters.notify();
    });
    ws.on('error', () => ws.terminate());
    ws.send(JSON.stringify({ type: 'hello', num_connections: this.open.length, debug_info: HELLO_DEBUG, connection_info: { app_id: this.appId } }));
    ws.ping();
    this.waiters.notify();
  }

  private onMessage(text: string): void {
    let msg: { envelope_id?: unknown; payload?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.envelope_id !== 'string') return;
    const payload = typeof msg.payload === 'object' && msg.payload !== null ? (msg.payload as Record<string, unknown>) : undefined;
    const ack: AckRecord = { envelope_id: msg.envelope_id, payload, at: Date.now() };
    this.acks.push(ack);
    this.waitingForAck.get(msg.envelope_id)?.shift()?.resolve(ack);
    this.waiters.notify();
  }

  async sendEnvelope(type: EnvelopeType, payload: unknown, opts: EnvelopeOptions = {}): Promise<AckResult> {
    const payloadType = (payload as { type?: unknown } | null)?.type;
    const envelope: Envelope = {
      envelope_id: opts.envelopeId ?? randomUUID(),
      type,
      payload,
      accepts_response_payload: opts.acceptsResponsePayload ?? (type === 'slash_commands' || payloadType === 'view_submission'),
    };
    if (type === 'events_api' || opts.retryAttempt !== undefined) {
      envelope.retry_attempt = opts.retryAttempt ?? 0;
      envelope.retry_reason = opts.retryReason ?? '';
    }
    return this.deliver(envelope, opts);
  }

  /** Sends an envelope already sent once again, with `retry_attempt` + 1, as Slack retries an unacked one. */
  redeliver(envelopeId: string, opts: Omit<EnvelopeOptions, 'envelopeId'> = {}): Promise<AckResult> {
    const last = [...this.envelopes].reverse().find((e) => e.envelope_id === envelopeId);
    if (!last) return Promise.reject(new Error(`fake Slack: no envelope ${envelopeId} was sent`));
    const envelope: Envelope = {
      ...last,
      retry_attempt: opts.retryAttempt ?? (last.retry_attempt ?? 0) + 1,
      retry_reason: opts.retryReason ?? 'timeout',
    };
    return this.deliver(envelope, opts);
  }

  private async deliver(envelope: Envelope, opts: EnvelopeOptions): Promise<AckResult> {
    if (this.open.length === 0 && (opts.connectTimeoutMs ?? 0) > 0) {
      await this.waitForConnection({ timeoutMs: opts.connectTimeoutMs });
    }
    const ws = this.open.at(-1);
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      throw new Error(`fake Slack: no open Socket Mode connection to send a ${envelope.type} envelope (await waitForConnection() first)`);
    }
    const timeoutMs = opts.ackTimeoutMs ?? this.defaultAckTimeoutMs;
    const sentAt = Date.now();
    const acked = new Promise<AckRecord>((resolve, reject) => {
      const timer = setTimeout(() => {
        const q = this.waitingForAck.get(envelope.envelope_id);
        const i = q?.indexOf(delivery) ?? -1;
        if (q && i >= 0) q.splice(i, 1);
        reject(new Error(`fake Slack: no ack for ${envelope.type} envelope ${envelope.envelope_id} within ${timeoutMs} ms`));
      }, timeoutMs);
      const delivery: Delivery = {
        resolve: (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
      };
      const queue = this.waitingForAck.get(envelope.envelope_id) ?? [];
      queue.push(delivery);
      this.waitingForAck.set(envelope.envelope_id, queue);
    });
    this.envelopes.push(envelope);
    ws.send(JSON.stringify(envelope));
    const ack = await acked;
    return { envelope_id: envelope.envelope_id, ackPayload: ack.payload, ackedAfterMs: ack.at - sentAt, envelope };
  }

  /** Sends `{type:'disconnect', reason}` on every open socket; resolves when the client has closed them. */
  async disconnect(reason = 'refresh_requested', timeoutMs = 5000): Promise<void> {
    const sockets = [...this.open];
    for (const ws of sockets) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: HELLO_DEBUG.host } }));
    await this.waiters.until(() => sockets.every((ws) => !this.open.includes(ws)), timeoutMs, `the client to close its socket after disconnect (${reason})`);
  }

  /** Cuts every open socket without a close frame, as a network failure would. */
  dropConnections(): void {
    for (const ws of [...this.open]) ws.terminate();
  }

  /**
   * Resolves when an open connection is ready (its client has processed `hello`); with `count`, only
   * when that is connection number `count` or later since start (read `connectionCount` before
   * provoking a reconnect, then wait for `count: before + 1`).
   */
  waitForConnection(opts: { count?: number; timeoutMs?: number } = {}): Promise<void> {
    const count = opts.count ?? 1;
    return this.waiters.until(() => [...this.ready.values()].some((n) => n >= count), opts.timeoutMs ?? 5000, `Socket Mode connection #${count} to be ready`);
  }

  /** Resolves when no socket is open (the client went away). */
  waitForSocketsClosed(timeoutMs = 5000): Promise<void> {
    return this.waiters.until(() => this.open.length === 0, timeoutMs, 'Socket Mode sockets to close');
  }

  /** Waits up to `graceMs` for the client to close its sockets, terminates the rest, closes the server. */
  async close(graceMs: number): Promise<void> {
    if (this.open.length > 0) await this.waitForSocketsClosed(graceMs).catch(() => this.dropConnections());
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
