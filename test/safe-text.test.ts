// Text quoted back to people: nothing that moves a terminal's cursor or reorders what it shows, no
// half characters, and no 10 KB echo of a 10 KB request.
import { describe, expect, it } from 'vitest';
import { makeTitle } from '../src/core/intake/title.ts';
import { cutAt, quoteForDisplay, withoutUnsafeChars } from '../src/core/safe-text.ts';

describe('safe text', () => {
  it('drops escapes, bidi overrides and half characters; keeps tabs, line breaks and whole emoji', () => {
    expect(withoutUnsafeChars('a\x1b[2Jb\u202ec\td\ne\ud800f🔥')).toBe('a[2Jbc\td\nef🔥');
  });

  it('never cuts an emoji in half', () => {
    expect(cutAt('ab🔥', 3)).toBe('ab');
    expect(cutAt('ab🔥', 4)).toBe('ab🔥');
    expect(makeTitle(`build ${'🔥'.repeat(100)}`)).toMatch(/^Build (🔥)+…$/u);
  });

  it('quotes a long request as one short line', () => {
    const q = quoteForDisplay(`build\n\n${'x'.repeat(10_000)}\x1b`);
    expect(q).toHaveLength(60);
    expect(q).toMatch(/^build x+…$/);
    expect(quoteForDisplay('  build\tit  ')).toBe('build it');
  });
});
