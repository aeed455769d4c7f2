// The morning briefing as Discord embeds: the headline embed, "Needs you" (with Approve / Reject or
// Retry / Cancel buttons below, one row per task, and Accept anyway for built work whose checks
// fail), "Built" (a field per task: the agent's summary, time, how its checks went or who accepted
// it anyway, cost, links to the pull request and the task's thread), then what waited and what is next.
// Within Discord's limits: 10 embeds, 25 fields of 1,024 characters, 6,000 characters in all,
// 5 rows of buttons.
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type APIEmbed } from 'discord.js';
import type { Briefing, Waiting } from '../../commands/briefing.ts';
import type { TaskId } from '../../core/task.ts';
import { doneCheckSummary } from '../../core/check-summary.ts';
import { canAccept } from '../../core/transitions.ts';
import { customId, type ButtonVerb, type DiscordMessage } from './card.ts';
import { cut, LIMIT, plain, safeText, who } from './text.ts';

/** Links to each task's thread, when its status message is known. */
export type ThreadLinks = ReadonlyMap<TaskId, string>;

const MAX_ROWS = 5;
const MAX_BUILT = 10;
const MAX_LINES = 12;
/** Discord's cap on all embed text in one message is 6,000; keep a margin. */
const TOTAL = 5_800;
const MORE = 'More than fits here: /summary shows it all.';

const COLOR = { headline: 0xf39c12, needsYou: 0xe74c3c, built: 0x2ecc71, rest: 0x95a5a6 } as const;

function name(id: TaskId, title: string, links: ThreadLinks): string {
  const url = links.get(id);
  const text = safeText(`${id} · ${title}`, 200);
  return url ? `[${text}](${url})` : `**${text}**`;
}

function lines(items: Waiting[], links: ThreadLinks): string {
  const shown = items.slice(0, MAX_LINES).map((w) => `• ${name(w.task.id, w.task.title, links)}: ${safeText(w.why, 250)}`);
  if (items.length > MAX_LINES) shown.push(`…and ${items.length - MAX_LINES} more (/status)`);
  return cut(shown.join('\n'), LIMIT.description, '/status');
}

function buttonsFor(b: Briefing): APIActionRowComponent<APIButtonComponent>[] {
  const button = (verb: ButtonVerb, label: string, id: TaskId, style: ButtonStyle): APIButtonComponent => ({
    type: ComponentType.Button,
    custom_id: customId(verb, id),
    label: plain(label, LIMIT.label),
    style: style as ButtonStyle.Primary,
  });
  return b.needsYou.slice(0, MAX_ROWS).map((n) => ({
    type: ComponentType.ActionRow,
    components:
      n.kind === 'approval'
        ? [button('approve', `Approve ${n.task.id}`, n.task.id, ButtonStyle.Success), button('reject', `Reject ${n.task.id}`, n.task.id, ButtonStyle.Danger)]
        : [
            button('retry', `Retry ${n.task.id}`, n.task.id, ButtonStyle.Primary),
            // Built work that only fails the project's checks may be taken as it is.
            ...(canAccept(n.task) ? [button('accept', `Accept ${n.task.id} anyway`, n.task.id, ButtonStyle.Secondary)] : []),
            button('cancel', `Cancel ${n.task.id}`, n.task.id, ButtonStyle.Danger),
          ],
  }));
}

const size = (e: APIEmbed): number =>
  (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);

export function briefingMessage(b: Briefing, links: ThreadLinks = new Map(), at = new Date()): DiscordMessage {
  const embeds: APIEmbed[] = [
    {
      title: plain(`🌅 Good morning: ${b.headline}`, LIMIT.title),
      description: safeText(b.since, 200) + (b.dashboard ? `\n[The night at a glance](<${b.dashboard.night}>)` : ''),
      color: COLOR.headline,
      timestamp: at.toISOString(),
      ...(b.dashboard ? { url: b.dashboard.night } : {}),
    },
  ];
  if (b.needsYou.length) {
    const more = b.needsYou.length > MAX_ROWS ? `\n…and ${b.needsYou.length - MAX_ROWS} more waiting for you (/status)` : '';
    embeds.push({
      title: 'Needs you',
      color: COLOR.needsYou,
      description: cut(
        b.needsYou
          .slice(0, MAX_ROWS)
          .map((n) => `${n.kind === 'approval' ? '✋' : '🚨'} ${name(n.task.id, n.task.title, links)}\n${safeText(n.why, 300)}`)
          .join('\n\n') + more,
        LIMIT.description,
        '/status',
      ),
    });
  }
  if (b.built.length) {
    embeds.push({
      title: `Built (${b.built.length})`,
      color: COLOR.built,
      fields: b.built.slice(0, MAX_BUILT).map((x) => {
        const facts = [x.took, doneCheckSummary(x.task, { who, text: (t) => safeText(t, 300) }), x.cost, x.pullRequest ? `[pull request](${x.pullRequest})` : x.branch ? `branch \`${x.branch.replace(/`/g, "'")}\`` : null, links.get(x.task.id) ? `[thread](${links.get(x.task.id)})` : null, b.dashboard ? `[details](<${b.dashboard.task(x.task.id)}>)` : null]
          .filter(Boolean)
          .join(' · ');
        const said = x.said ? `${safeText(x.said, 300)}\n` : '';
        return { name: plain(`✅ ${x.task.id} · ${x.task.title}${x.demo ? ' (demo build)' : ''}`, LIMIT.title), value: cut(`${said}${facts}`, LIMIT.fieldValue, '/summary') };
      }),
      ...(b.built.length > MAX_BUILT ? { footer: { text: `…and ${b.built.length - MAX_BUILT} more built (/summary)` } } : {}),
    });
  }
  for (const [title, items] of [['Still building', b.building], ['Waited', b.waited], ['Next', b.next], ['Cancelled or rejected', b.dropped]] as const) {
    if (items.length) embeds.push({ title, color: COLOR.rest, description: lines(items, links) });
  }
  return { embeds: fitted(embeds), components: buttonsFor(b), allowed_mentions: { parse: [] } };
}

/**
 * Within Discord's 6,000 characters: the headline, what needs you and what was built come first;
 * the later lists go, then the last builds, and the headline says where the rest is.
 */
function fitted(embeds: APIEmbed[]): APIEmbed[] {
  const out = embeds.map((e) => ({ ...e, ...(e.fields ? { fields: [...e.fields] } : {}) }));
  const total = () => out.reduce((n, e) => n + size(e), 0) + MORE.length;
  let trimmed = false;
  while (total() > TOTAL) {
    trimmed = true;
    const built = out.find((e) => e.fields);
    if (out.length > 1 && out.at(-1) !== built && out.at(-1) !== out[1]) out.pop();
    else if (built?.fields && built.fields.length > 1) built.fields.pop();
    else {
      const last = out.at(-1) as APIEmbed;
      if (last.description) last.description = cut(last.description, Math.max(100, last.description.length - (total() - TOTAL)), '/summary');
      if (last.fields?.[0]) last.fields[0] = { ...last.fields[0], value: cut(last.fields[0].value, 200, '/summary') };
      if (total() > TOTAL) out.pop();
    }
  }
  if (trimmed && out[0]) out[0] = { ...out[0], footer: { text: MORE } };
  return out;
}
