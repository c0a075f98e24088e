/**
 * Colours as flows and dashboards write them ("#rrggbb", what a colour
 * picker sends) and as Kasa lights take them (hue 0-360, saturation 0-100,
 * brightness 0-100: HSV with value as brightness). Both ways, so that a
 * light node can take a picker's colour and give the light's colour back
 * to the same picker; and a white (kelvin) as the colour it looks, so that
 * the picker shows something true while the light shows a white.
 */

export interface HsvColour {
  /** 0-359 degrees. */
  hue: number;
  /** 0-100. */
  saturation: number;
  /** 0-100: the V of HSV. */
  brightness: number;
}

const HEX_COLOUR = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i;

/** True for "#rrggbb" (either case, surrounding blanks allowed). */
export function isHexColour(value: unknown): value is string {
  return typeof value === 'string' && HEX_COLOUR.test(value.trim());
}

/** "#rrggbb" to whole-number hue, saturation and brightness; undefined when it is not such a colour. */
export function hexToHsv(value: string): HsvColour | undefined {
  const match = HEX_COLOUR.exec(value.trim());
  if (!match) return undefined;
  const [r, g, b] = match.slice(1, 4).map((hex) => parseInt(hex, 16) / 255);
  const max = Math.max(r, g, b);
  const spread = max - Math.min(r, g, b);
  let hue = 0;
  if (spread > 0) {
    if (max === r) hue = 60 * (((g - b) / spread) % 6);
    else if (max === g) hue = 60 * ((b - r) / spread + 2);
    else hue = 60 * ((r - g) / spread + 4);
  }
  return {
    hue: (Math.round(hue) + 360) % 360,
    saturation: max === 0 ? 0 : Math.round((spread / max) * 100),
    brightness: Math.round(max * 100),
  };
}

/** Hue (degrees), saturation and brightness (0-100) to "#rrggbb" in lower case. */
export function hsvToHex(colour: HsvColour): string {
  const h = (((colour.hue % 360) + 360) % 360) / 60;
  const s = clampUnit(colour.saturation / 100);
  const v = clampUnit(colour.brightness / 100);
  const chroma = v * s;
  const second = chroma * (1 - Math.abs((h % 2) - 1));
  const sector = Math.floor(h);
  const [r, g, b] = [
    [chroma, second, 0], [second, chroma, 0], [0, chroma, second], [0, second, chroma], [second, 0, chroma], [chroma, 0, second],
  ][sector] ?? [0, 0, 0];
  const lift = v - chroma;
  return `#${[r, g, b].map((channel) => Math.round((channel + lift) * 255).toString(16).padStart(2, '0')).join('')}`;
}

function clampUnit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/**
 * A white of `kelvin` at `brightness` (0-100) as "#rrggbb": the colour of a
 * black body at that temperature, in Tanner Helland's fit of the CIE data
 * (good to a few percent from 1000 K to 40000 K), dimmed like a colour's V.
 */
export function whiteToHex(kelvin: number, brightness = 100): string {
  const t = Math.min(400, Math.max(10, kelvin / 100));
  const red = t <= 66 ? 255 : 329.698727446 * (t - 60) ** -0.1332047592;
  const green = t <= 66 ? 99.4708025861 * Math.log(t) - 161.1195681661 : 288.1221695283 * (t - 60) ** -0.0755148492;
  const blue = t >= 66 ? 255 : t <= 19 ? 0 : 138.5177312231 * Math.log(t - 10) - 305.0447927307;
  const scale = clampUnit(brightness / 100);
  return `#${[red, green, blue].map((c) => Math.round(Math.min(255, Math.max(0, c)) * scale).toString(16).padStart(2, '0')).join('')}`;
}
