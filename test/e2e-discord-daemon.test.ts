// The real `nightshift start` with Discord settings in its environment, against the local fake
// Discord: the daemon connects, says how to invite the bot, registers its commands, and a /build
// there becomes a task the CLI can see. The token never reaches the log.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEnv, DaemonProcess, runCli } from './helpers/cli.ts';
import { killStrays } from './helpers/strays.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { taskWhen } from './helpers/agent-env.ts';
import { startFakeDiscord, type FakeDiscord } from './fakes/discord/fake-discord.ts';
import { FAKE_CHANNEL_ID } from './fakes/discord/defaults.ts';

const TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAy.GdaemN.realistic-looking-but-fake-token-value';
const OWNER = '400000000000000001';

let daemon: DaemonProcess | null = null;
let fake: FakeDiscord | null = null;
afterEach(async () => {
  if (daemon && daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
  if (daemon) killStrays(daemon.home);
  await fake?.stop();
  daemon = null;
  fake = null;
});

describe('nightshift start with Discord', () => {
  it('connects, prints the invite link, takes a /build to done, and keeps the token out of the log', async () => {
    fake = await startFakeDiscord({ token: TOKEN });
    const home = await tempDir();
    const env = cliEnv(home, {
      DISCORD_TOKEN: TOKEN,
      DISCORD_GUILD_ID: fake.guildId,
      DISCORD_CHANNEL: FAKE_CHANNEL_ID,
      DISCORD_OWNER_ID: OWNER,
      DISCORD_API_URL: fake.apiUrl,
      BUILDER: 'demo',
    });
    daemon = new DaemonProcess(env);
    await daemon.waitForOutput(/Discord: connected as nightshift.*slash commands registered in guild/);
    expect(daemon.stdout).toContain(`Discord: invite link https://discord.com/oauth2/authorize?client_id=${fake.appId}&scope=bot+applications.commands&permissions=309237730304`);
    expect(fake.commands.some((c) => c.scope === fake!.guildId)).toBe(true);

    const asked = fake.slashCommand({ userId: OWNER, channelId: FAKE_CHANNEL_ID, name: 'build', options: [{ name: 'request', type: 3, value: 'a hello-world CLI by tonight' }] });
    expect((await asked.response()).lateMs ?? 0).toBe(0); // answered, or deferred, in time
    expect(((await asked.finalOriginal()) as { content: string }).content).toMatch(/t-1 "Build a hello-world CLI"/);
    await taskWhen(env, 't-1', (t) => t.status === 'done', 20_000, 't-1 done, seen from the CLI');
    await fake.waitFor(() => fake!.threads().some((t) => fake!.messages(t.id).some((m) => /is done after/.test(m.content))), 'done in the thread', 10_000);

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    const log = await readFile(join(home, 'nightshift.log'), 'utf8');
    expect(log).not.toContain(TOKEN);
    expect(daemon.stdout + daemon.stderr).not.toContain(TOKEN);
  }, 60_000);

  it('says what to change when Discord refuses the token, the Message Content intent is not switched on, or the channel cannot be seen', async () => {
    fake = await startFakeDiscord({ token: TOKEN, deniedIntents: 1 << 15 });
    const allowed = await startFakeDiscord({ token: TOKEN });
    const base = { DISCORD_GUILD_ID: fake.guildId, DISCORD_CHANNEL: FAKE_CHANNEL_ID, DISCORD_OWNER_ID: OWNER, DISCORD_API_URL: fake.apiUrl, BUILDER: 'demo' };
    const intents = await runCli(['start'], cliEnv(await tempDir(), { ...base, DISCORD_TOKEN: TOKEN }));
    expect(intents.code).toBe(78);
    expect(intents.stderr).toMatch(/DISCORD_TOKEN: Discord refused the Message Content intent .*Privileged Gateway Intents → Message Content Intent/);
    const wrong = 'MTAwMDAwMDAwMDAwMDAwMDAy.GdaemN.this-token-was-reset-long-ago-000000';
    const token = await runCli(['start'], cliEnv(await tempDir(), { ...base, DISCORD_TOKEN: wrong }));
    expect(token.code).toBe(78);
    expect(token.stderr).toMatch(/DISCORD_TOKEN: Discord refused this token; reset it/);
    expect(token.stderr + token.stdout).not.toContain(wrong);
    // a channel the bot cannot see is found at start, not when the first task has nowhere to go
    const channel = await runCli(['start'], cliEnv(await tempDir(), { ...base, DISCORD_API_URL: allowed.apiUrl, DISCORD_TOKEN: TOKEN, DISCORD_CHANNEL: '300000000000000099' }));
    await allowed.stop();
    expect(channel.code).toBe(78);
    expect(channel.stderr).toMatch(/DISCORD_CHANNEL: the bot cannot see channel 300000000000000099/);
  }, 30_000);

  it('refuses to start on a half-configured Discord, naming the variables', async () => {
    const home = await tempDir();
    const r = await runCli(['start'], cliEnv(home, { DISCORD_TOKEN: TOKEN }));
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/DISCORD_CHANNEL: expected the id of the text channel/);
    expect(r.stderr).toMatch(/DISCORD_OWNER_ID: expected the owner's user id/);
    expect(r.stderr).not.toContain(TOKEN);
  });
});
