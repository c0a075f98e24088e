/**
 * Long lists (strip outlets, their components, schedule rules) come in
 * pages: a result with `start_index`, `sum` (the full length) and one
 * array. The rest is fetched with `start_index` set to what we have,
 * within bounds a hostile device cannot stretch: a page that adds nothing
 * ends the walk, and so do the page and item limits.
 */
import { isJsonObject, type JsonObject } from '../json';

const MAX_PAGES = 32;
const MAX_ITEMS = 1000;

/** The name of the list a paged result carries, or undefined for a result that is not paged. */
export function pagedListKey(result: unknown): string | undefined {
  if (!isJsonObject(result) || typeof result.start_index !== 'number' || typeof result.sum !== 'number') return undefined;
  return Object.keys(result).find((key) => Array.isArray(result[key]));
}

/** The first page with the items of the following pages appended; `fetchPage` gets the next start_index. */
export async function collectPages(first: unknown, fetchPage: (startIndex: number) => Promise<unknown>): Promise<unknown> {
  const key = pagedListKey(first);
  if (key === undefined) return first;
  const head = first as JsonObject;
  const items = [...(head[key] as unknown[])];
  const wanted = Math.min(head.sum as number, MAX_ITEMS);
  for (let pages = 0; items.length < wanted && pages < MAX_PAGES; pages += 1) {
    const page = await fetchPage(items.length);
    const more = isJsonObject(page) ? page[key] : undefined;
    if (!Array.isArray(more) || more.length === 0) break;
    items.push(...more.slice(0, MAX_ITEMS - items.length));
  }
  return { ...head, [key]: items };
}
