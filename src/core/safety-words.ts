// The word lists and fixed patterns behind core/safety.ts. Data only: the grammar that decides
// whether a listed word is an action by the agent or the name of a thing being built lives in
// safety.ts, and docs/safety.md explains both. Every entry is lower case.

export type ActionKind = 'destructive' | 'external';

/** A verb that triggers a reason when used as an action. `forms` are matched whole-word. */
export interface VerbEntry {
  lemma: string;
  kind: ActionKind;
  /** Base, third person and -ing forms: judged by their position in the clause. */
  forms: readonly string[];
  /** Past participles: only a trigger after is/are/be/get ("the old tables are dropped"). */
  past: readonly string[];
  /** Only a trigger when its object names data (remove/clear/reset "the database", not "the form"). */
  needsDataObject?: boolean;
  /** Extra words that make the verb a noun modifier when they follow it ("deploy key", "release notes"). */
  heads?: readonly string[];
}

const verb = (
  lemma: string,
  kind: ActionKind,
  forms: readonly string[],
  past: readonly string[],
  more: Partial<Pick<VerbEntry, 'needsDataObject' | 'heads'>> = {},
): VerbEntry => ({ lemma, kind, forms: [lemma, ...forms], past, ...more });

export const VERBS: readonly VerbEntry[] = [
  // Destructive: the agent would lose data or history that git in its worktree cannot bring back.
  verb('delete', 'destructive', ['deletes', 'deleting'], ['deleted'], { heads: ['key'] }),
  verb('drop', 'destructive', ['drops', 'dropping'], ['dropped'], { heads: ['shadow', 'zone', 'area', 'target', 'support', 'in'] }),
  verb('wipe', 'destructive', ['wipes', 'wiping'], ['wiped'], { heads: ['animation', 'transition', 'effect'] }),
  verb('purge', 'destructive', ['purges', 'purging'], ['purged']),
  verb('destroy', 'destructive', ['destroys', 'destroying'], ['destroyed'], { heads: ['hook', 'lifecycle'] }),
  verb('overwrite', 'destructive', ['overwrites', 'overwriting'], ['overwritten', 'overwrote'], {
    heads: ['protection', 'warning', 'prompt', 'check'],
  }),
  verb('revoke', 'destructive', ['revokes', 'revoking'], ['revoked']),
  verb('erase', 'destructive', ['erases', 'erasing'], ['erased']),
  verb('nuke', 'destructive', ['nukes', 'nuking'], ['nuked']),
  verb('obliterate', 'destructive', ['obliterates', 'obliterating'], ['obliterated']),
  verb('prune', 'destructive', ['prunes', 'pruning'], ['pruned']),
  verb('truncate', 'destructive', ['truncates', 'truncating'], ['truncated'], { needsDataObject: true }),
  verb('remove', 'destructive', ['removes', 'removing'], ['removed'], { needsDataObject: true }),
  verb('clear', 'destructive', ['clears', 'clearing'], ['cleared'], { needsDataObject: true }),
  verb('reset', 'destructive', ['resets', 'resetting'], [], { needsDataObject: true }),
  verb('clean', 'destructive', ['cleans', 'cleaning'], [], { needsDataObject: true }),
  verb('empty', 'destructive', ['empties', 'emptying'], ['emptied'], { needsDataObject: true }),
  // External: it reaches people, money or systems outside the repository.
  verb('deploy', 'external', ['deploys', 'deploying', 'redeploy', 'redeploys', 're-deploy'], ['deployed', 'redeployed'], {
    heads: ['key', 'keys', 'target', 'targets', 'environment', 'status', 'log', 'logs', 'config', 'script', 'workflow', 'pipeline', 'job', 'step', 'hook'],
  }),
  verb('publish', 'external', ['publishes', 'publishing', 'republish', 're-publish'], ['published'], {
    heads: ['settings', 'workflow', 'script', 'config'],
  }),
  verb('release', 'external', ['releases', 'releasing'], ['released'], {
    heads: ['notes', 'note', 'branch', 'process', 'checklist', 'workflow', 'pipeline', 'channel', 'script', 'candidate', 'tag', 'tags'],
  }),
  verb('launch', 'external', ['launches', 'launching'], ['launched'], { heads: ['checklist', 'plan', 'config', 'configuration'] }),
  verb('post', 'external', ['posts', 'posting'], ['posted'], {
    heads: ['body', 'title', 'list', 'author', 'id', 'content', 'editor', 'type', 'slug', 'feed', 'detail', 'details', 'preview', 'thumbnail', 'office', 'mortem', 'processing', 'production', 'install', 'build'],
  }),
  verb('tweet', 'external', ['tweets', 'tweeting'], ['tweeted'], { heads: ['embed', 'card'] }),
  verb('email', 'external', ['emails', 'emailing', 'e-mail', 'e-mails'], ['emailed'], {
    heads: ['address', 'addresses', 'updates', 'notification', 'notifications', 'digest', 'newsletter', 'verification', 'preferences', 'provider', 'service', 'client', 'server', 'domain', 'format', 'body', 'subject', 'list', 'signup', 'login', 'column', 'sender', 'queue', 'alerts', 'alert'],
  }),
  verb('send', 'external', ['sends', 'sending', 'resend', 'resends', 're-send'], ['sent', 'resent']),
  verb('notify', 'external', ['notifies', 'notifying'], ['notified']),
  verb('announce', 'external', ['announces', 'announcing'], ['announced']),
  verb('invite', 'external', ['invites', 'inviting'], ['invited'], { heads: ['code', 'codes', 'token', 'email', 'list'] }),
  verb('pay', 'external', ['pays', 'paying'], ['paid'], { heads: ['period', 'rate', 'stub', 'grade', 'slip', 'wall', 'gate', 'per'] }),
  verb('charge', 'external', ['charges', 'charging'], ['charged'], { heads: ['amount', 'id', 'history', 'level', 'indicator'] }),
  verb('refund', 'external', ['refunds', 'refunding'], ['refunded'], { heads: ['policy', 'amount', 'request', 'requests'] }),
  verb('buy', 'external', ['buys', 'buying'], ['bought'], { heads: ['box'] }),
  verb('purchase', 'external', ['purchases', 'purchasing'], ['purchased'], { heads: ['history', 'order', 'summary'] }),
  verb('upload', 'external', ['uploads', 'uploading'], ['uploaded'], { heads: ['limit', 'size', 'progress', 'url', 'zone', 'area'] }),
  verb('unpublish', 'external', ['unpublishes', 'unpublishing'], ['unpublished']),
  verb('dm', 'external', ['dms'], []),
];

