// React access to the lab store: a context carrying the store and its actions, and a selector hook.
// Components re-render only when the slice they select changes (zustand's useStore).
import { createContext, createElement, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { LabState } from './labState';
import type { LabActions, LabStore } from './store';

const LabContext = createContext<{ store: LabStore; actions: LabActions } | null>(null);

export function LabProvider({
  store,
  actions,
  children,
}: {
  store: LabStore;
  actions: LabActions;
  children: ReactNode;
}) {
  return createElement(LabContext.Provider, { value: { store, actions } }, children);
}

function useLabContext() {
  const c = useContext(LabContext);
  if (!c) throw new Error('useLab outside <LabProvider>');
  return c;
}

export function useLab<T>(selector: (s: LabState) => T): T {
  return useStore(useLabContext().store, selector);
}

export function useActions(): LabActions {
  return useLabContext().actions;
}
