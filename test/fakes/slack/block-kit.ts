// Block Kit's limits, as Slack enforces them on chat.postMessage / chat.update / chat.postEphemeral:
// a message that breaks one is refused with `invalid_blocks` and a message per problem, each
// naming where (a JSON pointer), as Slack's response_metadata.messages do. Only the blocks and
// elements nightshift sends are checked in depth; any other type is refused, so a new one shows up.
// Limits from api.slack.com/reference/block-kit (blocks, block elements, composition objects).

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const LIMITS = {
  blocksPerMessage: 50,
  blockId: 255,
  actionId: 255,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  fallbackText: 40_000,
  // The plan block's docs give no lengths; Slack's streaming plan title is at most 256 characters,
  // taken here for both titles. A message holds a plan or loose task cards, not both.
  planTitle: 256,
  taskCardTitle: 256,
  taskId: 255,
} as const;

const TASK_STATUSES = ['pending', 'in_progress', 'complete', 'error'];

function checkTaskCard(p: Problems, at: string, v: unknown): void {
  if (!isObj(v)) return p.add(at, 'must be a task card object');
  if (v['type'] !== undefined && v['type'] !== 'task_card') p.add(`${at}/type`, 'must be task_card');
  const id = v['task_id'];
  if (typeof id !== 'string' || id.length === 0 || id.length > LIMITS.taskId) p.add(`${at}/task_id`, `must be a string of 1 to ${LIMITS.taskId} characters`);
  const title = v['title'];
  if (typeof title !== 'string' || title.length === 0 || title.length > LIMITS.taskCardTitle) p.add(`${at}/title`, `must be a string of 1 to ${LIMITS.taskCardTitle} characters`);
  if (!TASK_STATUSES.includes(String(v['status']))) p.add(`${at}/status`, `must be one of ${TASK_STATUSES.join(', ')}`);
}

class Problems {
  readonly list: string[] = [];
  add(pointer: string, message: string): void {
    this.list.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  }
}

function checkText(p: Problems, at: string, v: unknown, max: number, kinds: readonly string[] = ['plain_text', 'mrkdwn']): void {
  if (!isObj(v)) return p.add(at, 'must be a text object');
  if (!kinds.includes(String(v['type']))) p.add(`${at}/type`, `must be one of ${kinds.join(', ')}`);
  const t = v['text'];
  if (typeof t !== 'string' || t.length === 0) return p.add(`${at}/text`, 'must be a non-empty string');
  if (t.length > max) p.add(`${at}/text`, `must be less than ${max + 1} characters`);
}

function checkConfirm(p: Problems, at: string, v: unknown): void {
  if (!isObj(v)) return p.add(at, 'must be a confirmation dialog object');
  checkText(p, `${at}/title`, v['title'], LIMITS.confirmTitle, ['plain_text']);
  checkText(p, `${at}/text`, v['text'], LIMITS.confirmText);
  checkText(p, `${at}/confirm`, v['confirm'], LIMITS.confirmButton, ['plain_text']);
  checkText(p, `${at}/deny`, v['deny'], LIMITS.confirmButton, ['plain_text']);
}

function checkButton(p: Problems, at: string, el: Obj, seen: Set<string>): void {
  checkText(p, `${at}/text`, el['text'], LIMITS.buttonText, ['plain_text']);
  const id = el['action_id'];
  if (id !== undefined) {
    if (typeof id !== 'string' || id.length > LIMITS.actionId) p.add(`${at}/action_id`, `must be a string of at most ${LIMITS.actionId} characters`);
    else if (seen.has(id)) p.add(`${at}/action_id`, 'must be unique within the block');
    else seen.add(id);
  }
  if (el['value'] !== undefined && (typeof el['value'] !== 'string' || el['value'].length > LIMITS.buttonValue)) p.add(`${at}/value`, `must be at most ${LIMITS.buttonValue} characters`);
  if (el['url'] !== undefined && (typeof el['url'] !== 'string' || el['url'].length > LIMITS.buttonUrl)) p.add(`${at}/url`, `must be at most ${LIMITS.buttonUrl} characters`);
  if (el['style'] !== undefined && el['style'] !== 'primary' && el['style'] !== 'danger') p.add(`${at}/style`, 'must be primary or danger');
  if (el['confirm'] !== undefined) checkConfirm(p, `${at}/confirm`, el['confirm']);
}

