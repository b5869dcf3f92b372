// Try it: a stored run's models on the visitor's own face. The camera (asked for only on a click) or a
// photo from disk; its own worker finds the face, cuts it as the run's dataset frames faces, hides the
// scenario's half (a virtual VR headset over the eyes, or a mask over the mouth) and runs the teacher
// and the students, with Grad-CAM maps on demand. One frame in flight at a time: frames that arrive
// meanwhile are dropped, never queued. Frames stay in this tab (never stored, never sent); the camera
// stops when the panel is left.
import { useEffect, useMemo, useRef, useState } from 'react';
import { occluded } from '../../core/data/occlusion';
import { VISIBILITY_SYMBOL } from '../../core/data/types';
import { useLab } from '../../state/react';
import { downloadName } from '../../state/downloads';
import { isLive } from '../../state/runView';
import { download } from '../download';
import { overlay, toRgba } from '../gradcam/draw';
import { hiddenBand, OCCLUDER, predictionText } from './live';
import { drawSnapshot, Marks } from './paint';
import { useCamera } from './useCamera';
import { sizeCanvas, useLiveWorker, type LiveSettings } from './useLiveWorker';

/** Draws RGBA bytes into a canvas at their own size (CSS scales it up, pixelated: no work here). */
function paintTile(canvas: HTMLCanvasElement | null, rgba: Uint8ClampedArray, w: number, h: number): void {
  if (!canvas) return;
  sizeCanvas(canvas, w, h);
  canvas.getContext('2d')?.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, w, h), 0, 0);
}

