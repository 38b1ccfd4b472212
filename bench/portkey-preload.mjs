/**
 * Loaded into the Portkey gateway process with `--import`. Portkey 1.15.2 asks for
 * `@hono/node-server` ^1.3.3, which npm now resolves to 1.19.x; there `new Response(stream, fetched)`
 * keeps the fetched response's immutable Headers, and Portkey's `updateHeaders` then throws
 * `TypeError: immutable` on every streamed chat completion (Portkey-AI/gateway#1550, fixed upstream
 * in honojs/node-server#382 on the 2.x line only). This copies the headers of a foreign Response
 * used as init, which is what that fix does; non-streaming paths never reach it.
 */
const NativeResponse = globalThis.Response;
const define = Object.defineProperty;

Object.defineProperty = function (target, key, desc) {
  if (target === globalThis && key === 'Response' && desc && typeof desc.value === 'function' && desc.value !== NativeResponse) {
    const HonoResponse = desc.value;
    class ForeignInitSafeResponse extends HonoResponse {
      constructor(body, init) {
        if (init instanceof NativeResponse && !(init instanceof HonoResponse)) {
          init = { status: init.status, statusText: init.statusText, headers: new globalThis.Headers(init.headers) };
        }
        super(body, init);
      }
    }
    desc = { ...desc, value: ForeignInitSafeResponse };
    Object.defineProperty = define;
  }
  return define(target, key, desc);
};
