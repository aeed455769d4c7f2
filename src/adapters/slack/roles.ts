// Slack users → nightshift actors: the owner (SLACK_OWNER_ID), approvers (SLACK_APPROVERS),
// requesters (SLACK_ALLOWED_USERS; `*` means everyone in the workspace), and everyone else, who
// is refused politely. Unset, only the owner and approvers may request builds: an agent run costs
// money and touches code, so opening it to a whole workspace is a choice, not a default.
import type { Actor, Role } from '../../commands/actor.ts';
import type { SlackConfig } from '../../config.ts';

export function roleOf(userId: string, cfg: Pick<SlackConfig, 'ownerId' | 'approvers' | 'allowedUsers'>): Role {
  if (userId === cfg.ownerId) return 'owner';
  if (cfg.approvers.includes(userId)) return 'approver';
  if (cfg.allowedUsers.includes('*') || cfg.allowedUsers.includes(userId)) return 'requester';
  return 'stranger';
}

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
