// The safety check, read as the owner meets it: real phrasings in, the reasons (and the words quoted
// back) out. Each row is one request; `kinds` lists every reason expected, in verdict order
// (vague, blocker, destructive, external, low_priority). docs/safety.md explains the rules.
import { describe, expect, it } from 'vitest';
import type { SafetyExtras } from '../src/core/policy.ts';
import { checkSafety, type SafetyInput } from '../src/core/safety.ts';
import { SafetyVerdict, type Priority, type SafetyReason } from '../src/core/task.ts';

type Kind = SafetyReason['kind'];
interface Row {
  text: string;
  kinds: Kind[];
  /** Expected quotes, in verdict order; only checked when given. */
  quotes?: string[];
  priority?: Priority;
  approved?: boolean;
  extras?: Partial<SafetyExtras>;
}

const NOW = new Date('2026-03-10T21:15:00.000Z');
const NO_EXTRAS: SafetyExtras = { destructive: [], external: [], blockers: [] };

function check(row: Row): SafetyVerdict {
  const input: SafetyInput = { text: row.text, priority: row.priority ?? 'high' };
  if (row.approved !== undefined) input.approved = row.approved;
  return checkSafety(input, { ...NO_EXTRAS, ...row.extras }, NOW);
}

const rows: Row[] = [
  // ---- vague: nothing is left once filler, generic verbs, generic nouns and deadlines go
  { text: 'build it', kinds: ['vague'], quotes: ['build it'] },
  { text: 'do the thing', kinds: ['vague'], quotes: ['do the thing'] },
  { text: 'fix stuff', kinds: ['vague'] },
  { text: 'make it work', kinds: ['vague'] },
  { text: 'build', kinds: ['vague'] },
  { text: 'do it now', kinds: ['vague'] },
  { text: '  Please build it by tonight!  ', kinds: ['vague'], quotes: ['Please build it by tonight'] },
  { text: 'do the thing we discussed yesterday', kinds: ['vague'] },
  { text: 'fix the bug asap', kinds: ['vague'] },
  { text: 'make it better by 9am', kinds: ['vague'] },
  { text: 'build the CSV export for the reports page by tonight', kinds: [] },
  { text: 'fix the login redirect loop', kinds: [] },
  { text: 'build it\n\nClarification: a CSV export on the reports page', kinds: [] },

  // ---- blockers
  { text: 'Add the billing page, blocked on the API key', kinds: ['blocker'], quotes: ['blocked on the API key'] },
  { text: 'Waiting for the design sign-off from Ana on the onboarding flow', kinds: ['blocker'] },
  { text: 'Refactor the auth module after PR #412 is merged', kinds: ['blocker'], quotes: ['after PR #412 is merged'] },
  { text: 'Wire up the search UI once the backend branch lands', kinds: ['blocker'], quotes: ['once the backend branch lands'] },
  { text: 'Set up the S3 upload flow, need the API key from ops', kinds: ['blocker'], quotes: ['need the API key from ops'] },
  { text: 'Integrate the payments provider; needs credentials', kinds: ['blocker'], quotes: ['needs credentials'] },
  { text: 'This depends on the new auth service', kinds: ['blocker'], quotes: ['depends on the new auth service'] },
  { text: 'Build the dashboard charts when the metrics API is ready', kinds: ['blocker'], quotes: ['when the metrics API is ready'] },
  { text: 'Waiting on legal for the cookie banner copy', kinds: ['blocker'] },
  { text: 'Build the settings page when the API is ready', kinds: ['blocker'], quotes: ['when the API is ready'] },
  { text: 'we still need the Stripe keys', kinds: ['blocker'], quotes: ['need the Stripe keys'] },
  { text: 'hold off until Friday, then add the export', kinds: ['blocker'] },
  { text: "Can't start until the designs are in", kinds: ['blocker'], quotes: ["Can't start until the designs are in"] },
  { text: 'After the deploy finishes, run the smoke tests', kinds: ['blocker'], quotes: ['After the deploy finishes'] },
  // ---- not blockers: product behaviour, the agent's own work, negations
  { text: 'Show a spinner while waiting for the search response', kinds: [] },
  { text: 'The shipping cost depends on the country selected in the checkout form', kinds: [] },
  { text: 'Add a login form; the endpoint requires an API key header', kinds: [] },
  { text: 'Add an RSS feed to the blog and open a PR when you are done', kinds: [] },
  { text: 'Redirect to the dashboard once the user is logged in', kinds: [] },
  { text: 'Add the export button, not blocked on anything', kinds: [] },
  { text: "Don't wait for the API, mock it", kinds: [] },
  { text: 'Users wait for approval before posting', kinds: [] },

  // ---- destructive
  { text: 'Delete the old migrations folder', kinds: ['destructive'], quotes: ['Delete the old migrations folder'] },
  { text: 'drop the users table', kinds: ['destructive'], quotes: ['drop the users table'] },
  { text: 'Clean up the repo and rm -rf ./build', kinds: ['destructive'], quotes: ['rm -rf ./build'] },
  { text: 'Force-Push the rebased branch', kinds: ['destructive'], quotes: ['Force-Push the rebased branch'] },
  { text: 'run `git reset --hard` on the release branch', kinds: ['destructive'], quotes: ['git reset --hard'] },
  { text: 'git push -f origin main after rebasing', kinds: ['destructive'], quotes: ['git push -f origin main'] },
  { text: 'Run the prod migration for the orders schema', kinds: ['destructive'] },
  { text: 'migrate production to the new schema', kinds: ['destructive'], quotes: ['migrate production to the new schema'] },
  { text: 'Wipe the staging database and reseed it', kinds: ['destructive'], quotes: ['Wipe the staging database'] },
  { text: 'truncate the audit_log table', kinds: ['destructive'] },
  { text: 'Purge the CDN cache and overwrite config.json', kinds: ['destructive', 'destructive'], quotes: ['Purge the CDN cache', 'overwrite config.json'] },
  { text: 'revoke all API tokens for the old org', kinds: ['destructive'] },
  { text: 'Please destroy the old EC2 instances', kinds: ['destructive'] },
  { text: 'remove all user data from the analytics DB', kinds: ['destructive'], quotes: ['remove all user data'] },
  { text: 'make sure the old feature flags are deleted', kinds: ['destructive'], quotes: ['the old feature flags are deleted'] },
  { text: 'DROP TABLE sessions;', kinds: ['destructive'], quotes: ['DROP TABLE sessions'] },
  { text: 'Please `git push --force` the fixup', kinds: ['destructive'], quotes: ['git push --force'] },
  { text: 'FORCE PUSH to main!!', kinds: ['destructive'], quotes: ['FORCE PUSH to main'] },
  { text: 'rm -rf node_modules, then reinstall', kinds: ['destructive'], quotes: ['rm -rf node_modules'] },
  { text: 'clean out the S3 bucket', kinds: ['destructive'], quotes: ['clean out the S3 bucket'] },
  { text: 'hard delete inactive users', kinds: ['destructive'], quotes: ['delete inactive users'] },
  { text: 'Tidy up: 1. drop unused deps 2. bump react', kinds: ['destructive'], quotes: ['drop unused deps'] },
  { text: 'delete the temp files and delete the temp files', kinds: ['destructive'], quotes: ['delete the temp files'] },
  // ---- not destructive: the product deletes, compounds, labels, negations, code edits
  { text: 'build a delete button component', kinds: [] },
  { text: "add a 'Delete account' confirmation dialog", kinds: [] },
  { text: 'add a drop-down menu for the country picker', kinds: [] },
  { text: 'replace the select with a dropdown', kinds: [] },
  { text: 'add post-processing to the image pipeline', kinds: [] },
  { text: 'users can delete their own comments', kinds: [] },
  { text: 'drag and drop reordering for the kanban board', kinds: [] },
  { text: "don't delete anything, just add the export", kinds: [] },
  { text: 'truncate long titles in the sidebar', kinds: [] },
  { text: 'remove the unused imports in src/utils', kinds: [] },
  { text: 'Add soft delete for invoices', kinds: [] },
  { text: 'implement hard delete for users', kinds: [] },
  { text: 'clean up the flaky test setup', kinds: [] },
  { text: 'reset the form after submit', kinds: [] },
  { text: 'add a button labelled "Delete everything" to the danger zone', kinds: [] },
  { text: 'allow admins to create and delete teams', kinds: [] },
  { text: 'Never force-push; open a PR instead', kinds: [] },

  // ---- external
  { text: 'email the customers about the outage', kinds: ['external'], quotes: ['email the customers about the outage'] },
  { text: 'deploy preview docs', kinds: ['external'], quotes: ['deploy preview docs'] },
  { text: 'publish the package to npm', kinds: ['external'], quotes: ['publish the package to npm'] },
  { text: 'post the changelog to #general', kinds: ['external'], quotes: ['post the changelog to #general'] },
  { text: 'send the invoice to Acme', kinds: ['external'] },
  { text: 'Build the landing page and deploy it to Vercel', kinds: ['external'], quotes: ['deploy it to Vercel'] },
  { text: 'tweet the launch announcement', kinds: ['external'] },
  { text: 'notify customers about the new pricing', kinds: ['external'] },
  { text: "charge the customer's card for the renewal", kinds: ['external'] },
  { text: 'invite the beta testers to the staging app', kinds: ['external'] },
  { text: 'merge to main when CI is green', kinds: ['external'], quotes: ['merge to main'] },
  { text: 'release v2.3 to npm', kinds: ['external'] },
  { text: 'bump the version, then run npm publish', kinds: ['external'], quotes: ['npm publish'] },
  { text: 'Pay the Heroku invoice', kinds: ['external'] },
  { text: 'refund order 4411', kinds: ['external'], quotes: ['refund order 4411'] },
  { text: 'ship the fix and go live', kinds: ['external'], quotes: ['go live'] },
  { text: 'Run tests then deploy', kinds: ['external'], quotes: ['deploy'] },
  { text: 'write an email to customers about the outage', kinds: ['external'] },
  { text: 'run `firebase deploy` once CI is green', kinds: ['external'], quotes: ['firebase deploy'] },
  // ---- not external: the words name things of the product
  { text: 'fix the email validation regex', kinds: [] },
  { text: 'style the send button', kinds: [] },
  { text: 'build the payment form UI', kinds: [] },
  { text: 'add a publish date field to the post editor', kinds: [] },
  { text: 'add a POST endpoint for /api/orders', kinds: [] },
  { text: 'the POST endpoint returns 500 on empty carts', kinds: [] },
  { text: 'write a Postgres migration for the new orders column', kinds: [] },
  { text: 'let users email their invoices from the billing page', kinds: [] },
  { text: 'add a button that sends the report as a PDF', kinds: [] },
  { text: 'show recent posts on the profile page', kinds: [] },
  { text: 'Apple Pay support on checkout', kinds: [] },
  { text: 'add an invite link to the team settings', kinds: [] },
  { text: 'Send button should be disabled while uploading', kinds: [] },
  { text: 'do not deploy, just open a PR with the fix', kinds: [] },
  { text: 'fix: posting a comment twice creates duplicates', kinds: [] },
  { text: 'Add a newsletter signup form that emails a confirmation link', kinds: [] },
  { text: 'Build a deploy status badge for the README', kinds: [] },
  { text: 'add edit, delete and share buttons to each row', kinds: [] },

  // ---- several reasons at once
  { text: 'drop the users table and email the customers', kinds: ['destructive', 'external'], quotes: ['drop the users table', 'email the customers'] },
  { text: 'Deploy.', kinds: ['external'], quotes: ['Deploy'] },
  { text: 'delete it', kinds: ['destructive'], quotes: ['delete it'] },
  { text: 'deploy it somehow, whatever', kinds: ['vague', 'external'], quotes: ['deploy it somehow, whatever', 'deploy it somehow'] },
  { text: 'Blocked on the API key; then wipe the cache bucket', kinds: ['blocker', 'destructive'], quotes: ['Blocked on the API key', 'wipe the cache bucket'] },

  // ---- clarifications appended to the spec add triggers
  { text: 'Build the weekly report page\n\nClarification: also email it to the sales team', kinds: ['external'], quotes: ['email it to the sales team'] },
  { text: 'Add CSV export to reports.\nClarification (owner): only after PR #88 lands', kinds: ['blocker'], quotes: ['after PR #88 lands'] },

  // ---- extras from config (SAFETY_EXTRA_DESTRUCTIVE, SAFETY_EXTRA_EXTERNAL, SAFETY_EXTRA_BLOCKERS)
  { text: 'archive the old projects', kinds: ['destructive'], quotes: ['archive the old projects'], extras: { destructive: ['archive'] } },
  { text: 'add an archive button to each project card', kinds: [], extras: { destructive: ['archive'] } },
  { text: 'rotate keys for the staging env', kinds: ['destructive'], quotes: ['rotate keys for the staging env'], extras: { destructive: ['Rotate Keys'] } },
  { text: 'SMS the on-call engineer', kinds: ['external'], extras: { external: ['sms'] } },
  { text: 'Build the pricing page, needs design review', kinds: ['blocker'], quotes: ['needs design review'], extras: { blockers: ['needs design review'] } },
  { text: 'archive the old projects', kinds: [] },

  // ---- low priority always waits, unless already approved
  { text: 'add dark mode to the settings page', kinds: ['low_priority'], quotes: [''], priority: 'low' },
  { text: 'add dark mode to the settings page', kinds: [], priority: 'low', approved: true },
  { text: 'no rush: tidy the README headings', kinds: ['low_priority'], quotes: ['no rush'], priority: 'low' },
  { text: 'delete the stale feature branches, no rush', kinds: ['destructive', 'low_priority'], priority: 'low' },
  { text: 'deploy the docs to prod', kinds: ['external'], priority: 'medium', approved: true },
];

