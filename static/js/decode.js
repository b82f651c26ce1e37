// Decoders for the websocket's compact arrays (Contract 4): base64 bytes on a grid.

/** Uint8Array of the bytes a base64 string holds. */
export function decodeBytes(b64) {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** R evenly spaced values from lo to hi, both included. */
export function linspace(lo, hi, R) {
  if (R === 1) return [lo];
  const step = (hi - lo) / (R - 1);
  return Array.from({ length: R }, (_, i) => lo + i * step);
}

/**
 * A boundary message as arrays for a heatmap: x (R), y (R), z (R rows of R) of P(y=1).
 * Row i of z is at y = y_min + i (y_max - y_min) / (R - 1): rows run upwards.
 */
export function boundaryGrid(boundary) {
  const R = boundary.resolution;
  const bytes = decodeBytes(boundary.z);
  const z = [];
  for (let i = 0; i < R; i += 1) {
    const row = new Array(R);
    for (let j = 0; j < R; j += 1) row[j] = bytes[i * R + j] / 255;
    z.push(row);
  }
  return {
    x: linspace(boundary.x_min, boundary.x_max, R),
    y: linspace(boundary.y_min, boundary.y_max, R),
    z,
  };
}
