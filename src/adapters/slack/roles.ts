// Slack users → nightshift actors: the owner (SLACK_OWNER_ID), approvers (SLACK_APPROVERS),
// requesters (SLACK_ALLOWED_USERS, or everyone when that list is empty), and everyone else.
import type { Actor, Role } from '../../commands/actor.ts';
import type { SlackConfig } from '../../config.ts';

export function roleOf(userId: string, cfg: Pick<SlackConfig, 'ownerId' | 'approvers' | 'allowedUsers'>): Role {
  if (userId === cfg.ownerId) return 'owner';
  if (cfg.approvers.includes(userId)) return 'approver';
  if (cfg.allowedUsers.length === 0 || cfg.allowedUsers.includes(userId)) return 'requester';
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
