// Decoders for the websocket's compact arrays (docs/api.md, The websocket): base64 bytes on a grid.

/** Uint8Array of the bytes a base64 string holds. */
export function decodeBytes(b64) {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * P(y=1) at (x1, x2) from a boundary message and its decoded bytes: the nearest grid
 * point's value, or null outside the grid (row i at y_min + i (y_max - y_min) / (R - 1)).
 */
export function probabilityAt(boundary, bytes, x1, x2) {
  const R = boundary.resolution;
  const j = Math.round(((x1 - boundary.x_min) / (boundary.x_max - boundary.x_min)) * (R - 1));
  const i = Math.round(((x2 - boundary.y_min) / (boundary.y_max - boundary.y_min)) * (R - 1));
  if (!(i >= 0 && i < R && j >= 0 && j < R)) return null;
  return bytes[i * R + j] / 255;
}
