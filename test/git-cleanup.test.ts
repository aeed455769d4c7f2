import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupWorkspaces, planCleanup, type CleanupPlan, type CleanupTask, type WorkspaceState } from '../src/builders/git/cleanup.ts';
import { ensureRepository } from '../src/builders/git/repo.ts';
import { branchName, prepareWorktree } from '../src/builders/git/worktree.ts';
import { checkoutState, OWNER, sandbox } from './fixtures/git/sandbox.ts';

const DIR = '/ns/workspaces';
const ws = (id: string) => `${DIR}/${id}`;
const done = (id: string, finishedAt?: string, status = 'done'): CleanupTask => ({ id, status, workspace: ws(id), branch: `nightshift/${id}`, ...(finishedAt ? { finishedAt } : {}) });
const merged = (id: string): [string, WorkspaceState] => [id, { present: true, reasonsToKeep: [], mergedBranch: `nightshift/${id}` }];
const unmerged = (id: string, why: string): [string, WorkspaceState] => [id, { present: true, reasonsToKeep: [why] }];
const removal = (id: string, deleteBranch = true) => ({ id, workspace: ws(id), ...(deleteBranch ? { deleteBranch: `nightshift/${id}` } : {}) });

interface Row {
  name: string;
  tasks: CleanupTask[];
  state: [string, WorkspaceState][];
  keep: number;
  expected: CleanupPlan;
}

const ACTIVE = ['building', 'queued', 'failed', 'awaiting_approval', 'escalated'];

const TABLE: Row[] = [
  {
    name: 'never touches a task that may still run, however old and merged',
    tasks: ACTIVE.map((status, i) => done(`t-${i + 1}`, '2020-01-01T00:00:00Z', status)),
    state: ACTIVE.map((_, i) => merged(`t-${i + 1}`)),
    keep: 0,
    expected: { remove: [], kept: ACTIVE.map((status, i) => ({ id: `t-${i + 1}`, why: `${status}: the task may still use its workspace` })) },
  },
  {
    name: 'keeps the newest N finished and removes the older merged ones, newest first',
    tasks: [done('t-1', '2024-01-01T00:00:00Z'), done('t-2', '2024-01-03T00:00:00Z'), done('t-3', '2024-01-02T00:00:00Z', 'cancelled')],
    state: [merged('t-1'), merged('t-2'), merged('t-3')],
    keep: 1,
    expected: { remove: [removal('t-3'), removal('t-1')], kept: [{ id: 't-2', why: 'one of the 1 most recently finished' }] },
  },
  {
    name: 'keeps an old one whose work is not merged, saying why',
    tasks: [done('t-1', '2024-01-01T00:00:00Z'), done('t-2', '2024-01-02T00:00:00Z', 'rejected')],
    state: [unmerged('t-1', 'nightshift/t-1 has 2 commits not merged into main'), merged('t-2')],
    keep: 0,
    expected: { remove: [removal('t-2')], kept: [{ id: 't-1', why: 'nightshift/t-1 has 2 commits not merged into main' }] },
  },
  {
    name: 'counts unmerged ones among the newest N',
    tasks: [done('t-1', '2024-01-01T00:00:00Z'), done('t-2', '2024-01-02T00:00:00Z'), done('t-3', '2024-01-03T00:00:00Z')],
    state: [merged('t-1'), merged('t-2'), unmerged('t-3', 'uncommitted changes in the workspace')],
    keep: 1,
    expected: { remove: [removal('t-2'), removal('t-1')], kept: [{ id: 't-3', why: 'one of the 1 most recently finished' }] },
  },
  {
    name: 'treats a missing or unreadable finishedAt as the oldest, and breaks ties by the higher id',
    tasks: [done('t-5'), { ...done('t-6'), finishedAt: 'yesterday' }, done('t-9', '2024-01-01T00:00:00Z'), done('t-10', '2024-01-01T00:00:00Z')],
    state: [merged('t-5'), merged('t-6'), merged('t-9'), merged('t-10')],
    keep: 1,
    expected: { remove: [removal('t-9'), removal('t-6'), removal('t-5')], kept: [{ id: 't-10', why: 'one of the 1 most recently finished' }] },
  },
  {
    name: 'removes a worktree whose branch is unknown without deleting any branch',
    tasks: [{ id: 't-1', status: 'done', workspace: ws('t-1'), finishedAt: '2024-01-01T00:00:00Z' }],
    state: [['t-1', { present: true, reasonsToKeep: [] }]],
    keep: 0,
    expected: { remove: [removal('t-1', false)], kept: [] },
  },
  {
    name: 'leaves alone workspaces outside the workspaces directory (a look-alike prefix included)',
    tasks: [
      { ...done('t-1', '2024-01-01T00:00:00Z'), workspace: '/home/owner/project' },
      { ...done('t-2', '2024-01-01T00:00:00Z'), workspace: '/ns/workspaces-old/t-2' },
    ],
    state: [merged('t-1'), merged('t-2')],
    keep: 0,
    expected: {
      remove: [],
      kept: [
        { id: 't-1', why: `/home/owner/project is outside ${DIR}: not nightshift's to remove` },
        { id: 't-2', why: `/ns/workspaces-old/t-2 is outside ${DIR}: not nightshift's to remove` },
      ],
    },
  },
  {
    name: 'says nothing about tasks with no workspace on disk',
    tasks: [{ id: 't-1', status: 'done' }, done('t-2', '2024-01-01T00:00:00Z'), done('t-3', '2024-01-01T00:00:00Z')],
    state: [['t-2', { present: false, reasonsToKeep: [] }]],
    keep: 0,
    expected: { remove: [], kept: [] },
  },
  {
    name: 'leaves a task with a status it does not know',
    tasks: [done('t-1', '2024-01-01T00:00:00Z', 'paused')],
    state: [merged('t-1')],
    keep: 0,
    expected: { remove: [], kept: [{ id: 't-1', why: 'unknown status paused: left alone' }] },
  },
  {
    name: 'keeps everything when keep is larger than the number of finished tasks',
    tasks: [done('t-1', '2024-01-01T00:00:00Z'), done('t-2', '2024-01-02T00:00:00Z')],
    state: [merged('t-1'), merged('t-2')],
    keep: 5,
    expected: {
      remove: [],
      kept: [
        { id: 't-2', why: 'one of the 5 most recently finished' },
        { id: 't-1', why: 'one of the 5 most recently finished' },
      ],
    },
  },
];

