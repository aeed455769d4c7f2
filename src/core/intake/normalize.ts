// What comes before the request itself: a mention of the bot (Slack "<@U123>", "<@U123|nightshift>",
// Discord "<@!123>", plain "@nightshift") and the "/build" slash command, which is read as the verb
// "build" unless the text after it starts with its own verb or a label ("/build fix the login" → "fix the login").
import { stripNoise } from './noise.ts';
import { splitVerb } from './verbs.ts';

export interface NormalizedMessage {
  /** The message without mention or slash command, line breaks as \n, trimmed. */
  text: string;
  /** True when the message came as "/build ...": it is a request whatever its words. */
  explicitBuild: boolean;
}

const MENTION = /^(?:<@[!&]?[\w.-]+(?:\|[^>]*)?>|@[\w.-]+)[\s,:]*/;
const SLASH_BUILD = /^\/build\b[\s:]*/i;

export function normalizeMessage(raw: string): NormalizedMessage {
  let text = raw.replace(/\r\n?/g, '\n').trim();
  while (MENTION.test(text)) text = text.replace(MENTION, '').trim();
  if (!SLASH_BUILD.test(text)) return { text, explicitBuild: false };
  const rest = text.replace(SLASH_BUILD, '').trim();
  if (rest === '') return { text: '', explicitBuild: true };
  const { core, labeled } = stripNoise(rest);
  return { text: splitVerb(core) || labeled ? rest : `build ${rest}`, explicitBuild: true };
}
