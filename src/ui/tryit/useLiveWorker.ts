// The Try it panel's worker: started with the panel and ended with it (its models and the last frame go
// with it), the run it has open, and its answers. One frame in flight at a time: what the camera offers
// meanwhile is counted and dropped, never queued.
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { createLiveClient, type LiveClient } from '../../worker/tryit/client';
import type { LiveFrame, LiveOpened } from '../../worker/tryit/protocol';
import { keepTimes, ratePerSecond } from './live';

/** What every frame is looked at with: Grad-CAM maps or not, and the framing margin (null: the run's). */
export interface LiveSettings {
  cam: boolean;
  margin: number | null;
}

export interface LiveWorkerActions {
  /** Whether a frame is in flight. */
  busy(): boolean;
  /** Sends a frame (the worker takes the bitmap); `fine`: a photo, looked at more closely. */
  sendFrame(bitmap: VideoFrame | ImageBitmap, s: LiveSettings, fine?: boolean): void;
  /** Looks at the last frame again (a frozen frame or a photo, after the maps or the margin changed). */
  again(s: LiveSettings): void;
  /** A camera frame offered while one was in flight: counted and dropped. */
  skip(): void;
  /** Marks a frame in flight before it is sent (while the camera's frame is being grabbed). */
  hold(): void;
  /** A held frame that was never sent. */
  release(): void;
  /** The camera's frames go to the worker as a stream (MediaStreamTrackProcessor): nothing per frame here. */
  startStream(readable: ReadableStream<VideoFrame>, s: LiveSettings): void;
  stopStream(): void;
  /** The stream follows the controls; paused, the worker sends back the frame of its last result. */
  streamSettings(s: LiveSettings & { paused: boolean }): void;
  /** A new source: no result and no rate yet. */
  reset(): void;
  /** The frozen stream frame is no longer on show. */
  hideStill(): void;
}

export interface LiveWorker extends LiveWorkerActions {
  opened: LiveOpened | null;
  loading: boolean;
  error: string | null;
  result: LiveFrame | null;
  /** Predictions per second over the last few seconds. */
  rate: number | null;
  dropped: number;
  /** The frozen camera frame the worker sent back (stream mode) is drawn in `still` and on show. */
  stillShown: boolean;
  streaming: boolean;
}

/** Sizes a canvas only when its size changes (setting it clears it and costs a full repaint). */
export function sizeCanvas(canvas: HTMLCanvasElement, w: number, h: number): void {
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
}

export function useLiveWorker(runId: string, still: RefObject<HTMLCanvasElement | null>): LiveWorker {
  const client = useRef<LiveClient | null>(null);
  const [opened, setOpened] = useState<LiveOpened | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<LiveFrame | null>(null);
  const [rate, setRate] = useState<number | null>(null);
  const [dropped, setDropped] = useState(0);
  const [stillShown, setStillShown] = useState(false);
  const [streaming, setStreaming] = useState(false);
  const inFlight = useRef(false);
  const frameId = useRef(0);
  const times = useRef<number[]>([]);
  const droppedCount = useRef(0);
  const streamMode = useRef(false);

  useEffect(() => {
    const c = createLiveClient();
    client.current = c;
    const off = c.subscribe((e) => {
      if (e.type === 'opened') {
        setOpened(e.info);
        setLoading(false);
        setError(null);
      } else if (e.type === 'result') {
        inFlight.current = false;
        const t = performance.now();
        times.current = keepTimes(times.current, t);
        setRate(ratePerSecond(times.current, t));
        setDropped(streamMode.current ? e.dropped : droppedCount.current);
        setResult(e);
      } else if (e.type === 'still') {
        const canvas = still.current;
        if (canvas) {
          sizeCanvas(canvas, e.bitmap.width, e.bitmap.height);
          canvas.getContext('2d')?.drawImage(e.bitmap, 0, 0);
          setStillShown(true);
        }
        e.bitmap.close();
      } else if (e.type === 'error') {
        if (e.frameId !== undefined) inFlight.current = false;
        else setLoading(false);
        setError(e.message);
      }
    });
    return () => {
      off();
      c.terminate();
      client.current = null;
    };
  }, [still]);

  // Another run: what was shown belongs to the last one (state adjusted while rendering, not in an effect).
  const [openFor, setOpenFor] = useState('');
  if (openFor !== runId) {
    setOpenFor(runId);
    if (runId) {
      setOpened(null);
      setResult(null);
      setError(null);
      setLoading(true);
    }
  }
  useEffect(() => {
    if (runId) client.current?.send({ type: 'open', runId });
  }, [runId]);

  const actions = useMemo<LiveWorkerActions>(
    () => ({
      busy: () => inFlight.current,
      sendFrame(bitmap, s, fine) {
        if (!client.current) {
          bitmap.close();
          return;
        }
        inFlight.current = true;
        client.current.send({ type: 'frame', frameId: ++frameId.current, bitmap, ...s, ...(fine ? { fine } : {}) });
      },
      again(s) {
        if (!client.current || inFlight.current) return;
        inFlight.current = true;
        client.current.send({ type: 'again', frameId: ++frameId.current, ...s });
      },
      skip: () => {
        droppedCount.current++;
      },
      hold: () => {
        inFlight.current = true;
      },
      release: () => {
        inFlight.current = false;
      },
      startStream(readable, s) {
        streamMode.current = true;
        setStreaming(true);
        client.current?.send({ type: 'stream', readable, ...s });
      },
      stopStream() {
        if (streamMode.current) client.current?.send({ type: 'stopStream' });
        streamMode.current = false;
        setStreaming(false);
        setStillShown(false);
      },
      streamSettings(s) {
        if (streamMode.current) client.current?.send({ type: 'live', ...s });
      },
      reset() {
        setResult(null);
        times.current = [];
        setRate(null);
      },
      hideStill: () => setStillShown(false),
    }),
    [],
  );

  return { ...actions, opened, loading, error, result, rate, dropped, stillShown, streaming };
}
