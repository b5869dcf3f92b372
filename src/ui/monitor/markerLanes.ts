// Where the live charts put their stage labels: each label beside its dashed marker line, to the right
// of it (to the left near the chart's right end), in the first text lane from the top where it overlaps
// no label placed before it. The short stages at the end of a run (their markers close together) then
// stack instead of overprinting. Pure: the width of a label is estimated from its characters.

export interface MarkerLabel {
  /** The marker's x in pixels. */
  x: number;
  /** The text shown (possibly shortened). */
  text: string;
}

export interface PlacedLabel {
  /** Left and right edges of the text in pixels, and its anchor. */
  left: number;
  right: number;
  anchor: 'start' | 'end';
  /** 0 = the top lane. */
  lane: number;
}

/** Estimated width of a label at `fontSize` (system sans-serif averages about 0.6 em per character). */
export const labelWidth = (text: string, fontSize: number): number => [...text].length * fontSize * 0.6;

/**
 * Places labels (in the order given, usually by x) on lanes so that no two on one lane overlap (with
 * `gap` pixels between them). `plotLeft`/`plotRight`: the plot's edges; a label whose marker is past
 * 75% of the width is drawn to the marker's left. Lanes are unbounded: the caller draws lane i at
 * top + i * lineHeight.
 */
export function placeMarkerLabels(
  labels: MarkerLabel[],
  plotLeft: number,
  plotRight: number,
  fontSize: number,
  gap = 4,
): PlacedLabel[] {
  const lanes: { left: number; right: number }[][] = [];
  const w = Math.max(1, plotRight - plotLeft);
  return labels.map((l) => {
    const width = labelWidth(l.text, fontSize);
    const atEnd = (l.x - plotLeft) / w > 0.75;
    const left = atEnd ? l.x - 3 - width : l.x + 3;
    const right = atEnd ? l.x - 3 : l.x + 3 + width;
    let lane = lanes.findIndex((taken) => taken.every((t) => right + gap <= t.left || left >= t.right + gap));
    if (lane < 0) {
      lanes.push([]);
      lane = lanes.length - 1;
    }
    lanes[lane].push({ left, right });
    return { left, right, anchor: atEnd ? 'end' : 'start', lane };
  });
}
