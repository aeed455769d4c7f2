// Where nightshift's state lives, and the `.env` file it reads: the two things every command
// needs before it knows anything else. Kept free of the config schema so that a one-shot that
// hands its request to a running daemon can find the daemon without loading it.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Settings from a `.env` file in the current directory, for what the environment does not already
 * set (an exported variable wins, as with most tools that read .env files).
 */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env, file = resolve('.env')): void {
  if (!existsSync(file)) return;
  for (const [k, v] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) if (env[k] === undefined) env[k] = v;
}

/** NIGHTSHIFT_HOME (blank counts as unset), else ~/.nightshift; always absolute. */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  const set = env.NIGHTSHIFT_HOME?.trim() ? env.NIGHTSHIFT_HOME : undefined;
  const raw = set ?? resolve(env.HOME?.trim() ? env.HOME : homedir(), '.nightshift');
  return isAbsolute(raw) ? raw : resolve(raw);
}
