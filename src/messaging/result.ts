import type { UserError } from '../s3/errors';
import type { Result } from './protocol';

/** A failure that already has its sentence: thrown where a `Result` cannot be returned. */
export class ResultError extends Error {
  constructor(readonly userError: UserError) {
    super(userError.message);
    this.name = 'ResultError';
  }
}

/** The value of a successful `Result`; a failed one is thrown as a `ResultError`. */
export function unwrapResult<T>(result: Result<T>): T {
  if (!result.ok) throw new ResultError(result.error);
  return result.value;
}
