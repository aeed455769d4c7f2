// Discord's gateway: a WebSocket on the fake's HTTP server (any path; discord.js appends
// `?v=10&encoding=json`). It speaks plain JSON: discord.js asks for zlib-stream only when the optional
// native `zlib-sync` is installed, and the project keeps it out.
//
// Handshake: HELLO (op 10) on connect; IDENTIFY (op 2) → READY then GUILD_CREATE; heartbeats (op 1)
// are answered with op 11. Dispatches are `{op: 0, t, s, d}` with `s` counting per session.
// Sessions outlive their socket, as Discord's do: events dispatched while the bot is disconnected are
// kept, and a RESUME (op 6) with the last `seq` it saw gets them replayed (same `s`), then RESUMED.
// A client that IDENTIFYs again gets a new session (and the missed events are lost to it). A session
// whose client closed with 1000/1001 is over: RESUME then gets INVALID_SESSION (op 9, d: false).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { INTENT_GUILDS } from './defaults.ts';
import { visibleTo } from './intents.ts';
import { opaqueToken } from './snowflakes.ts';

type Json = Record<string, unknown>;

const OP = { Dispatch: 0, Heartbeat: 1, Identify: 2, Resume: 6, Reconnect: 7, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 } as const;
const CLOSE = { UnknownOpcode: 4001, DecodeError: 4002, NotAuthenticated: 4003, AuthenticationFailed: 4004, AlreadyAuthenticated: 4005, DisallowedIntents: 4014 } as const;
/** Ops a client may send that the fake accepts and ignores (presence, voice state, member requests...). */
const IGNORED_OPS = new Set([3, 4, 8, 14, 31]);

export interface Frame {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

export interface GatewayHost {
  token: string;
  botUserId: string;
  heartbeatIntervalMs: number;
  /** Privileged intents the application has not been granted in the Developer Portal (IDENTIFY asking for one is closed with 4014). */
  deniedIntents: number;
  /** READY's `d` for a new session. */
  ready(sessionId: string, shard: unknown): Json;
  guildCreate(): Json;
  /** Something observable changed (waiters re-check). */
  changed(): void;
  now(): number;
}

interface Session {
  id: string;
  intents: number;
  seq: number;
  /** Every frame dispatched to the session, for replay on RESUME. */
  log: Frame[];
  socket: WebSocket | undefined;
  /** READY or RESUMED was sent on the current socket. */
  live: boolean;
  /** The client ended it (close 1000/1001): it can no longer be resumed or receive events. */
  over: boolean;
}

export class Gateway {
  /** Every IDENTIFY, in order. */
  readonly identifies: Array<{ intents: number; at: number }> = [];
  /** RESUMEs that resumed a session. */
  resumes = 0;

  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly sessionOf = new Map<WebSocket, Session>();
  private readonly open = new Set<WebSocket>();
  /** Sockets the fake itself closed (`drop`): their session stays resumable whatever code comes back. */
  private readonly dropped = new Set<WebSocket>();

  constructor(private readonly host: GatewayHost) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** A session is live: READY or RESUMED was sent and its socket is open. */
  get connected(): boolean {
    return [...this.sessions.values()].some((s) => s.live);
  }

  /** Some session can still receive events (live, or waiting to be resumed). */
  get hasSession(): boolean {
    return [...this.sessions.values()].some((s) => !s.over);
  }

  /**
   * Dispatches an event to every session that may see it (intents decide; a session without a socket
   * keeps it for its RESUME). Resolves once the frames are written to the open sockets.
   */
  async dispatch(t: string, d: Json): Promise<void> {
    const writes: Array<Promise<void>> = [];
    for (const session of this.sessions.values()) {
      if (session.over) continue;
      const visible = visibleTo(t, d, session.intents, this.host.botUserId);
      if (visible === undefined) continue;
      const frame: Frame = { op: OP.Dispatch, t, s: ++session.seq, d: visible };
      session.log.push(frame);
      if (session.live && session.socket) writes.push(send(session.socket, frame));
    }
    await Promise.all(writes);
  }

