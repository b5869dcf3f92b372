// The backend choices the lab offers (auto = the platform's fallback order).
import type { BackendChoice } from '../state/labState';

export const BACKEND_CHOICES: { value: BackendChoice; label: string }[] = [
  { value: 'auto', label: 'auto (webgpu → webgl → wasm → cpu)' },
  { value: 'webgpu', label: 'webgpu' },
  { value: 'webgl', label: 'webgl' },
  { value: 'wasm', label: 'wasm' },
  { value: 'cpu', label: 'cpu' },
];
