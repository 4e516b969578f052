/** A verification error: the path it is about and what is wrong. */
export interface VerifyIssue {
  readonly path: readonly string[];
  readonly message: string;
}