  /** Closes every live session's socket with `code` (4000: resumable); resolves when they are closed. */
  async drop(code: number): Promise<void> {
    const sockets = [...this.sessions.values()].filter((s) => s.live && s.socket).map((s) => s.socket as WebSocket);
    if (sockets.length === 0) throw new Error('fake Discord: dropGateway() with no live gateway session (await waitForReady() first)');
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            this.dropped.add(ws);
            ws.once('close', () => resolve());
            ws.close(code, 'fake Discord dropped the connection');
          }),
      ),
    );
  }

  /** Cuts every socket and stops accepting new ones. */
  async close(): Promise<void> {
    for (const ws of this.open) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    this.open.add(ws);
    ws.on('message', (data, isBinary) => this.onMessage(ws, isBinary ? undefined : String(data)));
    ws.on('close', (code) => this.onClose(ws, code));
    ws.on('error', () => ws.terminate());
    void send(ws, { op: OP.Hello, d: { heartbeat_interval: this.host.heartbeatIntervalMs }, s: null, t: null });
  }

  private onMessage(ws: WebSocket, text: string | undefined): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(text ?? '') as typeof payload;
    } catch {
      return ws.close(CLOSE.DecodeError, 'Error while decoding payload.');
    }
    const d = (typeof payload.d === 'object' && payload.d !== null ? payload.d : {}) as Json;
    switch (payload.op) {
      case OP.Heartbeat:
        return void send(ws, { op: OP.HeartbeatAck });
      case OP.Identify:
        return this.identify(ws, d);
      case OP.Resume:
        return this.resume(ws, d);
      default:
        if (!this.sessionOf.has(ws)) return ws.close(CLOSE.NotAuthenticated, 'Not authenticated.');
        if (typeof payload.op === 'number' && IGNORED_OPS.has(payload.op)) return;
        return ws.close(CLOSE.UnknownOpcode, 'Unknown opcode.');
    }
  }

  private identify(ws: WebSocket, d: Json): void {
    if (this.sessionOf.has(ws)) return ws.close(CLOSE.AlreadyAuthenticated, 'Already authenticated.');
    if (d['token'] !== this.host.token) return ws.close(CLOSE.AuthenticationFailed, 'Authentication failed.');
    const intents = typeof d['intents'] === 'number' ? d['intents'] : 0;
    if ((intents & this.host.deniedIntents) !== 0) return ws.close(CLOSE.DisallowedIntents, 'Disallowed intent(s).');
    const session: Session = { id: opaqueToken(''), intents, seq: 0, log: [], socket: ws, live: false, over: false };
    this.sessions.set(session.id, session);
    this.sessionOf.set(ws, session);
    this.identifies.push({ intents, at: this.host.now() });
    // Straight to the session: READY and GUILD_CREATE concern this session only.
    this.sendTo(session, 'READY', this.host.ready(session.id, d['shard']));
    if ((intents & INTENT_GUILDS) !== 0) this.sendTo(session, 'GUILD_CREATE', this.host.guildCreate());
    session.live = true;
    this.host.changed();
  }

  private resume(ws: WebSocket, d: Json): void {
    if (d['token'] !== this.host.token) return ws.close(CLOSE.AuthenticationFailed, 'Authentication failed.');
    const session = typeof d['session_id'] === 'string' ? this.sessions.get(d['session_id']) : undefined;
    if (!session || session.over) return void send(ws, { op: OP.InvalidSession, d: false });
    if (session.socket && session.socket !== ws) session.socket.terminate();
    session.socket = ws;
    this.sessionOf.set(ws, session);
    const seen = typeof d['seq'] === 'number' ? d['seq'] : 0;
    for (const frame of session.log) if (frame.s > seen) void send(ws, frame);
    this.sendTo(session, 'RESUMED', {});
    session.live = true;
    this.resumes += 1;
    this.host.changed();
  }

  private sendTo(session: Session, t: string, d: unknown): void {
    const frame: Frame = { op: OP.Dispatch, t, s: ++session.seq, d };
    session.log.push(frame);
    if (session.socket) void send(session.socket, frame);
  }

  private onClose(ws: WebSocket, code: number): void {
    this.open.delete(ws);
    const session = this.sessionOf.get(ws);
    this.sessionOf.delete(ws);
    if (session && session.socket === ws) {
      session.socket = undefined;
      session.live = false;
      // discord.js closes with 1000 on destroy(): Discord then forgets the session.
      if (!this.dropped.has(ws) && (code === 1000 || code === 1001)) session.over = true;
    }
    this.dropped.delete(ws);
    this.host.changed();
  }
}

function send(ws: WebSocket, payload: unknown): Promise<void> {
  if (ws.readyState !== WebSocket.OPEN) return Promise.resolve();
  return new Promise<void>((resolve) => ws.send(JSON.stringify(payload), () => resolve()));
}
