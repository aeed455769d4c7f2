// Slack users → nightshift actors (SLACK_OWNER_ID, SLACK_APPROVERS, SLACK_ALLOWED_USERS); the
// rules are the same on every platform (../shared/roles.ts).
import type { Actor } from '../../commands/actor.ts';
import type { SlackConfig } from '../../config.ts';
import { roleOf } from '../shared/roles.ts';

export function slackActor(userId: string, cfg: Pick<SlackConfig, 'ownerId' | 'approvers' | 'allowedUsers'>, where: { channel?: string; thread?: string } = {}): Actor {
  return {
    // The member id is what task history records ("approved by U012AB3CD"); Slack renders it as
    // the person's name (see who() in mrkdwn.ts).
    id: userId,
    role: roleOf(userId, cfg),
    adapter: 'slack',
    ...(where.channel ? { channel: where.channel } : {}),
    ...(where.thread ? { thread: where.thread } : {}),
  };
}
