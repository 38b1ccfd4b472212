/** A full collection when the bench runs with --expose-gc (`npm run bench` does); nothing otherwise. */
export const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
