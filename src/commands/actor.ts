// Who is speaking, and what they may do. Adapters decide the role from their own settings
// (SLACK_OWNER_ID, approvers, allowed users); the console and CLI user is the owner.
export const ROLES = ['owner', 'approver', 'requester', 'stranger'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  id: string;
  name?: string;
  role: Role;
  adapter: string;
  channel?: string;
  thread?: string;
}

export const canRequest = (a: Actor): boolean => a.role !== 'stranger';
/** Approve, reject, cancel, retry and re-prioritise: the owner and configured approvers only. */
export const canDecide = (a: Actor): boolean => a.role === 'owner' || a.role === 'approver';

export const refusal = (a: Actor, what: string): string =>
  `Sorry${a.name ? ` ${a.name}` : ''}, only the owner or an approver can ${what}. Nothing was changed.`;

export const displayName = (a: Actor): string => a.name ?? a.id;
