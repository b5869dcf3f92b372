// tfjs's threaded wasm build in a bundled worker. Its pthread workers load the wasm module's JavaScript
// factory from a blob tfjs makes of `factory.toString()`; once a bundler has minified that function, the
// text refers to names of the bundle's own scope (a ReferenceError in every pthread worker, and the
// backend never starts). So the pthread worker script tfjs creates (a blob of type
// application/javascript, made through URL.createObjectURL) gets a first line that points its "load"
// message at the package's own, unminified factory file instead (served beside the app, `?url`).

/** The line put before the pthread worker's script: runs before the script's own message handler. */
export function pthreadLoadShim(factoryUrl: string): string {
  return (
    `self.addEventListener('message',function(e){var d=e.data;` +
    `if(d&&d.cmd==='load'&&typeof d.urlOrBlob!=='string')d.urlOrBlob=${JSON.stringify(factoryUrl)};});\n`
  );
}

/**
 * Installs the hook for the life of the worker (tfjs starts more pthread workers later when it needs
 * them). `factoryUrl` must be absolute: the pthread workers' own base URL is a blob: URL.
 */
export function redirectPthreadFactory(factoryUrl: string, urlApi: { createObjectURL(obj: Blob): string } = URL): void {
  const create = urlApi.createObjectURL.bind(urlApi);
  const shim = pthreadLoadShim(factoryUrl);
  urlApi.createObjectURL = (obj: Blob) =>
    obj instanceof Blob && obj.type === 'application/javascript'
      ? create(new Blob([shim, obj], { type: obj.type }))
      : create(obj);
}