export default function TryItPanel() {
  const runs = useLab((s) => s.runs);
  const viewed = useLab((s) => s.viewed);
  const usable = useMemo(() => runs.filter((r) => !isLive(r.status) && (r.status === 'done' || r.rows > 0)), [runs]);
  const [runId, setRunId] = useState('');
  const current = runId || (viewed && usable.some((r) => r.id === viewed.runId) ? viewed.runId : (usable[0]?.id ?? ''));

  const [cam, setCam] = useState(false);
  const [margin, setMargin] = useState<number | null>(null);
  const settings = useRef<LiveSettings>({ cam, margin });
  useEffect(() => {
    settings.current = { cam, margin };
  }, [cam, margin]);
  // Another run opens at its own framing.
  const [marginFor, setMarginFor] = useState('');
  if (marginFor !== current) {
    setMarginFor(current);
    if (current) setMargin(null);
  }

  const still = useRef<HTMLCanvasElement>(null);
  const fullTile = useRef<HTMLCanvasElement>(null);
  const occTile = useRef<HTMLCanvasElement>(null);
  const camTiles = useRef<(HTMLCanvasElement | null)[]>([]);
  const worker = useLiveWorker(current, still);
  const { opened, loading, error, result, rate, dropped, stillShown, streaming } = worker;
  const { video, camera, message: cameraMsg, frozen, source, ...cameraActions } = useCamera(worker, settings);
  const { again, streamSettings } = worker;

  // The stream's settings follow the controls; freezing pauses it (the worker then sends the frame).
  useEffect(() => {
    if (camera === 'on') streamSettings({ cam, margin, paused: frozen });
  }, [camera, cam, margin, frozen, streamSettings]);
  // A frozen frame or a photo is looked at again when the maps or the margin change (not when its result comes).
  const lookAgain = useRef(false);
  useEffect(() => {
    lookAgain.current = (source === 'photo' || frozen) && result !== null;
  }, [source, frozen, result]);
  useEffect(() => {
    if (lookAgain.current) again({ cam, margin });
  }, [cam, margin, again]);

  const choosePhoto = async (file: File | undefined) => {
    if (!file) return;
    cameraActions.stop();
    cameraActions.setMessage(null);
    worker.reset();
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      cameraActions.setMessage(`${file.name} could not be read as an image (JPEG, PNG or WebP).`);
      return;
    }
    const c = still.current!;
    const k = Math.min(1, 1280 / Math.max(bitmap.width, bitmap.height));
    c.width = Math.round(bitmap.width * k);
    c.height = Math.round(bitmap.height * k);
    c.getContext('2d')?.drawImage(bitmap, 0, 0, c.width, c.height);
    cameraActions.setSource('photo');
    worker.reset();
    worker.sendFrame(bitmap, settings.current, true);
  };

  // Each result's crops and maps drawn (the marks on the frame are an SVG, <Marks>).
  useEffect(() => {
    if (!result || !opened) return;
    const { height: h, width: w, channels: c } = opened;
    if (result.crop.length === h * w * c) {
      paintTile(fullTile.current, toRgba(result.crop, w, h, c), w, h);
      paintTile(occTile.current, toRgba(occluded(result.crop, 1, h, w, c, opened.scenario), w, h, c), w, h);
      if (result.maps.length) {
        opened.panels.forEach((p, k) => {
          const base = toRgba(
            p.visibility === 'full' ? result.crop : occluded(result.crop, 1, h, w, c, p.visibility),
            w,
            h,
            c,
          );
          paintTile(
            camTiles.current[k],
            overlay(base, result.maps.subarray(k * h * w, (k + 1) * h * w), w, h, 0.6),
            w,
            h,
          );
        });
      }
    }
  }, [result, opened]);

  const snapshot = () => {
    if (!opened || !result) return;
    const frame = source === 'photo' || stillShown ? still.current : video.current;
    const canvas = drawSnapshot({
      frame,
      frameWidth: result.frameWidth,
      frameHeight: result.frameHeight,
      crops: [fullTile.current, occTile.current],
      maps: result.maps.length ? camTiles.current : [],
      opened,
      result,
      rate,
    });
    canvas.toBlob((b) => {
      if (b) download(downloadName(opened.runId, 'tryit', 'png'), b, 'image/png');
    }, 'image/png');
  };
  const startCamera = cameraActions.start;
  const stopCamera = cameraActions.stop;
  const freeze = cameraActions.freeze;

  if (!usable.length) {
    return (
      <p className="muted" data-testid="tryit-panel">
        Try it needs a trained run: run the curriculum (a demo preset takes about two minutes), then come back to see
        its models on your own face.
      </p>
    );
  }
  const scen = opened?.scenario ?? 'full';
  const face = result?.face ?? null;
  const showing = source !== null;
  return (
    <div className="tryit" data-testid="tryit-panel">
      <section className="card">
        <div className="row wrap">
          <label>
            run{' '}
            <select
              value={current}
              onChange={(e) => {
                setRunId(e.target.value);
              }}
              data-testid="tryit-run"
            >
              {usable.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} ({new Date(r.createdAt).toLocaleString()})
                </option>
              ))}
            </select>
          </label>
          {camera === 'off' ? (
            <button
              className="primary"
              onClick={() => void startCamera()}
              disabled={!opened}
              data-testid="tryit-camera"
            >
              Turn the camera on
            </button>
          ) : (
            <button onClick={stopCamera} data-testid="tryit-camera">
              {camera === 'starting' ? 'Starting the camera…' : 'Turn the camera off'}
            </button>
          )}
          <label className="file">
            or a photo{' '}
            <input
              type="file"
              accept="image/jpeg,image/png,image/webp"
              disabled={!opened}
              onChange={(e) => {
                void choosePhoto(e.target.files?.[0]);
                e.target.value = '';
              }}
              data-testid="tryit-photo"
            />
          </label>
          <button
            onClick={() => void freeze()}
            disabled={camera !== 'on'}
            aria-pressed={frozen}
            data-testid="tryit-freeze"
          >
            {frozen ? 'Go live again' : 'Freeze'}
          </button>
          <label>
            <input type="checkbox" checked={cam} onChange={(e) => setCam(e.target.checked)} data-testid="tryit-cam" />{' '}
            Grad-CAM maps
          </label>
          <label>
            framing{' '}
            <input
              type="range"
              min={0.8}
              max={2.2}
              step={0.05}
              value={margin ?? opened?.margin ?? 1.2}
              disabled={!opened}
              onChange={(e) => setMargin(Number(e.target.value))}
              data-testid="tryit-margin"
            />{' '}
            <span className="small">{(margin ?? opened?.margin ?? 1.2).toFixed(2)}×</span>
          </label>
          <button onClick={snapshot} disabled={!result?.face} data-testid="tryit-snapshot">
            Snapshot (PNG)
          </button>
        </div>
        <p className="muted small" data-testid="tryit-status">
          {loading ? (
            'Loading the models and the face detector…'
          ) : opened ? (
            <>
              <span data-testid="tryit-rate" data-rate={rate ?? ''}>
                {rate === null ? '– predictions/s' : `${rate.toFixed(1)} predictions/s`}
              </span>
              {' · '}
              {opened.panels.length} models on {opened.backend}
              {opened.detail ? ` (${opened.detail})` : ''}
              {result && (
                <>
                  {' '}
                  · last frame {result.ms.total.toFixed(0)} ms (read {result.ms.read.toFixed(0)}, face{' '}
                  {result.ms.detect.toFixed(0)}, models {result.ms.models.toFixed(0)}
                  {result.maps.length ? `, maps ${result.ms.cam.toFixed(0)}` : ''}) ·{' '}
                  {streaming
                    ? 'the newest camera frame is taken whenever the worker is free'
                    : `${dropped} camera frames skipped while busy`}{' '}
                  · <span data-testid="tryit-tensors">{result.tensors}</span> tensors
                </>
              )}
            </>
          ) : null}
        </p>
        {cameraMsg && (
          <p className="error" role="alert" data-testid="tryit-camera-message">
            {cameraMsg}
          </p>
        )}
        {error && (
          <p className="error" role="alert" data-testid="tryit-error">
            {error}
          </p>
        )}
        {opened?.synthetic && (
          <p className="notice warn" data-testid="tryit-synthetic">
            These models were trained on the lab’s synthetic faces and have never seen a real face: on yours they guess.
            For a convincing demonstration, train on an imported FER2013 / FER+ (expression) or UTKFace (gender, age)
            dataset.
          </p>
        )}
        <p className="muted small">
          Frames stay in this tab: they are never stored and never sent; the camera turns off when you leave this panel.{' '}
          {opened && (
            <>
              The models see the face as the run’s dataset framed it ({opened.framingNote}),{' '}
              {opened.channels === 1 ? 'grey' : 'in colour'} at {opened.width}x{opened.height}, with {OCCLUDER[scen]}.
            </>
          )}
        </p>
      </section>

      <section className="card tryit-view">
        <figure className="tryit-stage">
          <div className="tryit-frame">
            <video
              ref={video}
              muted
              playsInline
              aria-label="camera image"
              hidden={source !== 'camera' || stillShown}
              data-testid="tryit-video"
            />
            <canvas
              ref={still}
              role="img"
              aria-label={source === 'photo' ? 'the chosen photo' : 'the frozen camera frame'}
              hidden={source !== 'photo' && !stillShown}
              data-testid="tryit-still"
            />
            {showing && result?.face && result.square && opened && (
              <Marks
                width={result.frameWidth}
                height={result.frameHeight}
                face={result.face.box}
                square={result.square}
                band={hiddenBand(result.square, opened.height, opened.scenario)}
                visibility={opened.scenario}
              />
            )}
            {!showing && <p className="muted tryit-empty">Turn the camera on, or choose a photo of a face.</p>}
          </div>
          <figcaption
            className="small"
            data-testid="tryit-face"
            data-frame={result?.frameId ?? ''}
            data-found={result ? String(!!result.face) : ''}
          >
            {!showing
              ? 'No image yet.'
              : !result
                ? 'Looking for a face…'
                : face
                  ? `Face found (detector score ${face.score.toFixed(2)}); the square the models see is marked.`
                  : 'No face found: face the camera, with light on your face.'}
          </figcaption>
        </figure>
        <figure className="tryit-crop">
          <canvas
            ref={fullTile}
            role="img"
            aria-label="the face as the teacher sees it"
            data-testid="tryit-crop-full"
            data-size={opened ? `${opened.width}x${opened.height}x${opened.channels}` : ''}
          />
          <figcaption className="small">
            {VISIBILITY_SYMBOL.full} full face{opened ? `, ${opened.width}x${opened.height}` : ''}
          </figcaption>
        </figure>
        <figure className="tryit-crop">
          <canvas
            ref={occTile}
            role="img"
            aria-label="the face with half hidden, as the students see it"
            data-testid="tryit-crop-occluded"
          />
          <figcaption className="small">
            {VISIBILITY_SYMBOL[scen]}{' '}
            {scen === 'lower'
              ? 'lower half visible (headset)'
              : scen === 'upper'
                ? 'upper half visible (mask)'
                : 'full'}
          </figcaption>
        </figure>
      </section>

      {opened && (
        <section className="tryit-models" aria-label="predictions">
          {opened.panels.map((p, k) => {
            const out = face ? result?.outputs[k] : undefined;
            return (
              <div className="card tryit-model" key={`${p.model}-${p.visibility}`} data-testid="tryit-model">
                <h3>{p.label}</h3>
                <p className="tryit-pred" data-testid="tryit-prediction">
                  {out ? predictionText(opened.task, opened.classNames, out) : '–'}
                </p>
                {opened.task !== 'age' && (
                  <ul className="tryit-bars">
                    {opened.classNames.map((name, i) => {
                      const v = out?.[i] ?? 0;
                      return (
                        <li key={name}>
                          <span className="tryit-bar-name">{name}</span>
                          <span className="tryit-bar" aria-hidden="true">
                            <span style={{ width: `${(v * 100).toFixed(1)}%` }} />
                          </span>
                          <span className="tryit-bar-value">{(v * 100).toFixed(0)}%</span>
                        </li>
                      );
                    })}
                  </ul>
                )}
                {cam && (
                  <canvas
                    ref={(el) => {
                      camTiles.current[k] = el;
                    }}
                    role="img"
                    aria-label={`Grad-CAM map of ${p.label}`}
                    className="tryit-cam"
                    data-testid="tryit-map"
                  />
                )}
              </div>
            );
          })}
        </section>
      )}
    </div>
  );
}