/** Nouns that, as the last word of the phrase after a trigger, make the trigger a modifier: "send button". */
export const THING_HEADS: ReadonlySet<string> = new Set([
  'button', 'component', 'dialog', 'modal', 'icon', 'menu', 'field', 'form', 'endpoint', 'handler', 'route',
  'page', 'confirmation', 'validation', 'validator', 'template', 'flag', 'option', 'toggle', 'switch',
  'checkbox', 'link', 'label', 'tooltip', 'popup', 'popover', 'banner', 'screen', 'view', 'panel', 'tab',
  'card', 'widget', 'input', 'box', 'bar', 'toolbar', 'sidebar', 'callback', 'listener', 'controller',
  'middleware', 'regex', 'pattern', 'logic', 'feature', 'flow', 'action', 'mutation', 'request', 'method',
  'helper', 'date', 'time', 'timestamp', 'status', 'count', 'counter', 'setting', 'permission', 'shortcut',
  'hotkey', 'animation', 'ui', 'ux', 'modifier', 'dropdown', 'header', 'footer', 'section', 'area', 'zone',
  'type', 'model', 'resolver', 'query', 'param', 'parameter', 'payload', 'response', 'test', 'spec', 'story',
  'util', 'utility', 'module', 'class', 'interface', 'prop', 'property', 'attribute', 'url', 'uri', 'call',
  'operation', 'policy', 'capability', 'control', 'confirm', 'prompt', 'warning', 'step', 'wizard', 'cta',
]);

