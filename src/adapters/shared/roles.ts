// Chat users → nightshift roles, the same on every platform: the owner, approvers, requesters
// (the allowed-users list; `*` means everyone who can reach the bot), and everyone else, who is
// refused politely. Unset, only the owner and approvers may request builds: an agent run costs
// money and touches code, so opening it to a whole workspace or server is a choice, not a default.
import type { Role } from '../../commands/actor.ts';

export interface RoleSettings {
  ownerId: string;
  approvers: string[];
  allowedUsers: string[];
}

export function roleOf(userId: string, cfg: RoleSettings): Role {
  if (userId === cfg.ownerId) return 'owner';
  if (cfg.approvers.includes(userId)) return 'approver';
  if (cfg.allowedUsers.includes('*') || cfg.allowedUsers.includes(userId)) return 'requester';
  return 'stranger';
}
