// The daemon's local control socket: one JSON request per connection, one JSON reply back.
// CLI one-shots use it while a daemon runs (control-client.ts), so only the daemon ever writes
// the store.
import { createServer, type Server } from 'node:net';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reply } from '../commands/reply.ts';
import { CliRequest } from './cli-request.ts';

/** Unix socket paths are limited to ~107 bytes: long homes get a hashed path in the temp dir. */
export function socketPathFor(home: string): string {
  const preferred = join(home, 'nightshift.sock');
  if (Buffer.byteLength(preferred) < 100) return preferred;
  return join(tmpdir(), `nightshift-${createHash('sha256').update(home).digest('hex').slice(0, 16)}.sock`);
}

export async function serveControl(path: string, handle: (req: CliRequest) => Promise<Reply>): Promise<Server> {
  rmSync(path, { force: true }); // a socket file left by a crashed daemon; we hold the lock, so it is ours
  const server = createServer((conn) => {
    let buf = '';
    conn.setEncoding('utf8');
    conn.on('error', () => {});
    conn.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      buf = '';
      void (async () => {
        let reply: Reply;
        try {
          const parsed = CliRequest.safeParse(JSON.parse(line));
          reply = parsed.success
            ? await handle(parsed.data)
            : { kind: 'error', ok: false, text: `the daemon did not understand the request: ${parsed.error.message}`, tasks: [] };
        } catch (e) {
          reply = { kind: 'error', ok: false, text: `the daemon failed to answer: ${e instanceof Error ? e.message : String(e)}`, tasks: [] };
        }
        conn.end(`${JSON.stringify(reply)}\n`);
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return server;
}
