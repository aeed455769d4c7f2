// A task's branch: `nightshift/t-7-spotify-integration`. Titles are free text from chat, so the
// name is built only from [a-z0-9-]: always a valid ref, never an option, never a path trick.

export const BRANCH_PREFIX = 'nightshift/';
/** The longest title part of a branch name, in characters. */
export const MAX_SLUG_LENGTH = 40;
const MAX_ID_LENGTH = 20;

/** Letters NFKD does not take apart into an ASCII base and a mark. */
const FOLDS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/**
 * Lowercase ASCII words joined by single dashes, at most `max` characters, cut at a word boundary
 * when one is near the end. Empty when the text has no Latin letters or digits at all.
 */
export function slugify(text: string, max = MAX_SLUG_LENGTH): string {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (c) => FOLDS[c] ?? '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (words.length <= max) return words;
  const cut = words.slice(0, max + 1);
  const lastDash = cut.lastIndexOf('-');
  const kept = lastDash >= max / 2 ? cut.slice(0, lastDash) : words.slice(0, max);
  return kept.replace(/-+$/, '');
}

/** `branchName('t-7', 'Spotify integration!')` → `nightshift/t-7-spotify-integration`. */
export function branchName(taskId: string, title: string): string {
  const id = slugify(taskId, MAX_ID_LENGTH) || 'task';
  const slug = slugify(title);
  return `${BRANCH_PREFIX}${slug ? `${id}-${slug}` : id}`;
}

/**
 * What `git check-ref-format --branch` accepts, decided in process (no git run): `refs/heads/<name>`
 * must be a valid ref (git-check-ref-format(1)), and the name must not read as an option. Stricter
 * than git in one way: `@`, `HEAD` and anything with `@{` are refused, never expanded.
 */
export function isValidBranchName(name: string): boolean {
  if (name === '' || name === '@' || name === 'HEAD' || name.startsWith('-')) return false;
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  if (name.includes('..') || name.includes('//') || name.includes('@{')) return false;
  // Control characters, space, and ~ ^ : ? * [ \ (DEL included).
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(name)) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/** Why these names cannot be handed to git or gh as branches (one would read as an option, or is no branch name), or null. */
export function unusableBranchNames(...names: string[]): string | null {
  const bad = names.filter((n) => !isValidBranchName(n));
  return bad.length ? `refusing branch names that git would not accept or would read as options: ${bad.join(', ')}` : null;
}
