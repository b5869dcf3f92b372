// Presenter mode (a toggle, or ?present=1): the page at the projector's full width, larger type, taller
// charts and larger Grad-CAM tiles, the settings hidden. A React context, read by the panels that size
// themselves; main.tsx keeps the choice with the other settings.
import { createContext, useContext } from 'react';

export interface Presenter {
  on: boolean;
  set(on: boolean): void;
}

export const PresenterContext = createContext<Presenter>({ on: false, set: () => {} });

export const usePresenter = (): Presenter => useContext(PresenterContext);

/** Chart height in CSS pixels. */
export const chartHeight = (presenter: boolean): number => (presenter ? 380 : 260);

/** Smallest Grad-CAM tile side in CSS pixels. */
export const camTile = (presenter: boolean): number => (presenter ? 192 : 96);
