import type { EdgeContext } from '../http/context.js';

/** The client's IP as the edge sees it (the socket peer; IPv4-mapped IPv6 shown as IPv4). */
export const clientIp = (ctx: EdgeContext): string => (ctx.ip || 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '').slice(0, 64);

/** `METHOD /normalised/path`, for audit and usage records (no query string). */
export const routeOf = (ctx: EdgeContext): string => {
  let path = ctx.path;
  try {
    path = new URL(ctx.path, 'http://edge.invalid').pathname;
  } catch {
    /* keep the raw path */
  }
  return path.slice(0, 280);
};
