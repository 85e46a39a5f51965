/**
 * The host-permission match pattern for a URL's origin, without its port:
 * Firefox's match patterns cannot carry a port (bug 1362809: a pattern with one
 * never matches), and in Chrome a pattern without a port matches every port.
 * So `http://127.0.0.1:9000/x` asks for `http://127.0.0.1/*` in both.
 */
export function originPattern(url: string | URL): string {
  const { protocol, hostname } = new URL(url);
  const host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  return `${protocol}//${host}/*`;
}
