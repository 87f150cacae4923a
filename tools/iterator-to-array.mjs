// `allure quality-gate` (3.18) calls Iterator.prototype.toArray, which Node gains in version 22; the
// suite runs on Node 20, so the quality-gate target preloads this (node --import) to add the one method.
const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
if (typeof IteratorPrototype.toArray !== "function") {
  Object.defineProperty(IteratorPrototype, "toArray", {
    value() {
      return Array.from(this);
    },
    writable: true,
    configurable: true,
  });
}
