// Wishes: people ask for things without a verb. "I need a CSV export", "would be great to have dark
// mode", "a keyboard cheat sheet would be cool", "let's get the invoice PDF done", "can we get a
// status page?". The wish words are cut like politeness; what is left is the thing wished for.
// A wish is a request only when it names something to build (looksBuildable), so "I need a break"
// and "would be great to have you here" stay chit-chat. A thing written as "the login bug fixed"
// becomes "fix the login bug": the participle names the verb.
import { splitVerb } from './verbs.ts';

const NICE = String.raw`(?:really\s+|so\s+|super\s+|very\s+)?(?:nice|great|cool|awesome|good|handy|useful|amazing|lovely|helpful|neat|sweet|fantastic|ideal)`;

/** Openings that wish for what follows. Applied after politeness ("please", "can you") is cut. */
const WISH_LEAD: RegExp[] = [
  new RegExp(String.raw`^(?:it\s+)?(?:would|will|['’]d)\s+be\s+${NICE}\s+(?:to\s+have|to\s+get|to\s+see|if\s+(?:we|i)\s+(?:had|could\s+have|got))\b[\s,:]*`, 'i'),
  new RegExp(String.raw`^it['’]d\s+be\s+${NICE}\s+(?:to\s+have|to\s+get|to\s+see)\b[\s,:]*`, 'i'),
  /^(?:i|we)(?:(?:['’]d|\s+would)\s+(?:really\s+|also\s+)?(?:like|love|appreciate)|\s+(?:really\s+|also\s+|still\s+|urgently\s+|just\s+)?(?:need|want|could\s+use))(?:\s+(?:to\s+have|to\s+get))?\b[\s,:]*/i,
  /^(?:i['’]m|we['’]re|i\s+am|we\s+are)\s+(?:looking\s+for|hoping\s+for)\b[\s,:]*/i,
  /^(?:(?:can|could|may)\s+(?:we|i)|we\s+should|let['’]?s|get\s+me)\s+(?:get|have)\b[\s,:]*/i,
  // "let's get X done" reaches here as "get X done" (politeness cut "let's").
  /^get\s+(?=\S.*\s(?:done|built|finished|shipped|sorted|working|ready|in\s+place|going|running|live|set\s+up|fixed|written|made)\b)/i,
];

/** Closings that wish for what came before: "a cheat sheet would be cool (to have)". */
const WISH_TAIL = new RegExp(
  String.raw`[\s,;:-]+(?:(?:would|will|['’]d)\s+be\s+${NICE}(?:\s+to\s+have)?|would\s+help)\s*[.!]*$`,
  'i',
);

/** "get X done", "have X ready": after a wish lead that said get/have, the state word is not part of the thing. */
const STATE_TAIL = /\s+(?:done|built|finished|shipped|sorted(?:\s+out)?|working|ready|in\s+place|going|running|live|up\s+and\s+running)$/i;

/** The line without its wish opening ("I need", "would be great to have"), or null when it has none. */
export function cutWishLead(text: string): string | null {
  for (const re of WISH_LEAD) {
    const next = text.replace(re, '');
    if (next !== text) return next;
  }
  return null;
}

/** The line without its wish closing ("... would be cool to have"), or null when it has none. */
export function cutWishTail(text: string): string | null {
  // The closing is short: look at the last words only, so a long run of separators costs linear time.
  const from = Math.max(0, text.length - 80);
  const tail = WISH_TAIL.exec(text.slice(from));
  return tail && from + tail.index > 0 ? text.slice(0, from + tail.index) : null;
}

/** What a wish asks for once its noise is cut: "the report done" → "the report"; "the login bug fixed" → "fix the login bug". */
export function wishedThing(thing: string): string {
  const t = thing.replace(STATE_TAIL, '').trim();
  // "I want to add a dashboard": the wish is the verb phrase after "to".
  const afterTo = /^to\s+(\S.*)$/i.exec(t)?.[1];
  if (afterTo && splitVerb(afterTo)) return afterTo;
  return participleToVerb(t);
}

/** Past participles whose verb is not the participle minus -ed/-d. */
const IRREGULAR: Record<string, string> = {
  built: 'build', written: 'write', made: 'make', done: 'do', rewritten: 'rewrite', set: 'set', redone: 'redo',
  split: 'split', put: 'put', run: 'run', sent: 'send', shipped: 'ship', mapped: 'map', dropped: 'drop',
  stopped: 'stop', wrapped: 'wrap', planned: 'plan', scrapped: 'scrap', fixed: 'fix', patched: 'patch',
};

/** "the login bug fixed" → "fix the login bug"; "the docs updated" → "update the docs"; otherwise unchanged. */
function participleToVerb(thing: string): string {
  const m = /^(.+?)\s+([a-z]+(?:ed|en|t|ne|de|ut|un|it))(\s+up|\s+out)?$/i.exec(thing);
  if (!m?.[1] || !m[2]) return thing;
  const word = m[2].toLowerCase();
  const particle = m[3]?.trim() ?? '';
  const derived = [word.replace(/ed$/, ''), word.replace(/d$/, ''), word.replace(/ied$/, 'y')].filter((v) => v !== word);
  const candidates = [...(IRREGULAR[word] ? [IRREGULAR[word]] : []), ...derived];
  for (const stem of candidates) {
    const verb = particle ? `${stem} ${particle}` : stem;
    const phrase = splitVerb(`${verb} x`);
    if (phrase && phrase.verb.toLowerCase() === verb) return `${verb} ${m[1]}`;
  }
  return thing;
}

/**
 * Words for things software people ask to have built. A wish names something to build when one of
 * them is in it (or it has its own verb, or it is a list item): "a dark mode toggle", "CSV export of
 * the report", "a keyboard shortcut cheat sheet"; not "a break", "coffee", "you here".
 */
const BUILDABLE = new RegExp(
  String.raw`\b(?:${[
    'toggle', 'switch', 'page', 'pages', 'screen', 'view', 'views', 'modal', 'dialog', 'popup', 'menu', 'button', 'buttons', 'form', 'forms',
    'flow', 'wizard', 'tour', 'onboarding', 'layout', 'theme', 'mode', 'style', 'styles', 'css', 'icon', 'icons', 'logo', 'favicon', 'banner',
    'export', 'exports', 'import', 'exporter', 'importer', 'upload', 'uploader', 'download', 'downloader', 'report', 'reports', 'chart', 'charts',
    'graph', 'graphs', 'table', 'tables', 'dashboard', 'dashboards', 'widget', 'widgets', 'component', 'components', 'sheet', 'cheat',
    'api', 'apis', 'endpoint', 'endpoints', 'route', 'routes', 'cli', 'tool', 'tools', 'script', 'scripts', 'bot', 'app', 'apps', 'feature',
    'features', 'integration', 'integrations', 'plugin', 'plugins', 'extension', 'extensions', 'module', 'modules', 'library', 'package', 'sdk',
    'client', 'server', 'service', 'services', 'backend', 'frontend', 'ui', 'ux', 'website', 'site', 'sitemap', 'blog', 'landing', 'homepage',
    'docs', 'documentation', 'readme', 'changelog', 'guide', 'tutorial', 'faq', 'example', 'examples', 'demo', 'prototype', 'mvp', 'poc',
    'test', 'tests', 'suite', 'coverage', 'benchmark', 'benchmarks', 'ci', 'pipeline', 'workflow', 'workflows', 'action', 'actions',
    'dockerfile', 'container', 'config', 'configuration', 'settings', 'setting', 'option', 'options', 'flag', 'flags', 'shortcut', 'shortcuts',
    'keyboard', 'hotkey', 'hotkeys', 'search', 'filter', 'filters', 'sorting', 'pagination', 'login', 'logout', 'signup', 'sign-up', 'auth',
    'oauth', 'sso', '2fa', 'password', 'profile', 'avatar', 'account', 'accounts', 'invoice', 'invoices', 'billing', 'checkout', 'cart',
    'payment', 'payments', 'notification', 'notifications', 'alert', 'alerts', 'email', 'emails', 'newsletter', 'webhook', 'webhooks', 'hook',
    'cron', 'worker', 'scheduler', 'cache', 'caching', 'database', 'db', 'schema', 'migration', 'migrations', 'query',
    'queries', 'backup', 'backups', 'sync', 'parser', 'converter', 'generator', 'formatter', 'linter', 'validator', 'scraper',
    'crawler', 'wrapper', 'adapter', 'helper', 'helpers', 'utility', 'utilities', 'function', 'endpoint', 'logging', 'metrics',
    'monitoring', 'tracking', 'analytics', 'csv', 'json', 'pdf', 'xml', 'yaml', 'markdown', 'html', 'rss', 'feed', 'calendar', 'editor',
    'timer', 'tracker', 'counter', 'calculator', 'game', 'chatbot', 'command', 'commands', 'fix', 'bugfix', 'patch', 'refactor', 'cleanup',
    'upgrade', 'redesign', 'rewrite', 'port', 'version', 'release', 'translation', 'translations', 'i18n', 'localization', 'accessibility',
    'a11y', 'dark', 'light', 'responsive', 'mobile', 'spotify', 'slack', 'discord', 'github', 'stripe', 'oauth2', 'graphql', 'rest',
    'websocket', 'websockets', 'docker', 'kubernetes', 'terraform', 'lambda', 'support',
  ].join('|')})\b`,
  'i',
);

/** Things wished for that are help, not work: "a hand with the export", "help with the dashboard". */
const NOT_WORK =
  /^(?:a\s+hand|(?:some\s+|your\s+)?help|a\s+break|a\s+(?:minute|second|moment|word)|advice|a\s+favou?r|coffee|a\s+coffee|(?:to\s+)?(?:see|know|hear|talk|look|understand|ask|say|tell|go|sleep|rest)\b)/i;

/** True when a wished-for thing names something to build (see BUILDABLE). */
export function looksBuildable(thing: string): boolean {
  if (NOT_WORK.test(thing.trim())) return false;
  return splitVerb(thing) !== null || BUILDABLE.test(thing);
}

/**
 * A wish for information, not for work: "can I get the queue?", "I want an update on the report",
 * "can I have the logs for t-3?". Such a message is a question.
 */
const FOR_INFO = /^(?:an?\s+|the\s+|some\s+|my\s+)?(?:queue|status|summary|recap|logs?|progress|news|updates?(?:\s+(?:on|about|for)\b.*)?|list\s+of\s+.*\b(?:tasks?|builds?|jobs?)\b.*)$|\bt-\d+\b/i;

export function asksForInfo(thing: string): boolean {
  return FOR_INFO.test(thing.trim());
}
