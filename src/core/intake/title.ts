// Titles: one short line a person recognises in a list ("Build a Spotify integration").
// The text given is already free of flags, deadline words and noise (see index.ts).
import { cutAt, withoutUnsafeChars } from '../safe-text.ts';
import { trimChars } from './noise.ts';

export const MAX_TITLE_LENGTH = 80;

/** Tidies, capitalises the first letter and cuts at a word boundary to at most 80 characters. */
export function makeTitle(text: string): string {
  let title = trimChars(trimChars(withoutUnsafeChars(text).replace(/\s+/g, ' '), ' -–—:,;.'), ' -–—:,;.!?', 'end');
  title = title.charAt(0).toUpperCase() + title.slice(1);
  if (title.length <= MAX_TITLE_LENGTH) return title;
  const cut = cutAt(title, MAX_TITLE_LENGTH - 1);
  const space = cut.lastIndexOf(' ');
  return `${trimChars(space > MAX_TITLE_LENGTH / 2 ? cut.slice(0, space) : cut, ' ,;:.-–—', 'end')}…`;
}

/** "Build" + "login page" → "Build login page"; an item with its own verb keeps it. */
export function joinVerb(verb: string | null, object: string, objectHasVerb: boolean): string {
  return verb && !objectHasVerb ? `${verb} ${object}` : object;
}
