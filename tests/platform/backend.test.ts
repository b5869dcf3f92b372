// Backend choice: `auto` skips software GPU implementations by their names in the adapter's or the
// renderer's description; in Node nothing is software-flagged and wasm starts; a failing order names why.
import { describe, expect, it } from 'vitest';
import { selectBackend, softwareReason, SOFTWARE_GPU } from '../../src/platform/backend';
import { BACKEND_CHOICES, backendOrder, isBackendName } from '../../src/core/backends';

describe('software GPU detection', () => {
  it('names SwiftShader, llvmpipe, lavapipe and Microsoft Basic Render as software; real GPUs not', () => {
    for (const s of [
      'Google SwiftShader',
      'llvmpipe (LLVM 15.0.6, 256 bits)',
      'lavapipe',
      'Microsoft Basic Render Driver',
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)))',
    ]) {
      expect(SOFTWARE_GPU.test(s), s).toBe(true);
    }
    for (const s of [
      'NVIDIA GeForce RTX 3060',
      'ANGLE (Intel, Intel(R) Iris(R) Xe Graphics Direct3D11)',
      'Apple M2',
      'AMD Radeon RX 6800',
    ]) {
      expect(SOFTWARE_GPU.test(s), s).toBe(false);
    }
  });

  it('in Node nothing is flagged, and auto falls through to wasm with each skip explained', async () => {
    expect(await softwareReason('webgpu')).toBeNull();
    const r = await selectBackend(['webgpu', 'webgl', 'wasm']);
    expect(r.name).toBe('wasm');
    expect(r.skipped.map((s) => s.name)).toEqual(['webgpu', 'webgl']);
    expect(r.skipped[0].reason).toMatch(/WebGPU/);
  });

  it('one backend list: the choices and orders come from it', () => {
    expect(backendOrder('auto')).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(backendOrder('wasm')).toEqual(['wasm']);
    expect(BACKEND_CHOICES[0]).toEqual({ value: 'auto', label: 'auto (webgpu → webgl → wasm → cpu)' });
    expect(isBackendName('webgl')).toBe(true);
    expect(isBackendName('tpu')).toBe(false);
  });
});
