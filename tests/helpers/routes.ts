/** Lists every route of an Express 5 app as "METHOD /full/path", walking mounted routers. */
import type { Express } from 'express';

interface LayerLike {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

export function listRoutes(app: Express): string[] {
  const out = new Set<string>();
  const walk = (stack: LayerLike[], prefix: string): void => {
    for (const layer of stack) {
      const raw = Array.isArray(layer.rawPath) ? layer.rawPath[0] : layer.rawPath;
      const base = raw && raw !== '/' ? prefix + raw : prefix;
      if (layer.route) {
        for (const p of ([] as string[]).concat(layer.route.path)) {
          const path = prefix + (p === '/' && prefix ? '' : p) || '/';
          for (const m of Object.keys(layer.route.methods))
            if (m !== '_all') out.add(`${m.toUpperCase()} ${path}`);
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, base);
      }
    }
  };
  const router = (app as unknown as { router: { stack: LayerLike[] } }).router;
  walk(router.stack, '');
  return [...out].sort();
}
