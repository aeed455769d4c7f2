// Identities shared by the fake Slack server and the payload builders, so a payload built with the
// defaults is addressed to the workspace and app the fake pretends to be.

/** Workspace (team) the fake serves. */
export const FAKE_TEAM_ID = 'T0NIGHT';
export const FAKE_TEAM_DOMAIN = 'nightshift-test';
/** The Slack app (`api_app_id`). */
export const FAKE_APP_ID = 'A0NIGHT';
/** The bot user the app acts as (`auth.test` → `user_id`), and its bot id (`bot_id`). */
export const FAKE_BOT_USER_ID = 'U0NSBOT';
export const FAKE_BOT_ID = 'B0NSBOT';
/** Tokens the fake accepts: the bot token for the Web API, the app-level token for `apps.connections.open`. */
export const FAKE_BOT_TOKEN = 'xoxb-fake-bot-token';
export const FAKE_APP_TOKEN = 'xapp-1-fake-app-token';
/** A signing secret for HTTP mode (Bolt's `signingSecret`, and `signedPost`). */
export const FAKE_SIGNING_SECRET = 'fake-signing-secret';
/** The (never fetched) host of permalinks the fake hands out. */
export const FAKE_PERMALINK_HOST = 'https://nightshift-test.slack.com';