describe('planCleanup: which workspaces go, and why the others stay', () => {
  it.each(TABLE)('$name', ({ tasks, state, keep, expected }) => {
    expect(planCleanup({ tasks, keep, workspacesDir: DIR, state: new Map(state) })).toEqual(expected);
  });

  it.each([-1, 1.5, Number.NaN])('refuses keep = %s', (keep) => {
    expect(() => planCleanup({ tasks: [], keep, workspacesDir: DIR, state: new Map() })).toThrow(RangeError);
  });
});

describe('cleanupWorkspaces: a real repository', () => {
  it('removes old merged worktrees and their branches, keeps live, recent and unmerged ones, and leaves the checkout alone', async () => {
    const s = await sandbox();
    const { path: repo, baseBranch } = await ensureRepository({ dataDir: s.path('data'), env: s.env });
    const workspacesDir = s.path('data', 'workspaces');
    const make = async (id: string, where = join(workspacesDir, id)) =>
      prepareWorktree({ repo, baseBranch, workspace: where, branch: branchName(id, 'work'), env: s.env });
    const commitIn = async (dir: string, file: string) => {
      await s.write(join(dir, file), `${file}\n`);
      await s.git(dir, 'add', file);
      await s.git(dir, ...OWNER, 'commit', '--quiet', '-m', `agent: ${file}`);
    };

    const t1 = await make('t-1'); // done, old, merged into main by the owner
    await commitIn(t1.workspace, 'one.txt');
    await s.git(repo, 'merge', '--quiet', '--ff-only', t1.branch);
    const t2 = await make('t-2'); // done, old, one commit never merged
    await commitIn(t2.workspace, 'two.txt');
    const t3 = await make('t-3'); // cancelled with uncommitted changes
    await s.write(join(t3.workspace, 'draft.txt'), 'unsaved\n');
    const t4 = await make('t-4'); // still building
    const t5 = await make('t-5'); // the newest finished
    const t6 = await make('t-6'); // rejected, nothing done; the task record lacks its branch
    const t7 = await make('t-7', s.path('elsewhere', 't-7')); // outside the workspaces directory
    const t9 = await make('t-9'); // the agent left a commit on a detached HEAD
    await s.git(t9.workspace, 'checkout', '--quiet', '--detach');
    await commitIn(t9.workspace, 'nine.txt');
    const before = await checkoutState(s, repo);

    const tasks: CleanupTask[] = [
      { id: 't-1', status: 'done', workspace: t1.workspace, branch: t1.branch, finishedAt: '2024-01-01T00:00:00Z' },
      { id: 't-2', status: 'done', workspace: t2.workspace, branch: t2.branch, finishedAt: '2024-01-02T00:00:00Z' },
      { id: 't-3', status: 'cancelled', workspace: t3.workspace, branch: t3.branch, finishedAt: '2024-01-03T00:00:00Z' },
      { id: 't-4', status: 'building', workspace: t4.workspace, branch: t4.branch },
      { id: 't-5', status: 'done', workspace: t5.workspace, branch: t5.branch, finishedAt: '2024-01-05T00:00:00Z' },
      { id: 't-6', status: 'rejected', workspace: t6.workspace, finishedAt: '2024-01-04T00:00:00Z' },
      { id: 't-7', status: 'done', workspace: t7.workspace, branch: t7.branch, finishedAt: '2024-01-01T00:00:00Z' },
      { id: 't-8', status: 'done', finishedAt: '2024-01-01T00:00:00Z' },
      { id: 't-9', status: 'done', workspace: t9.workspace, branch: t9.branch, finishedAt: '2024-01-01T00:00:00Z' },
    ];
    const report = await cleanupWorkspaces({ repo, baseBranch, workspacesDir, keep: 1, tasks, env: s.env });

    expect(report.removed).toEqual(['t-6', 't-1']);
    expect(Object.fromEntries(report.kept.map((k) => [k.id, k.why]))).toEqual({
      't-2': 'nightshift/t-2-work has 1 commit not merged into main',
      't-3': 'uncommitted changes in the workspace',
      't-4': 'building: the task may still use its workspace',
      't-5': 'one of the 1 most recently finished',
      't-7': `${t7.workspace} is outside ${workspacesDir}: not nightshift's to remove`,
      't-9': 'the workspace is on a detached HEAD with 1 commit not in main',
    });
    const gone = async (p: string) =>
      access(p).then(
        () => false,
        () => true,
      );
    expect(await gone(t1.workspace)).toBe(true);
    expect(await gone(t6.workspace)).toBe(true);
    for (const w of [t2, t3, t4, t5, t7, t9]) expect(await gone(w.workspace)).toBe(false);
    const branches = (await s.git(repo, 'branch', '--format=%(refname:short)')).split('\n').filter(Boolean);
    expect(branches).not.toContain(t1.branch);
    expect(branches).not.toContain(t6.branch);
    expect(branches).toEqual(expect.arrayContaining([t2.branch, t3.branch, t4.branch, t5.branch, t7.branch, t9.branch, 'main']));
    expect(await s.git(repo, 'worktree', 'list', '--porcelain')).not.toMatch(/t-1\n|t-6\n/);
    expect(await checkoutState(s, repo)).toEqual(before);

    // A second pass finds nothing more to do.
    const again = await cleanupWorkspaces({ repo, baseBranch, workspacesDir, keep: 1, tasks, env: s.env });
    expect(again.removed).toEqual([]);
  });

  it('keeps a worktree someone locked', async () => {
    const s = await sandbox();
    const { path: repo, baseBranch } = await ensureRepository({ dataDir: s.path('data'), env: s.env });
    const workspacesDir = s.path('data', 'workspaces');
    const w = await prepareWorktree({ repo, baseBranch, workspace: join(workspacesDir, 't-1'), branch: 'nightshift/t-1', env: s.env });
    await s.git(repo, 'worktree', 'lock', w.workspace);
    const report = await cleanupWorkspaces({
      repo,
      baseBranch,
      workspacesDir,
      keep: 0,
      tasks: [{ id: 't-1', status: 'done', workspace: w.workspace, branch: w.branch, finishedAt: '2024-01-01T00:00:00Z' }],
      env: s.env,
    });
    expect(report).toEqual({ removed: [], kept: [{ id: 't-1', why: 'locked with git worktree lock' }] });
  });

  it('leaves a workspace a build took up after the task list was read, and lets a build be prepared while it looks', async () => {
    const s = await sandbox();
    const { path: repo, baseBranch } = await ensureRepository({ dataDir: s.path('data'), env: s.env });
    const workspacesDir = s.path('data', 'workspaces');
    const w = await prepareWorktree({ repo, baseBranch, workspace: join(workspacesDir, 't-1'), branch: 'nightshift/t-1', env: s.env });
    const tasks: CleanupTask[] = [{ id: 't-1', status: 'done', workspace: w.workspace, branch: w.branch, finishedAt: '2024-01-01T00:00:00Z' }];
    const [report, other] = await Promise.all([
      cleanupWorkspaces({ repo, baseBranch, workspacesDir, keep: 0, tasks, inUse: (id) => id === 't-1', env: s.env }),
      prepareWorktree({ repo, baseBranch, workspace: join(workspacesDir, 't-2'), branch: 'nightshift/t-2', env: s.env }),
    ]);
    expect(report).toEqual({ removed: [], kept: [{ id: 't-1', why: 'a build is using it' }] });
    expect(other.reused).toBe(false);
  });
});
