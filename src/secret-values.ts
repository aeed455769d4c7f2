// Which values in an environment are secrets: every value of a variable named like a credential,
// and every password inside a URL value (DATABASE_URL=postgres://u:pass@h/db). The config redacts
// these everywhere nightshift writes; an attempt's keeper redacts the same ones in the agent's own
// environment, for the output it keeps while nightshift is not there to read it.

/** Names of variables whose values are credentials: redacted wherever they would be written. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|PRIVATE_KEY|ACCESS_KEY|_KEY$|CREDENTIAL|AUTH|COOKIE|SESSION_ID|DSN/i;

/** A URL value's password ("postgres://user:PASSWORD@host/db"). */
const URL_VALUE_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:([^\s/@]+)@/i;

/** The percent-decoded text, or the text itself when it is not valid percent-encoding. */
function decodedOr(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The secret values of `env`. Short ones are left to the URL rule of redact() (logger.ts), so that a
 * password like "pass" does not blank out every "password" in a log.
 */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return [
    ...Object.entries(env)
      .filter(([k, v]) => SECRET_NAME.test(k) && v && v.length >= 8)
      .map(([, v]) => v as string),
    ...Object.values(env).flatMap((v) => {
      const password = v ? URL_VALUE_PASSWORD.exec(v)?.[1] : undefined;
      return password && password.length >= 8 ? [...new Set([password, decodedOr(password)])] : [];
    }),
  ];
}