function checkBlock(p: Problems, at: string, b: unknown, blockIds: Set<string>): void {
  if (!isObj(b)) return p.add(at, 'must be an object');
  const id = b['block_id'];
  if (id !== undefined) {
    if (typeof id !== 'string' || id.length === 0 || id.length > LIMITS.blockId) p.add(`${at}/block_id`, `must be a string of 1 to ${LIMITS.blockId} characters`);
    else if (blockIds.has(id)) p.add(`${at}/block_id`, 'must be unique within the message');
    else blockIds.add(id);
  }
  switch (b['type']) {
    case 'header':
      return checkText(p, `${at}/text`, b['text'], LIMITS.headerText, ['plain_text']);
    case 'divider':
      return;
    case 'section': {
      const fields = b['fields'];
      if (b['text'] === undefined && fields === undefined) return p.add(at, 'must have text or fields');
      if (b['text'] !== undefined) checkText(p, `${at}/text`, b['text'], LIMITS.sectionText);
      if (fields !== undefined) {
        if (!Array.isArray(fields) || fields.length === 0 || fields.length > LIMITS.sectionFields) p.add(`${at}/fields`, `must hold 1 to ${LIMITS.sectionFields} items`);
        else fields.forEach((f, i) => checkText(p, `${at}/fields/${i}`, f, LIMITS.fieldText));
      }
      return;
    }
    case 'context': {
      const els = b['elements'];
      if (!Array.isArray(els) || els.length === 0 || els.length > LIMITS.contextElements) return p.add(`${at}/elements`, `must hold 1 to ${LIMITS.contextElements} items`);
      els.forEach((e, i) => checkText(p, `${at}/elements/${i}`, e, LIMITS.sectionText));
      return;
    }
    case 'actions': {
      const els = b['elements'];
      if (!Array.isArray(els) || els.length === 0 || els.length > LIMITS.actionsElements) return p.add(`${at}/elements`, `must hold 1 to ${LIMITS.actionsElements} items`);
      const seen = new Set<string>();
      els.forEach((e, i) => {
        if (!isObj(e) || e['type'] !== 'button') return p.add(`${at}/elements/${i}/type`, 'must be a button (the only element nightshift sends)');
        checkButton(p, `${at}/elements/${i}`, e, seen);
      });
      return;
    }
    case 'plan': {
      const title = b['title'];
      if (typeof title !== 'string' || title.length === 0 || title.length > LIMITS.planTitle) p.add(`${at}/title`, `must be a string of 1 to ${LIMITS.planTitle} characters`);
      const tasks = b['tasks'];
      if (tasks !== undefined && !Array.isArray(tasks)) return p.add(`${at}/tasks`, 'must be an array');
      (tasks as unknown[] | undefined)?.forEach((t, i) => checkTaskCard(p, `${at}/tasks/${i}`, t));
      return;
    }
    case 'task_card':
      return checkTaskCard(p, at, b);
    default:
      p.add(`${at}/type`, `unknown or unchecked block type ${JSON.stringify(b['type'])}`);
  }
}

/** Slack's messages for a message body that breaks Block Kit's limits; [] when it keeps them. */
export function blockKitProblems(args: Obj, opts: { maxBlocks?: number } = {}): string[] {
  const p = new Problems();
  const text = args['text'];
  if (typeof text === 'string' && text.length > LIMITS.fallbackText) p.add('/text', `must be less than ${LIMITS.fallbackText + 1} characters`);
  const blocks = typeof args['blocks'] === 'string' ? (JSON.parse(args['blocks']) as unknown) : args['blocks'];
  if (blocks === undefined) return p.list;
  if (!Array.isArray(blocks)) return (p.add('/blocks', 'must be an array'), p.list);
  const max = opts.maxBlocks ?? LIMITS.blocksPerMessage; // messages 50; modals and the Home tab 100
  if (blocks.length > max) p.add('/blocks', `must hold at most ${max} items`);
  const ids = new Set<string>();
  blocks.forEach((b, i) => checkBlock(p, `/blocks/${i}`, b, ids));
  const types = new Set(blocks.map((b) => (isObj(b) ? b['type'] : undefined)));
  if (types.has('plan') && types.has('task_card')) p.add('/blocks', 'must hold a plan block or task_card blocks, not both');
  return p.list;
}
