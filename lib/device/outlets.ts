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
 * two digits, 0-based like the index), or the index where no outlet's id
 * ends in two digits (ids that are opaque strings, as SMART hands them out
 * and as recordings with placeholder ids have them); otherwise a full id
 * (any case), then an alias (exact).
 */
export function findOutlet(outlets: readonly OutletState[], ref: OutletRef): OutletState | undefined {
  if (typeof ref === 'number') return Number.isInteger(ref) ? outlets.find((o) => o.index === ref) : undefined;
  const wanted = ref.trim();
  if (/^\d{1,2}$/.test(wanted)) {
    if (!outlets.some((o) => /\d\d$/.test(o.id))) return outlets.find((o) => o.index === Number(wanted));
    const short = wanted.padStart(2, '0');
    return outlets.find((o) => o.id.slice(-2) === short);
  }
  const upper = wanted.toUpperCase();
  return outlets.find((o) => o.id.toUpperCase() === upper) ?? outlets.find((o) => o.alias === wanted);
}

/** A strip is on when any outlet is on. */
export function anyOutletOn(outlets: readonly OutletState[]): boolean {
  return outlets.some((o) => o.on);
}
