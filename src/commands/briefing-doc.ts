// docs/morning-briefing.md: the sample night's briefing as the console, Slack and Discord show it,
// rendered by the real code (npm run briefing:preview writes it; a test keeps it current).
import { briefingMessage as discordBriefing } from '../adapters/discord/briefing.ts';
import { blockKitBuilderUrl } from '../adapters/slack/card-sample.ts';
import { briefingMessage as slackBriefing } from '../adapters/slack/briefing.ts';
import { makeBriefing, renderBriefingText } from './briefing.ts';
import { SAMPLE_DISCORD_THREADS, SAMPLE_SLACK_THREADS, sampleNight } from './briefing-sample.ts';

export function briefingDoc(): string {
  const summary = sampleNight();
  const briefing = makeBriefing(summary);
  const slack = slackBriefing(briefing, SAMPLE_SLACK_THREADS);
  const discord = discordBriefing(briefing, SAMPLE_DISCORD_THREADS, new Date(summary.generatedAt));
  return [
    '# The morning briefing',
    '',
    'What nightshift posts at `SUMMARY_TIME` (and says to `summary` / `nightshift summary`), for a sample night:',
    'two builds done, a failure that needs you, a low-priority task waiting for approval, a usage-limit wait',
    'and a task queued for tonight. Rendered by the real code from `src/commands/briefing-sample.ts`',
    '(`npm run briefing:preview` writes this file; a test fails when it is out of date).',
    '',
    '## Console',
    '',
    '```text',
    renderBriefingText(briefing),
    '```',
    '',
    '## Slack',
    '',
    `Block Kit, with Approve / Reject and Retry / Cancel buttons for what needs you: [open it in Slack's Block Kit Builder](${blockKitBuilderUrl(slack)}).`,
    '',
    '```json',
    JSON.stringify({ text: slack.text, blocks: slack.blocks }, null, 2),
    '```',
    '',
    '## Discord',
    '',
    'Embeds, with a row of buttons per task that needs you:',
    '',
    '```json',
    JSON.stringify(discord, null, 2),
    '```',
    '',
  ].join('\n');
}
