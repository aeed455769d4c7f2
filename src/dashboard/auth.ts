// Who may see the dashboard, and who may act on it. Without DASHBOARD_TOKEN it listens on loopback
// only (config refuses anything else) and is read-only: approving, cancelling and retrying stay in
// chat and the CLI, where nightshift knows who is asking. With a token, every request must carry
// it: `?token=` once (the browser then keeps an HttpOnly, SameSite=Strict cookie and the address
// bar loses the token), the cookie, or `Authorization: Bearer`. Whoever holds the token is the owner
// to the dashboard, so a page opened with it offers Approve / Cancel / Retry (and Accept anyway);
// those are POSTs that must also carry the X-Nightshift-Action header, which another site's form or
// link cannot send.
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export const TOKEN_COOKIE = 'nightshift_dashboard';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export type DashboardEnv = { Variables: { canAct: boolean } };

export function tokenGate(token: string | undefined): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    if (!token) {
      c.set('canAct', false);
      return next();
    }
    const url = new URL(c.req.url);
    const given = url.searchParams.get('token');
    if (given !== null && same(given, token)) {
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: url.protocol === 'https:' });
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    const carried = bearer ?? getCookie(c, TOKEN_COOKIE);
    if (carried === undefined || !same(carried, token)) return refuse(c);
    c.set('canAct', true);
    return next();
  };
}

function refuse(c: Context): Response {
  const wantsHtml = (c.req.header('accept') ?? '').includes('text/html');
  const why = 'This dashboard needs its token (DASHBOARD_TOKEN): open it once as …/?token=<the token>, and this browser keeps it.';
  return wantsHtml ? c.html(`<!doctype html><meta charset="utf-8"><title>nightshift: token needed</title><p>${why}</p>`, 401) : c.text(`${why}\n`, 401);
}

/** An action (POST) from the dashboard's own script, by someone holding the token. */
export function actionAllowed(c: Context<DashboardEnv>): boolean {
  return c.get('canAct') && c.req.header('x-nightshift-action') === '1';
}