describe('checkSafety', () => {
  it.each(rows)('$text → $kinds', (row) => {
    const verdict = check(row);
    expect(verdict.reasons.map((r) => r.kind)).toEqual(row.kinds);
    if (row.quotes) expect(verdict.reasons.map((r) => r.quote)).toEqual(row.quotes);
  });

  it.each(rows)('every quote of "$text" is words of the text, once', (row) => {
    const verdict = check(row);
    const quotes = verdict.reasons.map((r) => r.quote).filter((q) => q !== '');
    for (const q of quotes) expect(row.text).toContain(q);
    expect(new Set(quotes.map((q) => q.toLowerCase())).size).toBe(quotes.length);
    expect(verdict.needsApproval).toBe(verdict.reasons.length > 0);
  });
});

describe('the verdict', () => {
  it('is a valid SafetyVerdict stamped with the injected clock', () => {
    const verdict = checkSafety({ text: 'drop the users table', priority: 'low' }, NO_EXTRAS, NOW);
    expect(SafetyVerdict.parse(verdict)).toEqual(verdict);
    expect(verdict.checkedAt).toBe('2026-03-10T21:15:00.000Z');
    expect(verdict.needsApproval).toBe(true);
  });

  it('needs no approval for a clear, safe, high priority request', () => {
    const verdict = checkSafety({ text: 'add pagination to the orders table', priority: 'high' }, NO_EXTRAS, NOW);
    expect(verdict).toEqual({ needsApproval: false, reasons: [], checkedAt: NOW.toISOString() });
  });

  it('writes messages the owner can act on', () => {
    const verdict = checkSafety(
      { text: 'build it', priority: 'low' },
      NO_EXTRAS,
      NOW,
    );
    expect(verdict.reasons.map((r) => r.message)).toEqual([
      'too vague to act on: "build it" names nothing to build; say what to build, or reject it',
      'low priority tasks always wait for approval',
    ]);
    const action = checkSafety({ text: 'Force-Push it. Blocked on the API key', priority: 'high' }, NO_EXTRAS, NOW);
    expect(action.reasons.map((r) => r.message)).toEqual([
      'it is waiting on something: "Blocked on the API key"; approve once that is in place',
      'it mentions "Force-Push it" (destructive: it may lose data or history); approve only if the agent may do that unattended',
    ]);
  });

  it('calls an empty request vague without quoting nothing twice', () => {
    const verdict = checkSafety({ text: '   ', priority: 'low' }, NO_EXTRAS, NOW);
    expect(verdict.reasons.map((r) => [r.kind, r.quote])).toEqual([
      ['vague', ''],
      ['low_priority', ''],
    ]);
    expect(verdict.reasons[0]?.message).toBe('too vague to act on: the request is empty; say what to build, or reject it');
  });

  it('ignores blank extras', () => {
    const verdict = checkSafety({ text: 'add a settings page', priority: 'high' }, { destructive: ['', '  '], external: [' '], blockers: [''] }, NOW);
    expect(verdict.reasons).toEqual([]);
  });
});
