// A sample task at work, rendered by the real statusCard for the README (docs/slack-status-card.json
// and its Block Kit Builder link). A test keeps the committed JSON equal to what the code renders.
import type { Progress } from '../../core/ports.ts';
import { Task } from '../../core/task.ts';
import { statusCard, type CardContext, type SlackMessage } from './card.ts';

const at = (hhmm: string) => `2026-11-25T${hhmm}:00.000Z`;

export const SAMPLE_TASK: Task = Task.parse({
  id: 't-7',
  title: 'Build a Spotify integration',
  spec: 'build a Spotify integration by tonight',
  request: 'build a Spotify integration by tonight',
  origin: { adapter: 'slack', userId: 'U0ASKER', channel: 'C0BUILDS' },
  priority: 'high',
  priorityReason: 'deadline within 24 h (by tonight)',
  deadline: at('23:59'),
  estimateMs: null,
  status: 'building',
  createdAt: at('13:45'),
  updatedAt: at('13:48'),
  safety: { needsApproval: false, reasons: [], checkedAt: at('13:45') },
  attempts: [{ n: 1, startedAt: at('13:48'), outcome: 'running', logPath: '~/.nightshift/logs/t-7/attempt-1.log', builder: 'Claude Code', counts: true, demo: false }],
});

export const SAMPLE_PROGRESS: Progress = {
  at: at('14:00'),
  percent: 40,
  message: 'editing src/spotify/client.ts',
  plan: [
    { text: 'Read the existing music module', status: 'done' },
    { text: 'Add the Spotify API client', status: 'in_progress' },
    { text: 'Wire the OAuth callback', status: 'pending' },
    { text: 'Write tests for the client', status: 'pending' },
  ],
};
export const SAMPLE_CONTEXT: CardContext = { now: new Date(at('14:00')), timeZone: 'Europe/London', maxAttempts: 3, typicalMs: 40 * 60_000 };

export const sampleCard = (): SlackMessage => statusCard(SAMPLE_TASK, SAMPLE_PROGRESS, SAMPLE_CONTEXT);

/** Slack's Block Kit Builder, opened on these blocks. */
export const blockKitBuilderUrl = (msg: SlackMessage): string =>
  `https://app.slack.com/block-kit-builder/#${encodeURIComponent(JSON.stringify({ blocks: msg.blocks }))}`;
