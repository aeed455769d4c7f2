// Request verbs: a line is a request when it starts with one ("build", "fix", "set up"...).
// Words that are also chat or bot commands ("check", "show", "stop", "cancel", "retry") are left
// out on purpose so that they never become tasks.

const PHRASAL = [
  'set up', 'clean up', 'wire up', 'hook up', 'spin up', 'write up', 'tidy up', 'speed up', 'back up', 'look into',
  'figure out', 'try out', 'sort out', 'roll out', 'build out', 'flesh out', 'experiment with', 'get rid of',
  'put together', 'come up with', 'follow up on', 'play with', 'dig into', 'whip up', 'knock out', 'throw together',
  'hack together', 'code up', 'mock up', 'draw up', 'stand up', 'crank out', 'bang out', 'work on', 'take care of',
  'get started on', 'start on', 'tackle', 'knock up', 'cook up', 'put up',
];

const SINGLE = [
  'build', 'make', 'create', 'add', 'fix', 'implement', 'write', 'setup', 'refactor', 'update', 'upgrade', 'remove',
  'delete', 'migrate', 'deploy', 'ship', 'try', 'experiment', 'investigate', 'prototype', 'design', 'port',
  'rewrite', 'improve', 'optimize', 'optimise', 'integrate', 'connect', 'generate', 'convert', 'rename', 'move',
  'bump', 'debug', 'test', 'document', 'research', 'draft', 'change', 'replace', 'support', 'enable', 'disable',
  'install', 'configure', 'finish', 'polish', 'redo', 'translate', 'scaffold', 'automate', 'benchmark', 'profile',
  'extract', 'split', 'merge', 'patch', 'repair', 'resolve', 'handle', 'publish', 'release', 'review', 'hotfix',
  'do', 'develop', 'code', 'script', 'clean', 'tidy', 'audit', 'verify', 'validate', 'sketch', 'restyle',
  'redesign', 'rework', 'simplify', 'localize', 'localise', 'deprecate', 'archive', 'backfill', 'seed', 'spike',
  'explore', 'tweak', 'adjust', 'expose', 'embed', 'scrape', 'sync', 'package', 'containerize', 'dockerize', 'lint',
  'annotate', 'summarize', 'summarise', 'analyze', 'analyse', 'evaluate', 'measure', 'monitor', 'track', 'mock',
  'stub', 'ensure', 'set', 'run', 'schedule', 'import', 'export', 'restore', 'revert', 'bootstrap', 'initialize',
  'render', 'style', 'animate', 'theme', 'prepare', 'plan', 'outline', 'clone', 'fork', 'train', 'tune', 'harden',
  'secure', 'encrypt', 'sanitize', 'paginate', 'parse', 'cache', 'wire', 'hook', 'finalize', 'wrap',
  // Risky verbs are requests too: the safety check, not intake, decides that they wait for approval.
  'drop', 'truncate', 'wipe', 'purge', 'force-push', 'push', 'email', 'send', 'post', 'tweet', 'announce', 'invite',
  'pay', 'charge', 'notify',
];

const VERB = new RegExp(String.raw`^(${[...PHRASAL, ...SINGLE].map((v) => v.replace(' ', String.raw`\s+`)).join('|')})\b(?![-'’])`, 'i');

export interface VerbPhrase {
  /** The verb as written ("Set up"). */
  verb: string;
  /** What follows it, trimmed ("a staging server"). */
  object: string;
}

/** The leading request verb and its object, or null when the text does not start with one. */
export function splitVerb(text: string): VerbPhrase | null {
  const m = VERB.exec(text.trim());
  if (!m?.[1]) return null;
  return { verb: m[1], object: text.trim().slice(m[1].length).trim() };
}

/** Objects that point at a list below: "build these tonight:", "fix the following". */
const LIST_POINTER =
  /^(?:these|those|this|the\s+following|following|the\s+below|below|the\s+list\s+below|a\s+few|some|all\s+of\s+these|the\s+next\s+(?:few|\w+))(?:\s+\w+)?$/i;

export function pointsAtList(object: string): boolean {
  return object.trim() === '' || LIST_POINTER.test(object.trim());
}

/**
 * A lead line with no verb that only announces a list: "here's what I need:", "tasks:", "these three
 * things" (what is left of "these three things would be cool to have tomorrow").
 */
const LIST_NOUNS = new RegExp(
  String.raw`^(?:here(?:['’]s|\s+is|\s+are)\b.*|(?:(?:some|a\s+few|a\s+couple(?:\s+of)?|my|our|the|these|those|the\s+following|following|\d+|two|three|four|five|six|seven|eight|nine|ten|several)\s+)*(?:(?:more|other|small|quick|little|new|big|extra|[\w-]+)\s+)?(?:things|tasks|todos?|to-dos?|stuff|items|jobs|requests|work|features|ideas|fixes|bugs|changes|improvements|tweaks|wishes)(?:\s+(?:to\s+do|for\s+(?:tonight|tomorrow|today|you|later)))?)$`,
  'i',
);

export function announcesList(core: string): boolean {
  return core.trim() === '' || LIST_NOUNS.test(core.trim());
}

const COUNT = String.raw`(?:\d+|two|three|four|five|six|seven|eight|nine|ten|few|several)`;
/** "these", "those", "the following", maybe counted and named: "these three", "the following fixes". */
const PLURAL_POINTER = new RegExp(String.raw`^(?:these|those|the\s+following|following)(?:\s+${COUNT})?(?:\s+[\w-]+)?$`, 'i');
/** A list named and counted or pointed at: "these three things", "a few fixes", "3 small tasks". */
const COUNTED_LIST = new RegExp(
  String.raw`^(?:these|those|the\s+following|a\s+few|a\s+couple(?:\s+of)?|${COUNT})\s+(?:${COUNT}\s+)?(?:[\w-]+\s+)?(?:things|tasks|features|items|ideas|fixes|bugs|changes|improvements|tweaks|requests)(?:\s+(?:for|to)\s+\w+)?$`,
  'i',
);

/**
 * A lead that names a list in words, as a list written after a colon or as plain lines needs (a
 * bullet list does not): "these three things", "build these", "I need the following". Not "build
 * this app", "here are the logs", "my tasks for today", "some thoughts".
 */
export function namesList(core: string): boolean {
  const t = core.trim();
  if (t === '') return false;
  const verb = splitVerb(t);
  return verb ? PLURAL_POINTER.test(verb.object) : COUNTED_LIST.test(t) || PLURAL_POINTER.test(t);
}
