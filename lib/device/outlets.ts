/**
 * Outlets of power strips: the one place where child ids are made whole and
 * where what a user calls an outlet (an index, a short id, a full id, an
 * alias) becomes the outlet a request addresses. Families build their
 * outlets with fullChildId; everything else finds them with findOutlet.
 */
import type { OutletRef, OutletState } from './types';

/** The id a request needs: some firmware lists only the outlet's two digits ("00"), which follow the strip's deviceId. */
export function fullChildId(deviceId: string, id: string): string {
  return id.length <= 2 ? deviceId + id.padStart(2, '0') : id;
}

/**
 * The outlet `ref` names, or undefined: a number is a 0-based index; a
 * string of one or two digits is a short id ("00", "3": the outlet's last
 * two digits, 0-based like the index) where the ids are numbered that way,
 * else the index (ids that are opaque strings, as SMART hands them out and
 * as recordings with placeholder ids have them); otherwise a full id (any
 * case), then an alias (exact).
 */
export function findOutlet(outlets: readonly OutletState[], ref: OutletRef): OutletState | undefined {
  if (typeof ref === 'number') return Number.isInteger(ref) ? outlets.find((o) => o.index === ref) : undefined;
  const wanted = ref.trim();
  if (/^\d{1,2}$/.test(wanted)) {
    if (!numberedIds(outlets)) return outlets.find((o) => o.index === Number(wanted));
    const short = wanted.padStart(2, '0');
    return outlets.find((o) => o.id.slice(-2) === short);
  }
  const upper = wanted.toUpperCase();
  return outlets.find((o) => o.id.toUpperCase() === upper) ?? outlets.find((o) => o.alias === wanted);
}

/**
 * Ids numbered by position, as a classic strip's are (its deviceId and "00"
 * to "05"): their last two characters are "00", "01", ... one per outlet.
 * Opaque ids (hex, as SMART children have) can end in two digits by chance;
 * only the whole set tells numbered ids from those.
 */
function numberedIds(outlets: readonly OutletState[]): boolean {
  const endings = new Set(outlets.map((o) => o.id.slice(-2)));
  return outlets.length > 0 && endings.size === outlets.length && outlets.every((_, i) => endings.has(String(i).padStart(2, '0')));
}

/** A strip is on when any outlet is on. */
export function anyOutletOn(outlets: readonly OutletState[]): boolean {
  return outlets.some((o) => o.on);
}
