// The Try it panel's camera: asked for only on a click, its frames sent to the worker one at a time (or
// as a stream where the browser can hand the track to the worker), frozen on a frame, and turned off
// (its light too) when the panel is left.
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { cameraProblem } from './live';
import type { LiveSettings, LiveWorker } from './useLiveWorker';

export type CameraState = 'off' | 'starting' | 'on';
/** What is on show: the camera, a chosen photo, or nothing yet. */
export type Source = 'camera' | 'photo' | null;

export interface Camera {
  video: RefObject<HTMLVideoElement | null>;
  camera: CameraState;
  /** Why the camera could not start (or a photo could not be read), for the user. */
  message: string | null;
  setMessage(m: string | null): void;
  frozen: boolean;
  source: Source;
  setSource(s: Source): void;
  start(): Promise<void>;
  stop(): void;
  /** Freezes the camera on its current frame, or goes live again. */
  freeze(): Promise<void>;
}

/** The video's current frame for the worker: a VideoFrame (WebCodecs) where there is one, which wraps
 *  the decoded frame without converting it on this thread; else an ImageBitmap. */
async function grab(v: HTMLVideoElement): Promise<VideoFrame | ImageBitmap> {
  return typeof VideoFrame === 'function' ? new VideoFrame(v) : createImageBitmap(v);
}

type TrackProcessor = new (o: { track: MediaStreamTrack }) => { readable: ReadableStream<VideoFrame> };

export function useCamera(worker: LiveWorker, settings: RefObject<LiveSettings>): Camera {
  const { busy, sendFrame, skip, hold, release, startStream, stopStream, reset, hideStill, streaming, opened } = worker;
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const [camera, setCamera] = useState<CameraState>('off');
  const [message, setMessage] = useState<string | null>(null);
  const [frozen, setFrozen] = useState(false);
  const [source, setSource] = useState<Source>(null);

  const stop = useCallback(() => {
    stopStream();
    stream.current?.getTracks().forEach((t) => t.stop());
    stream.current = null;
    if (video.current) video.current.srcObject = null;
    setCamera('off');
    setFrozen(false);
    setSource((s) => (s === 'camera' ? null : s));
  }, [stopStream]);
  // Leaving the panel turns the camera (and its light) off.
  useEffect(() => stop, [stop]);

  const start = async () => {
    setMessage(null);
    const md = navigator.mediaDevices;
    if (!md?.getUserMedia) {
      setMessage(cameraProblem(null, false));
      return;
    }
    setCamera('starting');
    try {
      const s = await md.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
        audio: false,
      });
      stream.current = s;
      const v = video.current!;
      v.srcObject = s;
      setSource('camera');
      hideStill();
      await v.play();
      const track = s.getVideoTracks()[0];
      const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessor }).MediaStreamTrackProcessor;
      if (Processor && track) startStream(new Processor({ track }).readable, settings.current);
      setFrozen(false);
      reset();
      setCamera('on');
    } catch (e) {
      stop();
      setMessage(cameraProblem(e));
    }
  };

  // The live loop: on each new video frame, one frame to the worker unless one is still in flight.
  useEffect(() => {
    const v = video.current;
    if (camera !== 'on' || frozen || !opened || !v || streaming) return;
    let stopped = false;
    let handle = 0;
    const hasVfc = 'requestVideoFrameCallback' in v;
    const next = () => {
      handle = hasVfc ? v.requestVideoFrameCallback(tick) : requestAnimationFrame(tick);
    };
    const tick = () => {
      if (stopped) return;
      if (busy()) skip();
      else if (v.readyState >= 2 && v.videoWidth > 0) {
        hold(); // in flight from now: the ticks until the grab resolves count as skipped
        grab(v).then((bitmap) => {
          if (stopped) {
            bitmap.close();
            release();
            return;
          }
          sendFrame(bitmap, settings.current);
        }, release);
      }
      next();
    };
    next();
    return () => {
      stopped = true;
      if (hasVfc) v.cancelVideoFrameCallback(handle);
      else cancelAnimationFrame(handle);
    };
  }, [camera, frozen, opened, streaming, busy, skip, hold, release, sendFrame, settings]);

  const freeze = async () => {
    const v = video.current;
    if (!v) return;
    if (frozen) {
      hideStill();
      await v.play();
      setFrozen(false);
      return;
    }
    v.pause();
    setFrozen(true);
    if (streaming) return; // the worker sends the frame of its last result
    // The paused frame itself, so what is shown is what the models saw.
    try {
      sendFrame(await grab(v), settings.current);
    } catch {
      /* the last live result stays */
    }
  };

  return { video, camera, message, setMessage, frozen, source, setSource, start, stop, freeze };
}
