// Matching request paths to routes, and the route names tests use. A route is named by its method and
// path pattern, ids written `:id` ('PATCH /channels/:id/messages/:id'). Tests may name parameters as
// they like (':cid', ':mid'): names are compared with every `:param` treated alike.
import type { ApiAnswer } from './api-errors.ts';

export interface RouteRequest {
  /** Path parameters in order (decoded). */
  params: string[];
  body: unknown;
  query: URLSearchParams;
}

export interface RouteDef<C> {
  method: string;
  /** '/channels/:id/messages'; literal segments such as '@me' and '@original' must precede `:param` ones. */
  pattern: string;
  /** Needs `Authorization: Bot <token>` (interaction callbacks and webhooks do not, and skip the global limit). */
  auth: boolean;
  handle: (req: RouteRequest, ctx: C) => ApiAnswer;
}

export interface RouteMatch<C> {
  def: RouteDef<C>;
  name: string;
  params: string[];
}

export function routeName(method: string, pattern: string): string {
  return `${method.toUpperCase()} ${pattern}`;
}

/** A route name in comparable form: upper-case method, every `:param` reduced to `:`. */
export function normalizeRoute(name: string): string {
  const [method = '', ...rest] = name.trim().split(/\s+/);
  return `${method.toUpperCase()} ${rest.join('').replace(/:[A-Za-z_]\w*/g, ':').replace(/\/+$/, '')}`;
}

/** The name recorded for a path no route matches: numeric segments become `:id`, so gaps group together. */
export function unknownRouteName(method: string, path: string): string {
  return routeName(method, path.replace(/\/\d{5,}(?=\/|$)/g, '/:id'));
}

export class RouteTable<C> {
  private readonly compiled: Array<{ def: RouteDef<C>; name: string; segments: string[] }>;

  constructor(defs: Array<RouteDef<C>>) {
    this.compiled = defs.map((def) => ({ def, name: routeName(def.method, def.pattern), segments: split(def.pattern) }));
  }

  match(method: string, path: string): RouteMatch<C> | undefined {
    const parts = split(path);
    for (const route of this.compiled) {
      if (route.def.method !== method.toUpperCase() || route.segments.length !== parts.length) continue;
      const params: string[] = [];
      const fits = route.segments.every((seg, i) => {
        const part = parts[i] ?? '';
        if (!seg.startsWith(':')) return seg === part;
        params.push(part);
        return part !== '';
      });
      if (fits) return { def: route.def, name: route.name, params };
    }
    return undefined;
  }

  /** The canonical name of a route given in any parameter spelling, or undefined if the fake has no such route. */
  canonical(name: string): string | undefined {
    const wanted = normalizeRoute(name);
    return this.compiled.find((r) => normalizeRoute(r.name) === wanted)?.name;
  }
}

function split(path: string): string[] {
  return path.replace(/^\/+|\/+$/g, '').split('/');
}
