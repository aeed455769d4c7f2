// The end of a file, up to a number of bytes, from its first whole line: logs are read this way
// for a retry's prompt and for the dashboard, never whole.
import { open } from 'node:fs/promises';

/** The last `maxBytes` of the file as text, without the line the cut fell in; '' when it cannot be read. */
export async function readEnd(path: string, maxBytes: number): Promise<string> {
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    const lines = buf.toString('utf8').split('\n');
    return (length < size ? lines.slice(1) : lines).join('\n');
  } finally {
    await handle.close();
  }
}
