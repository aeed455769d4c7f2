// Checks a message body (create, edit, interaction reply, webhook message) against Discord's limits and
// returns the nested `errors` object of a 400 50035 "Invalid Form Body", or undefined when it passes.
// Limits are Discord's documented ones (a bot's `content` is capped at 2000, not the 4000 of Nitro
// users). Error codes and messages follow what the API answers, so discord.js flattens them into the
// same DiscordAPIError text the bot would log in production.
import type { FormErrors } from './api-errors.ts';
import { FLAG_IS_COMPONENTS_V2 } from './defaults.ts';

export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooterText: 2048,
  embedAuthorName: 256,
  embedTotal: 6000,
  actionRows: 5,
  rowWidth: 5,
  customId: 100,
  buttonLabel: 80,
  selectOptions: 25,
  componentsV2Total: 40,
  textDisplayTotal: 4000,
} as const;

type Path = Array<string | number>;
type Obj = Record<string, unknown>;

const BUTTON = 2;
const ACTION_ROW = 1;
const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);
const TEXT_DISPLAY = 10;
const LINK_STYLE = 5;
const PREMIUM_STYLE = 6;

class ErrorTree {
  readonly root: FormErrors = {};
  empty = true;

  add(path: Path, code: string, message: string): void {
    let node = this.root;
    for (const key of path) {
      const next = node[String(key)];
      if (next === undefined || Array.isArray(next)) node = node[String(key)] = {};
      else node = next;
    }
    const list = (node['_errors'] as Array<{ code: string; message: string }> | undefined) ?? [];
    list.push({ code, message });
    node['_errors'] = list;
    this.empty = false;
  }

