/**
 * Sunrise and sunset for schedule rules with `stime_opt` / `etime_opt` 1
 * or 2. This is NOAA's solar calculator (the spreadsheet's equations, after
 * Meeus): good to about a minute between the polar circles, which is the
 * resolution rules work at anyway.
 */

const RAD = Math.PI / 180;
/** Zenith of the sun's centre at apparent sunrise: refraction and the sun's radius. */
const ZENITH = 90.833;
const DAY_MS = 86_400_000;

export type SunEvent = 'sunrise' | 'sunset';

/**
 * Minutes after UTC midnight of the given calendar day at which the sun
 * rises or sets at (latitude, longitude), east positive. The result may lie
 * outside 0..1440 far from Greenwich (east of it, sunrise is the previous
 * UTC day). Undefined when the sun does not rise or set that day.
 */
export function sunEventUtcMinutes(year: number, month: number, day: number, latitude: number, longitude: number, event: SunEvent): number | undefined {
  const midnight = Date.UTC(year, month - 1, day);
  // Start from solar noon, then evaluate once more at the estimate: the sun's
  // declination moves enough over the ~6 h between them to shift the answer.
  let minutes = 720 - 4 * longitude;
  for (let pass = 0; pass < 2; pass++) {
    const result = eventAt(midnight + minutes * 60_000, latitude, longitude, event);
    if (result === undefined) return undefined;
    minutes = result;
  }
  return minutes;
}

function eventAt(instantMs: number, latitude: number, longitude: number, event: SunEvent): number | undefined {
  const julianDay = instantMs / DAY_MS + 2440587.5;
  const t = (julianDay - 2451545) / 36525;
  const meanLong = mod360(280.46646 + t * (36000.76983 + t * 0.0003032));
  const meanAnomaly = 357.52911 + t * (35999.05029 - 0.0001537 * t);
  const eccentricity = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
  const m = meanAnomaly * RAD;
  const centre = Math.sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t))
    + Math.sin(2 * m) * (0.019993 - 0.000101 * t) + Math.sin(3 * m) * 0.000289;
  const omega = (125.04 - 1934.136 * t) * RAD;
  const apparentLong = (meanLong + centre - 0.00569 - 0.00478 * Math.sin(omega)) * RAD;
  const meanObliquity = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60;
  const obliquity = (meanObliquity + 0.00256 * Math.cos(omega)) * RAD;
  const declination = Math.asin(Math.sin(obliquity) * Math.sin(apparentLong));
  const y = Math.tan(obliquity / 2) ** 2;
  const l0 = meanLong * RAD;
  const equationOfTime = 4 / RAD * (y * Math.sin(2 * l0) - 2 * eccentricity * Math.sin(m)
    + 4 * eccentricity * y * Math.sin(m) * Math.cos(2 * l0)
    - 0.5 * y * y * Math.sin(4 * l0) - 1.25 * eccentricity * eccentricity * Math.sin(2 * m));
  const lat = latitude * RAD;
  const cosHourAngle = Math.cos(ZENITH * RAD) / (Math.cos(lat) * Math.cos(declination)) - Math.tan(lat) * Math.tan(declination);
  if (cosHourAngle < -1 || cosHourAngle > 1) return undefined; // Midnight sun or polar night.
  const hourAngle = Math.acos(cosHourAngle) / RAD;
  return 720 - 4 * (longitude + (event === 'sunrise' ? hourAngle : -hourAngle)) - equationOfTime;
}

function mod360(x: number): number {
  return ((x % 360) + 360) % 360;
}
