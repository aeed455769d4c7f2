// A local stand-in for the Anthropic Messages API, enough for the real Claude Code CLI to run a
// whole headless session against it through ANTHROPIC_BASE_URL: streamed replies (SSE: message_start,
// content_block_start/delta/stop, message_delta, message_stop) that say text or call a tool, and the
// error responses the real API gives (401, 429 with or without the subscription's unified
// rate-limit headers, 5xx), each with or without `x-should-retry: false`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Waiters } from '../shared/waiters.ts';

export type Reply =
  | { kind: 'text'; text: string }
  | { kind: 'bash'; command: string; description?: string }
  /** An HTTP error with the API's error body; `retry: false` adds `x-should-retry: false`, as the real API does for final errors. */
  | { kind: 'error'; status: number; type: string; message: string; retry?: boolean; headers?: Record<string, string> };

export interface MessagesRequest {
  /** `x-api-key`, or the bearer token of `authorization`. */
  credential: string | undefined;
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  /** Every text block the user side sent, joined: the prompt, plus whatever was sent after it. */
  userText: string;
  /** tool_use ids the conversation so far carries (assistant turns sent back to the API). */
  toolUseIds: string[];
}

type Script = (request: MessagesRequest, index: number) => Reply;

/** The subscription's "rejected" headers: Claude Code turns them into a rate_limit_event with resetsAt. */
export function subscriptionLimitHeaders(resetsAt: Date): Record<string, string> {
  const epoch = String(Math.floor(resetsAt.getTime() / 1000));
  return {
    'anthropic-ratelimit-unified-status': 'rejected',
    'anthropic-ratelimit-unified-reset': epoch,
    'anthropic-ratelimit-unified-representative-claim': 'five_hour',
    'anthropic-ratelimit-unified-5h-status': 'rejected',
    'anthropic-ratelimit-unified-5h-reset': epoch,
  };
}

export class FakeMessagesApi {
  readonly requests: MessagesRequest[] = [];
  private readonly server: Server;
  private readonly waiters = new Waiters('fake Anthropic API');
  private script: Script;

  constructor(script: Script) {
    this.script = script;
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What the next requests get, from now on. */
  answerWith(script: Script): void {
    this.script = script;
  }

  untilRequests(count: number, timeoutMs = 20_000): Promise<void> {
    return this.waiters.until(() => this.requests.length >= count, timeoutMs, `${count} Messages API request(s) (got ${this.requests.length})`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    // Claude Code says hello (HEAD /api/hello) before its first call; anything but a message is just answered.
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) return void res.writeHead(200).end();
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; messages: MessagesRequest['messages'] };
    const request = describe(req, body);
    const index = this.requests.push(request) - 1;
    const reply = this.script(request, index);
    this.waiters.notify();
    if (reply.kind === 'error') {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.retry === false ? { 'x-should-retry': 'false' } : {}), ...reply.headers });
      return void res.end(JSON.stringify({ type: 'error', error: { type: reply.type, message: reply.message } }));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    send('message_start', { message: { id: `msg_${index + 1}`, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, usage: { input_tokens: 100, output_tokens: 1 } } });
    if (reply.kind === 'text') {
      send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
      send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: reply.text } });
    } else {
      const input = { command: reply.command, description: reply.description ?? 'Run a command' };
      send('content_block_start', { index: 0, content_block: { type: 'tool_use', id: `toolu_${index + 1}`, name: 'Bash', input: {} } });
      send('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(input) } });
    }
    send('content_block_stop', { index: 0 });
    send('message_delta', { delta: { stop_reason: reply.kind === 'text' ? 'end_turn' : 'tool_use', stop_sequence: null }, usage: { output_tokens: 20 } });
    send('message_stop', {});
    res.end();
  }
}

function describe(req: IncomingMessage, body: { model: string; messages: MessagesRequest['messages'] }): MessagesRequest {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const blocks: Array<Record<string, unknown>> = body.messages.flatMap((m) =>
    typeof m.content === 'string' ? [{ type: 'text', text: m.content, role: m.role }] : (m.content as Array<Record<string, unknown>>).map((b) => ({ ...b, role: m.role })),
  );
  return {
    credential: (req.headers['x-api-key'] as string | undefined) ?? bearer,
    model: body.model,
    messages: body.messages,
    userText: blocks.filter((b) => b.role === 'user' && b.type === 'text').map((b) => String(b.text)).join('\n'),
    toolUseIds: blocks.filter((b) => b.type === 'tool_use').map((b) => String(b.id)),
  };
}
