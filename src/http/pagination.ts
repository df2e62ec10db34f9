/** Server-side paging through the query string: ?page=N (1-based), a fixed page size. */
import { z } from 'zod';

export const pageQuery = z.coerce.number().int().min(1).max(100_000).catch(1);

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
  pages: number;
}

export function pageOf<T>(items: T[], page: number, pageSize: number, total: number): Page<T> {
  return { items, page, pageSize, total, pages: Math.max(1, Math.ceil(total / pageSize)) };
}

/** Builds the link for another page, keeping the other query parameters. */
export function pageHref(basePath: string, query: Record<string, unknown>, page: number): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k !== 'page' && typeof v === 'string' && v !== '') params.set(k, v);
  }
  if (page > 1) params.set('page', String(page));
  const s = params.toString();
  return s ? `${basePath}?${s}` : basePath;
}