/** People who use the product: "users can delete", "let admins revoke", "once the user logs in". */
export const PEOPLE: ReadonlySet<string> = new Set([
  'user', 'customer', 'admin', 'administrator', 'visitor', 'member', 'people', 'someone', 'anyone', 'player',
  'buyer', 'seller', 'author', 'editor', 'moderator', 'viewer', 'reader', 'guest', 'client', 'subscriber',
  'owner', 'attendee', 'student', 'teacher', 'patient', 'employee', 'manager', 'tenant', 'host',
]);
/** Parts of the product that act on their own: "a cron job that deletes old rows", "the app should email". */
export const SYSTEMS: ReadonlySet<string> = new Set([
  'app', 'site', 'website', 'service', 'server', 'backend', 'frontend', 'system', 'bot', 'worker', 'job',
  'cron', 'daemon', 'lambda', 'extension', 'plugin', 'spinner', 'toast', 'integration', 'webhook',
]);

/** Objects that make remove/clear/reset/empty/truncate destructive, and passives about them ("the table is dropped"). */
export const DATA_NOUNS: ReadonlySet<string> = new Set([
  'database', 'db', 'table', 'data', 'dataset', 'record', 'row', 'backup', 'bucket', 'account', 'collection',
  'volume', 'branch', 'repo', 'repository', 'history', 'log', 'production', 'prod', 'customer', 'user',
  'secret', 'credential', 'deployment', 'cluster', 'server', 'instance', 'schema', 'migration', 'queue',
  'topic', 'namespace', 'environment', 'dns', 'snapshot', 'disk', 'webhook', 'storage', 'blob', 'release',
]);
/**
 * Containers whose loss a passive always reports, even in a sentence about the product:
 * "the users table should be dropped", "the old migrations folder is deleted".
 */
export const CONTAINERS: ReadonlySet<string> = new Set([
  'database', 'db', 'table', 'schema', 'collection', 'bucket', 'backup', 'branch', 'repo', 'repository',
  'folder', 'directory', 'file', 'migration', 'production', 'prod', 'cluster', 'deployment', 'volume',
  'environment', 'namespace', 'snapshot', 'disk', 'tag', 'release', 'secret', 'credential', 'key', 'token',
  'webhook', 'dns', 'log',
]);

/** The word before a trigger makes it a verb: clause openers, coordinators, modals, "to", subjects. */
export const VERB_BEFORE: ReadonlySet<string> = new Set([
  'and', 'then', 'or', 'plus', 'to', 'please', 'pls', 'plz', 'kindly', 'also', 'just', 'now', 'first', 'finally',
  'next', 'lastly', 'afterwards', 'later', 'then,', 'should', 'must', 'can', 'could', 'will', 'would', 'shall',
  'may', 'might', "i'll", "we'll", "you'll", 'you', 'we', 'i', 'u', "let's", 'lets', 'that', 'which', 'who',
  'before', 'after', 'go', 'gotta', 'ok', 'okay', 'hey', 'hi', 'yes', 'sure', 'so', 'btw', 'asap', 'tonight',
  'today', 'tomorrow', 'eod', 'again', 'immediately', 'automatically', 'always', 'both', 'either', 'still',
]);

/** Determiners and adjectives that only come before nouns: "a delete button", "the POST endpoint". */
export const DETERMINERS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'this', 'these', 'those', 'our', 'my', 'your', 'their', 'its', 'his', 'her', 'each',
  'every', 'some', 'any', 'all', 'many', 'more', 'most', 'several', 'few', 'another', 'other', 'new', 'old',
  'existing', 'current', 'same', 'custom', 'bulk', 'soft', 'optional', 'default', 'primary', 'secondary',
  'whose', 'extra', 'single', 'multiple', 'last', 'recent', 'latest', 'scheduled', 'draft', 'no',
]);

