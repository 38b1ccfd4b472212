/**
 * One blank instance of each per-stream class, made at load and never freed.
 *
 * V8 lays out a class's instances as its constructor adds their fields, and holds that layout
 * only weakly: when a full GC finds no instance alive, it frees the layout and throws away every
 * optimized function that was specialised for it. A class made once per stream (a decoder, a
 * reader, the completion builder) has no instance alive between streams, so each full GC cost
 * the next streams their optimized code. In peer-bench, which collects before every batch, about
 * four 1,000-chunk streams after each GC took 8 ms of CPU instead of 2.2 ms while V8 learned the
 * code again (docs/ARCHITECTURE.md, "Performance"). A resident instance keeps the layout alive.
 */
const residents: object[] = [];

export function keepShape(blank: object): void {
  residents.push(blank);
}
