// The people the fake knows: the bot user and the users a test names. Any other id is a user too, with
// a made-up username, so a test can drive the bot as anyone without declaring them first.
import { FAKE_BOT_USERNAME } from './defaults.ts';

export interface FakeUserInfo {
  username: string;
  globalName?: string;
}

type Json = Record<string, unknown>;

export class Users {
  constructor(
    private readonly known: Record<string, FakeUserInfo>,
    readonly botUserId: string,
    /** When everyone joined the guild (the fake's start), ISO. */
    readonly joinedAt: string,
  ) {}

  info(id: string): FakeUserInfo {
    if (id === this.botUserId) return { username: FAKE_BOT_USERNAME };
    return this.known[id] ?? { username: `user${id.slice(-4)}` };
  }

  /** A user object as it appears in messages, interactions and members. */
  json(id: string): Json {
    const info = this.info(id);
    const bot = id === this.botUserId;
    return {
      id,
      username: info.username,
      global_name: info.globalName ?? null,
      discriminator: '0',
      avatar: null,
      bot,
      system: false,
      public_flags: 0,
      ...(bot ? {} : { avatar_decoration_data: null }),
    };
  }

  /** The bot as READY and GET /users/@me describe it. */
  selfJson(): Json {
    return { ...this.json(this.botUserId), verified: true, mfa_enabled: false, email: null, flags: 0 };
  }

  /** A guild member without its `user` (as in MESSAGE_CREATE's `member`), or with it. */
  memberJson(id: string, withUser: boolean, permissions?: string): Json {
    return {
      ...(withUser ? { user: this.json(id) } : {}),
      roles: [],
      nick: null,
      avatar: null,
      joined_at: this.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
      ...(permissions !== undefined ? { permissions } : {}),
    };
  }
}
