import { describe, expect, it } from 'vitest';
import { isValidBranchName, MAX_SLUG_LENGTH, slugify } from '../src/builders/git/branch-name.ts';
import { branchName } from '../src/builders/git/worktree.ts';
import { sandbox } from './fixtures/git/sandbox.ts';

const TABLE: [taskId: string, title: string, branch: string][] = [
  ['t-7', 'Spotify integration', 'nightshift/t-7-spotify-integration'],
  ['t-8', 'Café Müller: Straße & Smørrebrød', 'nightshift/t-8-cafe-muller-strasse-smorrebrod'],
  ['t-16', 'ÅNGSTRÖM Ωmega ﬁle ①②', 'nightshift/t-16-angstrom-mega-file-12'],
  ['t-17', '🚀 Launch   the   rocket 🚀!!!', 'nightshift/t-17-launch-the-rocket'],
  ['t-9', '日本語のタイトル', 'nightshift/t-9'],
  ['t-10', 'Build a very long title that goes on and on beyond any reasonable branch length', 'nightshift/t-10-build-a-very-long-title-that-goes-on-and'],
  ['t-15', 'Supercalifragilisticexpialidocious-antidisestablishmentarianism', 'nightshift/t-15-supercalifragilisticexpialidocious'],
  ['t-18', 'x'.repeat(100), `nightshift/t-18-${'x'.repeat(MAX_SLUG_LENGTH)}`],
  ['t-11', '../../etc/passwd; rm -rf / `x` $(y)', 'nightshift/t-11-etc-passwd-rm-rf-x-y'],
  ['t-12', 'a..b', 'nightshift/t-12-a-b'],
  ['t-13', '--force push', 'nightshift/t-13-force-push'],
  ['t-14', '@{upstream}.lock', 'nightshift/t-14-upstream-lock'],
  ['t-19', 'refs/heads/main~1^2:x?*[y]\\z', 'nightshift/t-19-refs-heads-main-1-2-x-y-z'],
  ['t-20', 'fix\nthe\ttabs\u0000and NULs', 'nightshift/t-20-fix-the-tabs-and-nuls'],
  ['t-21', '-', 'nightshift/t-21'],
  ['-t-7', 'leading dash in the id', 'nightshift/t-7-leading-dash-in-the-id'],
  ['', 'no id', 'nightshift/task-no-id'],
  ['T-22', 'Upper Case ID', 'nightshift/t-22-upper-case-id'],
];

describe('branchName: nightshift/<id>-<slug> from free text', () => {
  it.each(TABLE)('branchName(%j, %j) is %j', (taskId, title, expected) => {
    expect(branchName(taskId, title)).toBe(expected);
  });

  it('gives names git accepts as branches, every one of them', async () => {
    const s = await sandbox();
    const nasty = ['.hidden', 'end.', 'x.lock', 'a//b', '@', '@{-1}', ' ', '\u202e', 'con', '~^:?*[\\'];
    const names = [...TABLE.map(([id, title]) => branchName(id, title)), ...nasty.map((t) => branchName('t-1', t))];
    for (const name of names) {
      expect(await s.gitOk(s.root, 'check-ref-format', '--branch', name), name).toBe(true);
      expect(name).toMatch(/^nightshift\/[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });
});

describe('slugify', () => {
  it('never ends in a dash and never exceeds its length', () => {
    for (const text of ['a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z', 'word '.repeat(30), 'ab-'.repeat(20)]) {
      const slug = slugify(text);
      expect(slug.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
      expect(slug).not.toMatch(/-$/);
    }
  });
});

describe('isValidBranchName: git check-ref-format --branch, in process', () => {
  const NAMES = [
    'nightshift/t-7-spotify', 'main', 'feature/x.y', 'a-b_c', 'caf\u00e9', 'v1.2.3', 'a/b/c', 'x@y', 'a.lock.b', '-x',
    '-', '', 'a..b', 'x.lock', 'a/x.lock', 'has space', 'tab\there', 'nl\nx', 'del\u007f', '.hidden', 'a/.b', 'end.', 'end/',
    '/start', 'a//b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b', '@', '@{-1}', 'a@{u}', 'HEAD', 'x/', 'refs/heads/x',
  ];

  it.each(NAMES)('%j: accepted only where git accepts it', async (name) => {
    const s = await sandbox();
    const git = await s.gitOk(s.root, 'check-ref-format', '--branch', name);
    const ours = isValidBranchName(name);
    // Never more lenient than git; stricter only for names git would expand (@, @{-1}) or that read as options.
    if (ours) expect(git).toBe(true);
    if (!git) expect(ours).toBe(false);
    if (git && !ours) expect(['@', 'HEAD'].includes(name) || name.includes('@{') || name.startsWith('-')).toBe(true);
  });
});
