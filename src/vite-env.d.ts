// Vite's client types: `?url` / `?worker` imports and import.meta.env, for the page and the worker.
/// <reference types="vite/client" />
