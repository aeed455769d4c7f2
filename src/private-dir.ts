// The data directory holds task text, logs and the control socket: only its owner may read it.
// (Builders run as the same user, so this keeps out other users, not the builder itself.)
import { chmod, mkdir } from 'node:fs/promises';

export async function ensurePrivateDir(dir: string): Promise<void> {
  const made = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (made !== undefined) await chmod(dir, 0o700);
}
