// The Try it panel's plain helpers: what a camera failure means in words, the prediction rate over a
// sliding window, where the virtual headset or mask goes on the frame, and how a prediction reads.
// No DOM, React or tfjs: Node tests pin every value.
import type { Box } from '../../core/data/formats/pixels';
import { hiddenRows } from '../../core/data/occlusion';
import type { Visibility } from '../../core/data/types';

/** Why the camera could not start, for the user (getUserMedia's DOMException names). */
export function cameraProblem(e: unknown, hasMediaDevices = true): string {
  if (!hasMediaDevices)
    return 'This browser offers no camera to this page (it needs a secure page: https or localhost). Choose a photo instead.';
  const name = (e as { name?: string } | null)?.name ?? '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera permission was denied. Allow the camera for this page in the browser’s site settings and try again, or choose a photo instead.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found on this machine. Choose a photo instead.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera is in use by another program or could not be started. Close the other program and try again, or choose a photo.';
    default:
      return `The camera could not start${e instanceof Error && e.message ? `: ${e.message}` : ''}. Choose a photo instead.`;
  }
}

/** Results per second over the last `windowMs` of result times (ms, ascending); null until two. */
export function ratePerSecond(times: readonly number[], now: number, windowMs = 2000): number | null {
  const recent = times.filter((t) => t >= now - windowMs);
  if (recent.length < 2) return null;
  const span = recent[recent.length - 1] - recent[0];
  return span > 0 ? ((recent.length - 1) * 1000) / span : null;
}

/** Keeps the result times a rate needs (the last `windowMs`), appending `t`. */
export function keepTimes(times: number[], t: number, windowMs = 2000): number[] {
  const out = times.filter((x) => x >= t - windowMs);
  out.push(t);
  return out;
}

/**
 * The band of the frame the scenario hides, in frame pixels: the rows of the face square that the
 * model input's hidden rows [r0, r1) of `height` cover. `lower` hides the upper band (a VR headset over
 * the eyes), `upper` the lower band (a mask over mouth and chin); `full` hides nothing (null).
 */
export function hiddenBand(square: Box, height: number, visibility: Visibility): Box | null {
  const [r0, r1] = hiddenRows(height, visibility);
  if (r1 <= r0) return null;
  const y0 = square.y + (square.h * r0) / height;
  const y1 = square.y + (square.h * r1) / height;
  return { x: square.x, y: y0, w: square.w, h: y1 - y0 };
}

/** What the virtual occluder is called for a scenario. */
export const OCCLUDER: Record<Visibility, string> = {
  full: 'nothing hidden',
  lower: 'a virtual VR headset over the eyes',
  upper: 'a virtual mask over the mouth',
};

/** A model's prediction in words: the top class and its probability, or the age in years. */
export function predictionText(
  task: 'expression' | 'gender' | 'age',
  classNames: readonly string[],
  output: readonly number[],
): string {
  if (task === 'age') return `${Math.round(output[0])} years`;
  let best = 0;
  for (let i = 1; i < output.length; i++) if (output[i] > output[best]) best = i;
  return `${classNames[best] ?? `#${best}`} ${(output[best] * 100).toFixed(0)}%`;
}
