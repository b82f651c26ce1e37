// The one diverging colour scale of the page: orange for class 0 and for negative
// values, light grey for 0.5 or zero, blue for class 1 and for positive values.
// Orange and blue stay apart for the common colour-vision deficiencies.
// gradlive.css repeats the three stops as --orange, --grey and --blue.

export const ORANGE = "#f59322";
export const GREY = "#e8eaeb";
export const BLUE = "#0877bd";

/** Plotly colorscale over [0, 1]: 0 orange, 0.5 grey, 1 blue. */
export const COLORSCALE = [
  [0, ORANGE],
  [0.5, GREY],
  [1, BLUE],
];

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const STOPS = [ORANGE, GREY, BLUE].map(hexToRgb);

/** [r, g, b] at t in [0, 1], interpolated linearly between the three stops. */
function rgbAt(t) {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0.5)) * 2;
  const i = Math.min(1, Math.floor(u));
  const f = u - i;
  const [a, b] = [STOPS[i], STOPS[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f));
}

/** 256 colours: LUT[4 * byte + k] is channel k (RGBA) of byte / 255 on the scale. */
export const LUT = (() => {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let byte = 0; byte < 256; byte += 1) {
    const [r, g, b] = rgbAt(byte / 255);
    lut.set([r, g, b, 255], 4 * byte);
  }
  return lut;
})();

/** CSS colour of a signed value: blue when positive, orange when negative. */
export function signColor(value) {
  return value >= 0 ? BLUE : ORANGE;
}

// The colours of K classes (up to 6): class 0 and 1 as the two-class scale's ends, then
// four more that stay apart from them and from each other.
export const CLASS_COLOURS = [ORANGE, BLUE, "#2ca02c", "#9467bd", "#d62728", "#8c564b"];

/** [r, g, b] of class k mixed with the neutral grey: share 0 is grey, 1 the full colour. */
export function classRgb(k, share) {
  const [r, g, b] = hexToRgb(CLASS_COLOURS[k % CLASS_COLOURS.length]);
  const [gr, gg, gb] = hexToRgb(GREY);
  const s = Math.min(1, Math.max(0, share));
  return [gr + (r - gr) * s, gg + (g - gg) * s, gb + (b - gb) * s].map(Math.round);
}

/** The CSS colour of a value on the diverging scale, t = 0 orange to 1 blue. */
export function scaleColour(t) {
  const [r, g, b] = rgbAt(t);
  return `rgb(${r},${g},${b})`;
}