  maxLength(path: Path, value: unknown, max: number): void {
    const length = typeof value === 'string' || Array.isArray(value) ? value.length : 0;
    if (length > max) this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  }
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * `flags` is the message's effective flags: the body's, or for an edit that leaves them out, the stored
 * message's (Components v2 is decided by the message, not by each edit).
 */
export function validateMessageBody(body: Obj, flags: number): FormErrors | undefined {
  const errors = new ErrorTree();
  const v2 = (flags & FLAG_IS_COMPONENTS_V2) !== 0;
  const content = body['content'];
  if (content !== undefined && content !== null) {
    if (typeof content !== 'string') errors.add(['content'], 'BASE_TYPE_STRING', `Could not interpret "${String(content)}" as string.`);
    else errors.maxLength(['content'], content, LIMITS.content);
    if (v2 && str(content) !== '') {
      errors.add(['content'], 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2', "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2");
    }
  }
  checkEmbeds(errors, body['embeds'], v2);
  checkComponents(errors, body['components'], v2);
  return errors.empty ? undefined : errors.root;
}

function checkEmbeds(errors: ErrorTree, embeds: unknown, v2: boolean): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) return errors.add(['embeds'], 'BASE_TYPE_ARRAY', 'Must be an array.');
  if (v2 && embeds.length > 0) {
    errors.add(['embeds'], 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2', "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2");
  }
  errors.maxLength(['embeds'], embeds, LIMITS.embeds);
  let total = 0;
  embeds.forEach((embed: unknown, i) => {
    if (!isObj(embed)) return errors.add(['embeds', i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    errors.maxLength(['embeds', i, 'title'], embed['title'], LIMITS.embedTitle);
    errors.maxLength(['embeds', i, 'description'], embed['description'], LIMITS.embedDescription);
    const footer = isObj(embed['footer']) ? embed['footer'] : {};
    const author = isObj(embed['author']) ? embed['author'] : {};
    errors.maxLength(['embeds', i, 'footer', 'text'], footer['text'], LIMITS.embedFooterText);
    errors.maxLength(['embeds', i, 'author', 'name'], author['name'], LIMITS.embedAuthorName);
    total += str(embed['title']).length + str(embed['description']).length + str(footer['text']).length + str(author['name']).length;
    const fields = Array.isArray(embed['fields']) ? (embed['fields'] as unknown[]) : [];
    errors.maxLength(['embeds', i, 'fields'], fields, LIMITS.embedFields);
    fields.forEach((field, j) => {
      const f = isObj(field) ? field : {};
      for (const key of ['name', 'value'] as const) {
        if (str(f[key]) === '') errors.add(['embeds', i, 'fields', j, key], 'BASE_TYPE_REQUIRED', 'This field is required');
      }
      errors.maxLength(['embeds', i, 'fields', j, 'name'], f['name'], LIMITS.embedFieldName);
      errors.maxLength(['embeds', i, 'fields', j, 'value'], f['value'], LIMITS.embedFieldValue);
      total += str(f['name']).length + str(f['value']).length;
    });
  });
  // The 6000-character budget is shared by every embed of the message.
  if (total > LIMITS.embedTotal) errors.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${LIMITS.embedTotal}`);
}

function checkComponents(errors: ErrorTree, components: unknown, v2: boolean): void {
  if (components === undefined || components === null) return;
  if (!Array.isArray(components)) return errors.add(['components'], 'BASE_TYPE_ARRAY', 'Must be an array.');
  const seenCustomIds = new Set<string>();
  if (v2) {
    if (countComponents(components) > LIMITS.componentsV2Total) {
      errors.add(['components'], 'BASE_TYPE_MAX_LENGTH', `Must be ${LIMITS.componentsV2Total} or fewer in length.`);
    }
    if (textDisplayLength(components) > LIMITS.textDisplayTotal) {
      errors.add(['components'], 'MAX_TEXT_DISPLAY_LENGTH_EXCEEDED', `Total text display length must be ${LIMITS.textDisplayTotal} or fewer.`);
    }
  } else {
    errors.maxLength(['components'], components, LIMITS.actionRows);
  }
  components.forEach((c: unknown, i) => {
    if (!v2 && (!isObj(c) || c['type'] !== ACTION_ROW)) {
      return errors.add(['components', i], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).');
    }
    checkComponent(errors, c, ['components', i], seenCustomIds);
  });
}

/** One component and, for layouts (rows, containers, sections), the components inside it. */
function checkComponent(errors: ErrorTree, c: unknown, path: Path, seen: Set<string>): void {
  if (!isObj(c)) return errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
  const type = c['type'];
  if (type === ACTION_ROW) checkRow(errors, c, path);
  if (type === BUTTON) checkButton(errors, c, path);
  if (typeof type === 'number' && SELECT_TYPES.has(type)) {
    if (type === 3) {
      const options = Array.isArray(c['options']) ? c['options'] : [];
      if (options.length === 0) errors.add([...path, 'options'], 'BASE_TYPE_MIN_LENGTH', 'Must be 1 or more in length.');
      errors.maxLength([...path, 'options'], options, LIMITS.selectOptions);
    }
    checkCustomId(errors, c['custom_id'], [...path, 'custom_id'], true);
  }
  const customId = c['custom_id'];
  if (typeof customId === 'string' && customId !== '') {
    if (seen.has(customId)) errors.add([...path, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
    seen.add(customId);
  }
  if (Array.isArray(c['components'])) {
    c['components'].forEach((child: unknown, j) => checkComponent(errors, child, [...path, 'components', j], seen));
  }
  if (c['accessory'] !== undefined) checkComponent(errors, c['accessory'], [...path, 'accessory'], seen);
}

function checkRow(errors: ErrorTree, row: Obj, path: Path): void {
  const children = Array.isArray(row['components']) ? (row['components'] as unknown[]) : [];
  if (children.length === 0) return errors.add([...path, 'components'], 'BASE_TYPE_MIN_LENGTH', 'Must be 1 or more in length.');
  errors.maxLength([...path, 'components'], children, LIMITS.rowWidth);
  // A select menu takes the whole width of its row.
  const hasSelect = children.some((child) => isObj(child) && typeof child['type'] === 'number' && SELECT_TYPES.has(child['type']));
  if (hasSelect && children.length > 1) {
    errors.add([...path, 'components'], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
  }
}

function checkButton(errors: ErrorTree, button: Obj, path: Path): void {
  const style = button['style'];
  if (typeof style !== 'number' || style < 1 || style > 6) {
    errors.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
  }
  errors.maxLength([...path, 'label'], button['label'], LIMITS.buttonLabel);
  if (style === LINK_STYLE) {
    if (str(button['url']) === '') errors.add([...path, 'url'], 'BUTTON_COMPONENT_URL_REQUIRED', 'A url is required');
    if (button['custom_id'] !== undefined) errors.add([...path, 'custom_id'], 'BUTTON_COMPONENT_INVALID_FIELD', 'A custom id cannot be used with a link button');
  } else if (style !== PREMIUM_STYLE) {
    checkCustomId(errors, button['custom_id'], [...path, 'custom_id'], true);
  }
}

function checkCustomId(errors: ErrorTree, customId: unknown, path: Path, required: boolean): void {
  if (customId === undefined || customId === null) {
    if (required) errors.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  const length = str(customId).length;
  if (length < 1 || length > LIMITS.customId) errors.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${LIMITS.customId} in length.`);
}

function countComponents(list: unknown[]): number {
  let n = 0;
  for (const c of list) {
    if (!isObj(c)) continue;
    n += 1;
    if (Array.isArray(c['components'])) n += countComponents(c['components'] as unknown[]);
    if (c['accessory'] !== undefined) n += countComponents([c['accessory']]);
  }
  return n;
}

function textDisplayLength(list: unknown[]): number {
  let n = 0;
  for (const c of list) {
    if (!isObj(c)) continue;
    if (c['type'] === TEXT_DISPLAY) n += str(c['content']).length;
    if (Array.isArray(c['components'])) n += textDisplayLength(c['components'] as unknown[]);
  }
  return n;
}

/** Discord refuses (50006) a message left with no content, no embeds, no components and no attachments. */
export function isEmptyMessage(m: { content: string; embeds: unknown[]; components: unknown[]; attachments?: unknown[] }): boolean {
  return m.content === '' && m.embeds.length === 0 && m.components.length === 0 && (m.attachments?.length ?? 0) === 0;
}