/** Building verbs: what follows them is the thing built ("add email validation", "implement delete"). */
export const BUILD_VERBS: ReadonlySet<string> = new Set([
  'add', 'adds', 'adding', 'build', 'building', 'create', 'creating', 'implement', 'implementing', 'make',
  'design', 'style', 'restyle', 'render', 'show', 'display', 'hide', 'fix', 'improve', 'refactor', 'rename',
  'update', 'support', 'handle', 'wire', 'mock', 'stub', 'test', 'debug', 'validate', 'translate', 'localize',
  'redesign', 'rework', 'polish', 'tweak', 'center', 'align', 'move', 'animate', 'enable', 'disable', 'extend',
  'write', 'document', 'log', 'track', 'count', 'list', 'sort', 'filter', 'paginate', 'fetch', 'load', 'cache',
  'speed', 'optimize', 'optimise', 'finish', 'change', 'prototype', 'scaffold', 'sketch', 'mockup', 'wireframe',
]);

/** Prepositions that take a noun: "tests for delete", "on delete cascade", "notify by email". */
export const NOUN_PREPOSITIONS: ReadonlySet<string> = new Set([
  'for', 'of', 'on', 'in', 'with', 'without', 'about', 'via', 'per', 'by', 'from', 'at', 'like', 'than', 'as',
  'into', 'onto', 'under', 'over', 'between', 'inside', 'within',
]);

/** Verbs that describe what the product does on screen; a sentence with one describes the product. */
export const RENDER_VERBS: ReadonlySet<string> = new Set([
  'show', 'shows', 'display', 'displays', 'render', 'renders', 'hide', 'hides', 'disable', 'disables',
  'enable', 'enables', 'redirect', 'redirects', 'fade', 'fades', 'animate', 'poll', 'polls', 'refresh',
  'refreshes', 'reload', 'reloads', 'load', 'loads', 'fetch', 'fetches', 'toggle', 'toggles', 'highlight',
  'appear', 'appears', 'greyed', 'grayed', 'spin', 'spins', 'unlock', 'unlocks', 'retry', 'retries',
]);

/** Words after a trigger that make it a verb with an object: "delete the", "email all", "deploy it". */
export const OBJECT_AFTER: ReadonlySet<string> = new Set([
  'the', 'all', 'every', 'each', 'them', 'it', 'this', 'these', 'those', 'our', 'my', 'your', 'their', 'his',
  'her', 'everyone', 'everybody', 'everything', 'any', 'an', 'a', 'out', 'away',
]);

/** A trigger used by the product: "users can delete", "a button that sends", "allow admins to revoke". */
export const ACTOR_LINKS: ReadonlySet<string> = new Set([
  'can', 'could', 'may', 'might', 'will', 'would', 'should', 'must', 'shall', 'to', 'able', 'be', 'that',
  'which', 'who', "can't", 'cannot', "won't", "shouldn't",
]);
/** Words passed over, without deciding anything, when reading back from a trigger. */
export const TRANSPARENT: ReadonlySet<string> = new Set([
  'also', 'then', 'just', 'only', 'always', 'ever', 'even', 'still', 'now', 'later', 'first', 'again', 'instead',
]);
export const LETTING_VERBS: ReadonlySet<string> = new Set([
  'let', 'lets', 'letting', 'allow', 'allows', 'allowing', 'enable', 'enables', 'enabling', 'help', 'helps',
  'make', 'makes', 'so', 'where', 'when', 'whenever', 'until', 'if',
]);

/** A negation just before a trigger: "don't deploy", "never force-push", "without deleting". */
export const NEGATIONS: ReadonlySet<string> = new Set([
  'not', 'never', "don't", 'dont', 'don’t', "doesn't", 'doesnt', "shouldn't", "mustn't", "won't", "can't",
  'cannot', 'without', 'avoid', 'avoiding', 'no', 'nor', "didn't", "isn't", "aren't", 'stop',
]);

/** Auxiliaries that turn a past participle into a request: "the old tables are dropped". */
export const BE_AUX: ReadonlySet<string> = new Set([
  'is', 'are', 'was', 'were', 'be', 'been', 'being', 'get', 'gets', 'got', 'gotten', 'getting',
]);

/** Words before a quoted string that make it a label: a button labelled 'Delete everything'. */
export const LABEL_BEFORE: ReadonlySet<string> = new Set([
  'labelled', 'labeled', 'called', 'named', 'titled', 'saying', 'says', 'reads', 'reading', 'text', 'label',
  'caption', 'placeholder', 'heading', 'title', 'message', 'tooltip', 'prompt', 'a', 'an', 'the', 'with',
]);

