// The CLI's side of the daemon's control socket: one JSON request out, one JSON reply back. It
// loads nothing but node:net, so a one-shot that reaches a running daemon stays light.
import { createConnection } from 'node:net';
import type { Reply } from '../commands/reply.ts';
import type { CliRequest } from './cli-request.ts';

export function sendControl(path: string, req: CliRequest, timeoutMs = 120_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(path);
    let buf = '';
    conn.setEncoding('utf8');
    conn.setTimeout(timeoutMs, () => conn.destroy(new Error(`the daemon did not answer within ${timeoutMs / 1000}s`)));
    conn.on('connect', () => conn.write(`${JSON.stringify(req)}\n`));
    conn.on('data', (c: string) => (buf += c));
    conn.on('error', reject);
    conn.on('end', () => {
      try {
        resolve(JSON.parse(buf) as Reply);
      } catch {
        reject(new Error('the daemon closed the connection without an answer'));
      }
    });
  });
}
