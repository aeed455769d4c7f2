// Errors as values: policy functions return a Result instead of throwing, so every caller must
// decide what the user is told.

export type Result<T, E = UserError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

export const USER_ERROR_CODES = [
  'illegal_move',
  'not_found',
  'not_allowed',
  'bad_input',
  'unavailable',
] as const;
export type UserErrorCode = (typeof USER_ERROR_CODES)[number];

/** An error whose message is written for the person who caused it, and says what to do next. */
export interface UserError {
  code: UserErrorCode;
  message: string;
}

export const userError = (code: UserErrorCode, message: string): UserError => ({ code, message });