/** Where an action goes when it leaves the repository: "to npm", "to #general", "to prod". */
export const DESTINATIONS: ReadonlySet<string> = new Set([
  'prod', 'production', 'live', 'staging', 'npm', 'pypi', 'crates.io', 'rubygems', 'github', 'gitlab',
  'main', 'master', 'trunk', 'origin', 'remote', 'upstream', 'slack', 'discord', 'twitter', 'x', 'linkedin',
  'facebook', 'instagram', 'mastodon', 'bluesky', 'reddit', 'blog', 'channel', 'customers', 'users',
  'subscribers', 'everyone', 'team', 'list', 's3', 'cdn', 'registry', 'dockerhub', 'store', 'testflight',
  'vercel', 'netlify', 'heroku', 'fly', 'cloudflare', 'aws', 'gcp', 'azure', 'kubernetes', 'k8s', 'cluster',
  'server', 'servers', 'clients', 'partners', 'investors', 'stakeholders', 'public', 'world', 'company',
  'marketplace', 'devs', 'developers', 'mailing', 'newsletter', 'all',
]);

/** Words that end the quoted object of a trigger: "delete the logs | and then ...". */
export const QUOTE_STOP: ReadonlySet<string> = new Set([
  'and', 'then', 'but', 'or', 'so', 'because', 'since', 'by', 'before', 'until', 'till', 'tonight', 'today',
  'tomorrow', 'asap', 'when', 'once', 'if', 'after', 'please', 'pls', 'while', 'unless', 'plus', 'also',
  'eod', 'first', 'now',
]);
/** Words trimmed from the end of a quote: "email the customers about" → "email the customers". */
export const QUOTE_TRIM: ReadonlySet<string> = new Set([
  'the', 'a', 'an', 'to', 'of', 'about', 'for', 'with', 'on', 'in', 'at', 'from', 'into', 'our', 'my', 'your',
  'their', 'some', 'any', 'is', 'are', 'be', 'up', 'its', 'as',
]);

/** Hyphen-free compounds and phrases in which a trigger word names a thing. Matched on lower-cased words. */
export const SAFE_PHRASES: readonly (readonly string[])[] = [
  ['drag', 'and', 'drop'],
  ['drag', '&', 'drop'],
  ['drag', 'n', 'drop'],
  ['drop', 'down'],
  ['post', 'processing'],
  ['post', 'mortem'],
  ['post', 'install'],
  ['apple', 'pay'],
  ['google', 'pay'],
  ['clear', 'button'],
];

// ---- vagueness -------------------------------------------------------------------------------

