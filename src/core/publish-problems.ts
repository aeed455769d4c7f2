// What publishing a finished branch left undone, as every message says it. publishBranch starts
// each problem with what did not happen ("not pushed: …"); they are kept, joined with "; ", in
// Deliverables.noPullRequest, where records from before pushing existed hold a bare reason why no
// pull request was opened ("gh (the GitHub CLI) is not on PATH; …").

export const NOT_PUSHED = 'not pushed';
export const NO_PULL_REQUEST = 'no pull request';
export const LEFT_AS_DRAFT = 'left as a draft';

const SAYS_WHAT = new RegExp(`^(?:${[NOT_PUSHED, NO_PULL_REQUEST, LEFT_AS_DRAFT].join('|')}): `);

/** "not pushed: git push failed: …", for a line of other words; an old bare reason reads "no pull request: …". */
export function publishProblems(noPullRequest: string): string {
  return SAYS_WHAT.test(noPullRequest) ? noPullRequest : `${NO_PULL_REQUEST}: ${noPullRequest}`;
}

/** The same, starting a line of its own: "Not pushed: git push failed: …". */
export function publishProblemsLine(noPullRequest: string): string {
  const text = publishProblems(noPullRequest);
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
