/** What a commit can end in, and the one place each is put into words. */
import type { VerifyIssue } from '../verify/index.js';
import type { LockHolder } from '../store/store.js';
import { formatPath } from '../config/index.js';

/**
 * What stopped a commit before anything was changed, per backend: a check
 * that refused the plan (its own words), or a prepare phase that failed.
 */
export interface BackendProblem {
  readonly kind: 'refused' | 'failed';
  readonly backend: string;
  /** render, observe, plan, check or journal. */
  readonly phase: string;
  readonly message: string;
}

export type CommitOutcome =
  | {
      readonly kind: 'committed';
      /** The new revision's id; `previous` is the one it replaced (0: none), now `rollback 1`. */
      readonly revision: number;
      readonly previous: number;
      readonly plan: readonly string[];
      readonly confirmDeadline?: number;
      readonly warnings: readonly string[];
    }
  | { readonly kind: 'checked'; readonly plan: readonly string[] }
  | {
      readonly kind: 'no-changes';
      readonly corrected: readonly string[];
      readonly confirmed: boolean;
    }
  | { readonly kind: 'locked'; readonly holder: LockHolder }
  | { readonly kind: 'conflict'; readonly paths: readonly string[] }
  | { readonly kind: 'invalid'; readonly issues: readonly VerifyIssue[] }
  | { readonly kind: 'check-failed'; readonly problems: readonly BackendProblem[] }
  | {
      readonly kind: 'apply-failed';
      /** The backend whose step failed, and the step (or phase). */
      readonly backend: string;
      readonly step: string;
      readonly error: string;
    }
  | {
      readonly kind: 'inconsistent';
      readonly backend: string;
      readonly step: string;
      readonly error: string;
      readonly problems: readonly string[];
    };

export function succeeded(outcome: CommitOutcome): boolean {
  return (
    outcome.kind === 'committed' || outcome.kind === 'checked' || outcome.kind === 'no-changes'
  );
}

/**
 * A new revision by both of its numbers: `revision N` is always the id the
 * store gives it, `rollback N` always counts back from running (0 is running).
 */
function revisionNumbers(revision: number, previous: number): string {
  return previous > 0
    ? `${revision} (rollback 0; revision ${previous} is now rollback 1)`
    : `${revision} (rollback 0)`;
}

export function describeOutcome(outcome: CommitOutcome): string[] {
  switch (outcome.kind) {
    case 'committed': {
      const lines = [...outcome.warnings.map((w) => `Warning: ${w}`)];
      if (outcome.confirmDeadline !== undefined) {
        const minutes = Math.max(1, Math.round((outcome.confirmDeadline - Date.now()) / 60_000));
        lines.push(
          `Commit confirmed: revision ${outcome.revision} (rollback 0) is rolled back in ${minutes} minute${minutes === 1 ? '' : 's'}, to revision ${outcome.previous}, unless confirmed ('confirm' or 'commit').`,
        );
      } else
        lines.push(`Committed revision ${revisionNumbers(outcome.revision, outcome.previous)}.`);
      return lines;
    }
    case 'checked':
      return outcome.plan.length
        ? [...outcome.plan, 'Configuration check succeeded.']
        : ['No changes to apply.', 'Configuration check succeeded.'];
    case 'no-changes': {
      const lines = outcome.confirmed ? ['Commit confirmed.'] : [];
      if (outcome.corrected.length)
        lines.push(
          'No configuration changes; the system had drifted and was corrected:',
          ...outcome.corrected.map((l) => `  ${l}`),
        );
      else if (!outcome.confirmed) lines.push('No configuration changes to commit.');
      return lines;
    }
    case 'locked':
      if (outcome.holder.session) {
        return [
          `Commit refused: user ${outcome.holder.user} holds the configuration exclusively (configure exclusive, since ${outcome.holder.since}).`,
        ];
      }
      return [
        `Commit refused: another commit is in progress (user ${outcome.holder.user}, process ${outcome.holder.pid}, since ${outcome.holder.since}).`,
      ];
    case 'conflict':
      return [
        'Commit refused: the running configuration changed since this session started, and these paths changed on both sides:',
        ...outcome.paths.map((p) => `  ${p}`),
        "Use 'update' after resolving them, or 'exit discard'.",
      ];
    case 'invalid':
      return [
        'Commit failed: the configuration is invalid:',
        ...outcome.issues.map((i) => `  [${formatPath(i.path)}] ${i.message}`),
      ];
    case 'check-failed':
      return [
        'Commit failed before anything was changed:',
        ...outcome.problems.map((p) => `  ${describeProblem(p)}`),
      ];
    case 'apply-failed':
      return [
        `Commit failed at '${outcome.step}' of the ${outcome.backend} backend: ${outcome.error}`,
        'Every change already made was undone; the running configuration is unchanged.',
      ];
    case 'inconsistent':
      return [
        `COMMIT FAILED AND THE RESTORE FAILED TOO at '${outcome.step}' of the ${outcome.backend} backend: ${outcome.error}`,
        'The system may differ from the running configuration:',
        ...outcome.problems.map((p) => `  ${p}`),
        'Details are in the audit log; a new commit or a restart converges the system again.',
      ];
  }
}

/** A backend's problem in words: a refusal as the check put it, a failed phase with the backend named. */
export function describeProblem(problem: BackendProblem): string {
  return problem.kind === 'refused'
    ? problem.message
    : `the ${problem.backend} backend failed to ${problem.phase}: ${problem.message}`;
}