/** Words that name no work: what is left of "please build it by tonight" once these go is nothing. */
export const VAGUE_FILLER: ReadonlySet<string> = new Set([
  // pronouns, determiners, function words
  'it', "it's", 'its', 'this', 'that', 'these', 'those', 'them', 'they', 'one', 'ones', 'the', 'a', 'an', 'some',
  'any', 'all', 'me', 'us', 'we', 'i', 'you', 'u', 'my', 'our', 'your', 'of', 'for', 'to', 'in', 'on', 'at', 'by',
  'with', 'up', 'out', 'off', 'and', 'or', 'so', 'as', 'is', 'are', 'be', 'was', 'what', 'which', 'there', 'here',
  'can', 'could', 'would', 'will', 'should', 'must', "let's", 'lets', 'let', 'need', 'needs', 'want', 'wanna',
  'gotta', 'just', 'also', 'too', 'again', 'now', 'right', 'away', 'really', 'real', 'properly', 'somehow',
  'else', 'else.', 'same', 'usual', 'rest', 'whatever', 'etc', 'already', 'other', 'more', 'before', 'after',
  'we', 'discussed', 'mentioned', 'talked', 'said', 'agreed', 'earlier', 'yesterday', 'last', 'like', 'about',
  // politeness and chat
  'please', 'pls', 'plz', 'thanks', 'thx', 'ty', 'ok', 'okay', 'hey', 'hi', 'hello', 'yo', 'bot', 'nightshift',
  'kindly', 'sure', 'ensure', 'go', 'ahead', 'quick', 'quickly', 'fast', 'soon', 'urgent', 'urgently', 'asap', 'priority',
  'high', 'low', 'medium', 'prio', 'important', 'rush', 'no', 'when', 'get', 'chance', 'time', 'whenever',
  // deadline words
  'tonight', 'today', 'tomorrow', 'morning', 'evening', 'night', 'noon', 'midnight', 'eod', 'eow', 'end', 'day',
  'week', 'next', 'until', 'till', 'am', 'pm', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday',
  'saturday', 'sunday', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'o\'clock', 'latest', 'hour', 'hours',
  'minutes', 'first', 'test', 'check', 'review', 'polish', 'tidy', 'cleanup', 'better', 'faster', 'nicer',
  'cleaner', 'good', 'great', 'nice', 'correct', 'correctly', 'perfect', 'pretty', 'happen', 'possible',
  // generic verbs
  'build', 'do', 'does', 'doing', 'done', 'make', 'making', 'fix', 'create', 'implement', 'add', 'finish',
  'complete', 'work', 'works', 'working', 'update', 'handle', 'sort', 'tackle', 'ship', 'start', 'continue',
  'try', 'look', 'take', 'care', 'wrap', 'clean', 'run', 'sorted', 'ready', 'finished', 'happen', 'deal',
  'improve', 'change', 'redo', 'rebuild', 'refactor', 'solve', 'resolve', 'setup', 'set', 'get', 'got',
  // generic nouns
  'thing', 'things', 'stuff', 'something', 'anything', 'everything', 'bit', 'bits', 'part', 'piece', 'bug',
  'bugs', 'issue', 'issues', 'problem', 'problems', 'error', 'errors', 'task', 'tasks', 'job', 'code', 'app',
  'project', 'feature', 'features', 'change', 'changes', 'item', 'items', 'whole', 'lot', 'tweaks', 'tweak',
]);

// ---- low priority ----------------------------------------------------------------------------

/** Phrases quoted back when the task is low priority and the text says so. */
export const LOW_PRIORITY_PHRASES: readonly RegExp[] = [
  /\blow[- ]?prio(?:rity)?\b/i,
  /\bno rush\b/i,
  /\bnot urgent\b/i,
  /\bwhenever\b(?: you (?:get|have) (?:a chance|time))?/i,
  /\bwhen you (?:get|have) (?:a chance|time)\b/i,
  /\bnice to have\b/i,
  /\bsomeday\b/i,
  /\beventually\b/i,
];

// ---- fixed patterns --------------------------------------------------------------------------
// Commands and phrases that are actions wherever they appear (only a negation just before them,
// "never force-push", lifts them). Matched case-insensitively on the raw text.

export interface ActionPattern {
  kind: ActionKind;
  re: RegExp;
  /** Commands take an argument into the quote: "rm -rf ./build". */
  command?: boolean;
}

const d = (re: RegExp, command = false): ActionPattern => ({ kind: 'destructive', re, command });
const x = (re: RegExp, command = false): ActionPattern => ({ kind: 'external', re, command });

