/** Types of layers.config.js (plain JavaScript, so eslint.config.js can import it). */
export interface Layer {
  readonly name: string;
  /** The files of the layer, repository-relative `**` / `*` patterns. */
  readonly paths: readonly string[];
  /** Files the paths match that belong to a later layer. */
  readonly except?: readonly string[];
  /** When set, the only other layers it may import; otherwise every layer listed before it. */
  readonly mayImport?: readonly string[];
}
/** The layers, bottom first. */
export const LAYERS: readonly Layer[];
/** The layer of a repository-relative path ('.js' is read as '.ts'), or undefined. */
export function layerOf(path: string): Layer | undefined;
/** Whether a file of layer `from` may import one of layer `to`. */
export function mayImport(from: Layer, to: Layer): boolean;