export const ACTION_PATTERNS: readonly ActionPattern[] = [
  d(/(?<![\w-])rm(?:\s+-{1,2}[a-z][a-z-]*)+|(?<![\w-])rm\s+(?=[./~]|[\w-]+\/)/gi, true),
  d(/\bforce[-\s]?push(?:ed|es|ing)?\b/gi),
  d(/\bgit\s+push\b[^\n`.;,]*?(?:--force(?:-with-lease)?|(?<![\w-])-f)(?![\w-])/gi),
  d(/\bpush\s+(?:--force(?:-with-lease)?|-f)(?![\w-])/gi),
  d(/\b(?:git\s+)?reset\s+--hard\b/gi, true),
  d(/\bgit\s+clean\s+-[a-z]*f[a-z]*/gi),
  d(/\bgit\s+branch\s+(?:-d|--delete)(?![\w-])/gi, true),
  d(/\bgit\s+push\s+\S+\s+(?:--delete|:)/gi, true),
  d(/\bgit\s+filter-(?:branch|repo)\b/gi),
  d(/\bdrop\s+(?:table|database|schema|collection|column|index|view)\b(?:\s+if\s+exists)?/gi, true),
  d(/\bdrop\s+(?:(?:the|all|our|my|this|that)\s+)?(?:[\w.-]+\s+){0,2}?(?:tables?|databases?|db|dbs|schemas?|collections?|columns?)\b/gi),
  d(/\btruncate\s+table\b/gi, true),
  d(/\bdelete\s+from\s+[\w."`]+/gi),
  d(/\bmigrat(?:e|ing)\s+(?:the\s+)?(?:prod|production|live)\b(?:\s+(?:db|database|data))?/gi),
  d(/\b(?:prod|production|live)\s+(?:db\s+|database\s+)?migrations?\b/gi),
  d(/\b(?:run|apply|running|applying)\s+(?:the\s+)?(?:[\w-]+\s+)?migrations?\s+(?:on|against|in|to)\s+(?:the\s+)?(?:prod|production|live)\b/gi),
  d(/\bterraform\s+destroy\b/gi),
  d(/\bkubectl\s+delete\b/gi, true),
  d(/\bdocker\s+(?:(?:system|volume|image|container|network)\s+)?prune\b/gi),
  d(/\bflush(?:all|db)\b/gi),
  d(/\bdropdb\b/gi, true),
  d(/\bheroku\s+pg:reset\b/gi),
  d(/\baws\s+s3\s+rm\b/gi, true),
  d(/\bgh\s+repo\s+delete\b/gi, true),
  x(/\b(?:npm|yarn|pnpm|bun|cargo|gem|twine|poetry|flit|hatch|mvn|gradle)\s+(?:publish|upload|push|deploy|release)\b/gi),
  x(/\b(?:vercel|netlify|firebase|fly|flyctl|heroku|wrangler|serverless|sls|cdk|sam|amplify|surge|railway)\s+(?:deploy|publish|release|--prod)\b/gi),
  x(/\b(?:terraform|tofu|pulumi)\s+(?:apply|up)\b/gi),
  x(/\bkubectl\s+(?:apply|rollout|scale|create)\b/gi),
  x(/\bhelm\s+(?:install|upgrade)\b/gi),
  x(/\bdocker\s+push\b/gi, true),
  x(/\bgh\s+(?:release\s+create|pr\s+merge)\b/gi),
  x(/\bgit\s+push\b/gi, true),
  x(/\bgit\s+merge\b/gi, true),
  x(/\bmerge\s+(?:(?:it|this|that|them|everything)\s+|(?:the|this|that|my|our)\s+(?:[\w#-]+\s+){0,2}?)?(?:in)?to\s+(?:the\s+)?(?:main|master|trunk|develop|dev|prod|production|release|default\s+branch)\b/gi),
  x(/\bmerge\s+(?:the|this|that|my|our)\s+(?:pr|pull\s+request|mr)\b/gi),
  x(/\bmerge\s+(?:pr\s*)?#\d+/gi),
  x(/\bpush\s+(?:(?:it|this|that|them|everything)\s+|(?:the|my|our|all|these)\s+(?:[\w-]+\s+){0,2}?)?(?:to|into)\s+(?:the\s+)?(?:main|master|trunk|origin|prod|production|live|remote|github|gitlab|upstream)\b/gi),
  x(/\bpush\s+(?:it\s+|this\s+)?live\b/gi),
  x(/\bgo(?:es|ing)?\s+live\b/gi),
  x(/\b(?:make|put|take)\s+(?:it|this|them|that)\s+live\b/gi),
  x(/\b(?:write|draft|compose|prepare)\s+(?:(?:an?|the|our)\s+)?(?:[\w-]+\s+)?(?:e-?mails?|tweets?|posts?|newsletters?|announcements?|messages?)\s+to\s+(?:(?:all|the|our)\s+)?(?:customers|users|subscribers|everyone|team|clients|partners|investors|list|#\S+|@\S+)/gi),
  x(/\bsubmit\s+(?:[\w-]+\s+){0,3}?to\s+(?:the\s+)?(?:app\s+store|play\s+store|google\s+play|testflight|hacker\s+news|product\s+hunt)\b/gi),
];

// ---- blockers --------------------------------------------------------------------------------

/**
 * How sure a blocker phrase is. `always`: it means waiting in any sentence ("blocked on").
 * `work`: it reads as product behaviour in a sentence about the product ("show a spinner while
 * waiting for the response"), so it counts only when the sentence has no user and no on-screen verb.
 * `subject`: "depends on" counts only for the task itself ("this depends on", "depends on" at the
 * start), not for product logic ("the price depends on the country").
 * `need`: a missing key or access counts like `work`, and not when the product is the one needing
 * it ("the endpoint requires an API key") or the "key" is a thing built ("needs a password field").
 */
export type BlockerStrength = 'always' | 'work' | 'subject' | 'need';
export interface BlockerPattern {
  re: RegExp;
  strength: BlockerStrength;
}

/** Completion words in "after/once/when X is <word>": the first group always, the rest like `work`. */
const DONE_STRONG = 'merged|landed|lands|land|shipped|ships|signed\\s+off|approved|reviewed|unblocked';
const DONE_WEAK = 'ready|done|finished|finishes|complete|completed|completes|available|in|live|deployed|released|fixed|resolved|sorted|published|provisioned|set\\s+up';
const until = (done: string): RegExp =>
  new RegExp(
    `\\b(?:after|once|when|until|till|as\\s+soon\\s+as)\\s+(?<what>(?:[^\\s.,;:!?()]+\\s+){1,6}?)(?:(?:is|are|gets?|got|has\\s+been|have\\s+been|was|were)\\s+)?(?:${done})\\b`,
    'gi',
  );

export const BLOCKER_PATTERNS: readonly BlockerPattern[] = [
  { re: /\bblocked\s+(?:on|by|until|till)\b/gi, strength: 'always' },
  { re: /\bwaiting\s+(?:for|on|until|till)\b/gi, strength: 'work' },
  { re: /\bwait\s+(?:for|until|till|on)\b/gi, strength: 'work' },
  { re: /\b(?:hold\s+off|don'?t\s+start|do\s+not\s+start|can'?t\s+start|cannot\s+start|not\s+until)\b/gi, strength: 'always' },
  { re: /\b(?:depends?|dependent)\s+on\b/gi, strength: 'subject' },
  { re: /\bpending\s+(?:on|review|approval|sign-?off|merge)\b/gi, strength: 'always' },
  { re: until(DONE_STRONG), strength: 'always' },
  { re: until(DONE_WEAK), strength: 'work' },
  {
    re: /\b(?:need|needs|needed|require|requires|required|missing|(?:don'?t|do\s+not|doesn'?t|does\s+not)\s+have)\s+(?:(?:the|an?|our|my|some|any|their|its|your)\s+)?(?:[\w.-]+\s+){0,2}?(?:api[\s-]?keys?|keys?|tokens?|credentials|creds|passwords?|secrets?|access|permissions?|logins?|approval|sign-?off|licen[cs]e|budget|vpn)\b/gi,
    strength: 'need',
  },
  {
    re: /\b(?:need|needs|require|requires)\s+(?:[^\s.,;:!?()]+\s+){1,5}?(?:to\s+be\s+)?(?:merged|landed|approved|reviewed)\b(?:\s+first)?/gi,
    strength: 'always',
  },
];

/** "when you are done", "once it's ready": the agent's own work finishing is no blocker. */
export const SELF_WORK: ReadonlySet<string> = new Set([
  'you', "you're", 'youre', 'u', 'it', "it's", 'its', 'this', "this's", 'that', "that's", 'everything', 'all',
  'build', 'task', 'the', 'job', 'work', 'thing', 'is', 'are',
]);

/** Words before "depends on" that make the task itself the one depending. */
export const DEPENDS_SUBJECTS: ReadonlySet<string> = new Set([
  'this', 'it', 'that', 'which', 'task', 'ticket', 'work', 'everything', 'pr', 'change', 'feature', 'build',
  'i', 'we', 'job', 'also', 'still', 'all', 'request',
]);
